"""The gate's whole path per camera frame: decode + verdict, at 50,000 sold tickets.

    python bench/bench_gate.py [--frames 60] [--tickets 50000]

For each decoder (zxing, pyzbar, opencv) and frame size (640x480, 1280x720): frames that
show a sold ticket's code (realistic synthetic frames of its printed ticket,
tests/support/frames.py)
and frames with no code at all (the common case while a lane waits). "Decode" is the
decoder alone (the bare decode); "decode + verdict" adds `core.checkin.scan` (signature,
lookup by decoded id, history, the scan recorded with its nonce); next to them, in the same
run, a bare ticket lookup by id. The three decoders read the same frames, so after the
first decoder the verdicts are repeats (ALREADY IN), which cost the same to judge.
Budget (bench/README.md): p99 < 10 ms for decode + verify + record at 50,000 tickets. Prints a
Markdown table; timings only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_checkin import build, percentile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--tickets", type=int, default=50_000)
    args = parser.parse_args()

    from core.gate import checkin
    from core.people.users import get_user
    from hardware.qr import make_decoder
    from tests.support import frames

    db, signer, match, first, at_gate = build(Path(tempfile.mkdtemp()), args.tickets)
    gate = checkin.open_gate(db, get_user(db, "gia"), match, "Bench")
    print(f"{args.tickets:,} sold tickets; {args.frames} frames per row; ms per frame")
    print("| decoder | frame | frames | read | decode median / p99 | decode + verdict "
          "median / p99 | bare lookup median |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    ticket = first
    for size in ((640, 480), (1280, 720)):
        shots = []
        for n in range(args.frames):
            code = signer.sign(ticket + n, match, 1)
            shots.append((code, frames.frame(n, size, "realistic", code)))
        empties = [frames.empty_frame(1000 + n, size) for n in range(args.frames)]
        for name in ("zxing", "pyzbar", "opencv"):
            decoder = make_decoder(name)
            for label, batch in (("with code", shots), ("no code", [(None, f) for f in empties])):
                decode_ms, whole_ms, lookup_ms, read = [], [], [], 0
                for index, (_code, picture) in enumerate(batch):
                    start = time.perf_counter()
                    found = decoder.decode(picture)
                    decoded = time.perf_counter()
                    for text in found:
                        checkin.scan(db, gate, text, now=at_gate,
                                     nonce=f"{name}-{size}-{label}-{index}")
                    done = time.perf_counter()
                    if found:
                        read += 1
                        lookup_start = time.perf_counter()
                        db.execute("SELECT status, generation FROM tickets WHERE id = ?",
                                   [ticket + index]).fetchone()
                        lookup_ms.append((time.perf_counter() - lookup_start) * 1000)
                    decode_ms.append((decoded - start) * 1000)
                    whole_ms.append((done - start) * 1000)
                lookup = f"{statistics.median(lookup_ms):.3f}" if lookup_ms else "-"
                print(f"| {name} | {size[0]}x{size[1]} {label} | {len(batch)} | {read} | "
                      f"{statistics.median(decode_ms):.2f} / {percentile(decode_ms, 0.99):.2f} | "
                      f"{statistics.median(whole_ms):.2f} / {percentile(whole_ms, 0.99):.2f} | "
                      f"{lookup} |")
        ticket += args.frames   # fresh tickets for the next size: first scans, not repeats


if __name__ == "__main__":
    main()
