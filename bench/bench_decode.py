"""QR decoding of camera frames: ms per frame and success rate for each decoder.

    python bench/bench_decode.py [--frames 100] [--rounds 3]

Frames come from tests/support/frames.py: a ticket printed by the preview renderer (a genuine
122-character Ed25519 token, QR version 5, error correction M) photographed on a cluttered
background, turned and tilted, unevenly lit, blurred, noisy and JPEG-compressed, at
640x480 and 1280x720, at the "realistic" and "hard" levels (see that module for the
ranges), plus frames of the same scenes with no code at all (the common case at a gate).
The same seeds every run, so success rates are exact figures for those frames.

"With code" and "empty" are the median milliseconds of one `decode` call over the frames
(each timed `--rounds` times, decoders interleaved frame by frame so their ratios hold up
under noise); "read" is the share of code frames that gave exactly the token (a wrong
text would be counted separately as "misread"). Prints a Markdown table on stdout and
progress on stderr; it only measures, nothing makes it fail.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hardware.qr import DECODER_NAMES, make_decoder
from tests.support import frames


def measure(decoders: dict[str, Any], images: list[Any], rounds: int,
            ) -> dict[str, tuple[list[float], list[list[str]]]]:
    """Per decoder: every timing (ms) and every frame's result, decoders interleaved."""
    results: dict[str, tuple[list[float], list[list[str]]]] = {
        name: ([], []) for name in decoders}
    for image in images:
        for round_number in range(rounds):
            for name, decoder in decoders.items():
                start = time.perf_counter()
                found = decoder.decode(image)
                results[name][0].append((time.perf_counter() - start) * 1000)
                if round_number == 0:
                    results[name][1].append(found)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100, help="frames per size and level")
    parser.add_argument("--rounds", type=int, default=3, help="timings per frame")
    args = parser.parse_args()
    decoders = {name: make_decoder(name) for name in DECODER_NAMES}
    token = frames.token()
    rows = []
    for level in frames.LEVELS:
        for size in frames.SIZES:
            print(f"{level} {size[0]}x{size[1]}: drawing {args.frames} + {args.frames} frames",
                  file=sys.stderr, flush=True)
            coded = [frames.frame(seed, size, level) for seed in range(args.frames)]
            empty = [frames.empty_frame(seed, size, level) for seed in range(args.frames)]
            with_code = measure(decoders, coded, args.rounds)
            without = measure(decoders, empty, args.rounds)
            for name in decoders:
                timings, found = with_code[name]
                read = sum(result == [token] for result in found)
                misread = sum(bool(result) and result != [token] for result in found)
                false_positives = sum(bool(result) for result in without[name][1])
                rows.append((name, f"{size[0]}x{size[1]}", level,
                             f"{100 * read / len(found):.1f} %", str(misread + false_positives),
                             f"{statistics.median(timings):.2f}",
                             f"{statistics.median(without[name][0]):.2f}"))
    print(f"Decoders: {', '.join(f'{name} ({type(d).__name__})' for name, d in decoders.items())}"
          f"; {args.frames} frames with a code and {args.frames} without per size and level, "
          f"{args.rounds} timings each.\n")
    print("| decoder | frame | level | read | misread / false positive "
          "| ms with code | ms empty |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
