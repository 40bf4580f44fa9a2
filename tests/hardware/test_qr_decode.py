"""QR decoding of camera frames (hardware.qr) and the scan sources (hardware.camera).

The frames are synthetic photographs of a ticket printed by the preview renderer
(tests/support/frames.py); every one comes from a fixed seed, so the figures are reproducible.
"""

from __future__ import annotations

import functools
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from core.config import CameraConfig
from core.errors import BoxOfficeError
from core.gate.codes import TOKEN_LENGTH
from hardware.camera import (
    CameraSource,
    ImageFolderSource,
    KeyboardWedgeScanner,
    VideoFileSource,
    scan_loop,
    source_from_config,
)
from hardware.qr import DECODER_NAMES, Debouncer, ZxingDecoder, make_decoder
from tests.support import frames
from tests.support.constants import REPO

TOKEN = frames.token()
FRAMES_PER_SIZE = 200
REQUIRED_RATE = 0.99


@pytest.fixture(scope="module", params=DECODER_NAMES)
def decoder(request: pytest.FixtureRequest) -> Any:
    return make_decoder(request.param)


def test_the_synthetic_ticket_carries_a_real_token() -> None:
    assert len(TOKEN) == TOKEN_LENGTH and TOKEN.isupper()


def test_every_decoder_reads_the_printed_ticket(decoder: Any) -> None:
    clean = frames.clean_image(TOKEN)
    assert decoder.decode(clean) == [TOKEN]                                  # greyscale
    assert decoder.decode(cv2.cvtColor(clean, cv2.COLOR_GRAY2BGR)) == [TOKEN]  # BGR
    assert decoder.decode(cv2.cvtColor(clean, cv2.COLOR_GRAY2BGRA)) == [TOKEN]  # BGRA
    assert decoder.decode(np.ascontiguousarray(clean[:, :, None])) == [TOKEN]  # H x W x 1
    assert decoder.decode(clean[::-1, :]) == [TOKEN]                     # a mirrored view


@functools.cache
def sample(size: tuple[int, int], count: int = 20) -> list[Any]:
    return [frames.frame(seed, size, "realistic") for seed in range(count)]


@pytest.mark.parametrize("size", frames.SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_decoder_reads_most_camera_frames(decoder: Any, size: tuple[int, int]) -> None:
    """A floor against regressions; zxing's real requirement is the 99 % test below
    (pyzbar reads about 80-85 % of realistic frames, OpenCV about 93 %)."""
    read = sum(decoder.decode(image) == [TOKEN] for image in sample(size))
    assert read >= 14, f"{decoder.name} read {read} of 20 realistic frames at {size}"


GARBAGE: list[Any] = [
    None, "frame", b"\x00" * 100, [[0, 255], [255, 0]], 42,
    np.zeros((0, 0), np.uint8), np.zeros((0, 640, 3), np.uint8), np.zeros((480, 0), np.uint8),
    np.zeros((1, 1), np.uint8), np.zeros((20, 20), np.uint8),
    np.zeros((480, 640), np.float32), np.ones((480, 640, 3), np.float64),
    np.zeros((480, 640), np.int32), np.zeros((480, 640), np.bool_),
    np.zeros((480, 640, 2), np.uint8), np.zeros((480, 640, 5), np.uint8),
    np.zeros((4, 48, 64, 3), np.uint8), np.zeros((9000, 21), np.uint8),
    np.zeros((480, 640), np.uint8), np.full((480, 640, 3), 255, np.uint8),
    np.random.default_rng(1).integers(0, 256, (480, 640, 3), dtype=np.uint8),
    np.random.default_rng(2).integers(0, 2, (480, 640), dtype=np.uint8) * 255,
    np.array(["a", "b"]), np.zeros((480, 640), object),
]


def test_garbage_frames_give_nothing_and_never_raise(decoder: Any) -> None:
    for garbage in GARBAGE:
        assert decoder.decode(garbage) == [], type(garbage)


def test_scenes_without_a_code_give_nothing(decoder: Any) -> None:
    for seed in range(10):
        for size in frames.SIZES:
            assert decoder.decode(frames.empty_frame(seed, size)) == []


def test_make_decoder_names_the_choices() -> None:
    assert make_decoder().name == "zxing"
    with pytest.raises(BoxOfficeError) as caught:
        make_decoder("zbar")
    assert caught.value.code == "bad_decoder"
    assert "zxing, pyzbar, opencv" in caught.value.message
    with pytest.raises(BoxOfficeError):
        make_decoder(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", frames.SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_default_decoder_reads_99_percent_of_realistic_frames(size: tuple[int, int]) -> None:
    decoder = ZxingDecoder()
    wrong: list[tuple[int, list[str]]] = []
    for seed in range(FRAMES_PER_SIZE):
        found = decoder.decode(frames.frame(seed, size, "realistic"))
        if found != [TOKEN]:
            wrong.append((seed, found))
    rate = 1 - len(wrong) / FRAMES_PER_SIZE
    print(f"zxing, realistic {size[0]}x{size[1]}: {rate:.1%} of {FRAMES_PER_SIZE} frames")
    assert all(found == [] for _, found in wrong), f"misread: {wrong}"
    assert rate >= REQUIRED_RATE, f"{rate:.1%}; missed seeds {[seed for seed, _ in wrong]}"


# --- the debouncer ---------------------------------------------------------------------------

class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_debouncer_suppresses_a_repeat_within_two_seconds() -> None:
    clock = FakeClock()
    debouncer = Debouncer(clock=clock)
    assert debouncer.window_seconds == 2.0
    assert debouncer.accept("A")
    clock.now += 0.5
    assert not debouncer.accept("A")
    assert debouncer.accept("B")                  # another code is judged at once
    clock.now += 1.49
    assert not debouncer.accept("A")              # 1.99 s after A was reported
    clock.now += 0.01
    assert debouncer.accept("A")                  # 2 s: judged again
    assert debouncer.filter(["A", "B", "C", "C"]) == ["C"]
    debouncer.reset()
    assert debouncer.accept("A")


def test_refresh_on_repeat_reports_a_held_ticket_once() -> None:
    clock = FakeClock()
    debouncer = Debouncer(2.0, clock=clock, refresh_on_repeat=True)
    reported = []
    for _ in range(100):                          # held for 4 s at 25 frames a second
        reported.append(debouncer.accept("A"))
        clock.now += 0.04
    assert reported.count(True) == 1
    clock.now += 2.0
    assert debouncer.accept("A")


def test_the_debouncer_forgets_old_codes() -> None:
    clock = FakeClock()
    debouncer = Debouncer(clock=clock)
    for number in range(10_000):
        assert debouncer.accept(f"CODE{number}")
        clock.now += 0.1
    assert len(debouncer._last) < 300


def test_a_negative_window_is_refused() -> None:
    with pytest.raises(BoxOfficeError):
        Debouncer(-1)


# --- sources and the scan loop ---------------------------------------------------------------

class Paced:
    """A source whose frames are `step` seconds apart on a fake clock (a camera's pace)."""

    def __init__(self, source: ImageFolderSource | VideoFileSource, clock: FakeClock,
                 step: float) -> None:
        self.source, self.clock, self.step = source, clock, step

    def frames(self) -> Iterator[Any]:
        for frame in self.source.frames():
            self.clock.now += self.step
            yield frame

    def close(self) -> None:
        self.source.close()


def appearances(tmp_path: Path) -> Path:
    """A ticket shown for 4 frames, taken away for 5, shown again for 4 (0.5 s a frame),
    with a text file and a broken picture among them."""
    other = frames.token(ticket_id=7)
    sequence = ([("a", frames.frame(seed, level="realistic")) for seed in range(4)]
                + [("b", frames.empty_frame(seed)) for seed in range(5)]
                + [("c", frames.frame(seed, level="realistic")) for seed in range(4, 8)]
                + [("d", frames.frame(8, level="realistic", code=other))])
    folder = tmp_path / "frames"
    frames.write_frames(folder, [(f"{n:03d}-{kind}", image)
                                 for n, (kind, image) in enumerate(sequence)])
    (folder / "notes.txt").write_text("not a picture")
    (folder / "005-broken.png").write_bytes(b"\x89PNG broken")
    return folder


def test_scanning_a_folder_reports_each_appearance_once(tmp_path: Path) -> None:
    folder = appearances(tmp_path)
    clock = FakeClock()
    source = ImageFolderSource(folder)
    assert len(source.paths) == 15                # the text file is not a picture
    codes = list(scan_loop(Paced(source, clock, 0.5), make_decoder("zxing"),
                           Debouncer(clock=clock)))
    assert codes == [TOKEN, TOKEN, frames.token(ticket_id=7)]


def test_closing_a_folder_source_stops_the_loop(tmp_path: Path) -> None:
    folder = appearances(tmp_path)
    source = ImageFolderSource(folder)
    seen = 0
    for _ in source.frames():
        seen += 1
        source.close()
    assert seen == 1


def test_a_video_file_is_replayed(tmp_path: Path) -> None:
    path = tmp_path / "gate.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 25, (640, 480))
    if not writer.isOpened():
        pytest.skip("this OpenCV cannot write MJPG video")
    for seed in range(6):
        writer.write(frames.frame(seed) if seed < 3 else frames.empty_frame(seed))
    writer.release()
    source = VideoFileSource(path)
    assert source.fps == 25
    assert list(scan_loop(source, make_decoder("zxing"), Debouncer())) == [TOKEN]


def test_sources_that_cannot_open_say_so(tmp_path: Path) -> None:
    for make in (lambda: CameraSource(str(tmp_path / "no-camera")),
                 lambda: VideoFileSource(tmp_path / "missing.mp4"),
                 lambda: ImageFolderSource(tmp_path / "missing")):
        with pytest.raises(BoxOfficeError) as caught:
            make()
        assert caught.value.code == "camera_unavailable"
    not_a_video = tmp_path / "notes.mp4"
    not_a_video.write_text("hello")
    with pytest.raises(BoxOfficeError) as caught:
        VideoFileSource(not_a_video)
    assert caught.value.code == "camera_unavailable"


def test_the_configured_source_can_be_a_folder_or_a_video(tmp_path: Path) -> None:
    assert isinstance(source_from_config(CameraConfig(source=str(tmp_path))), ImageFolderSource)
    with pytest.raises(BoxOfficeError) as caught:
        source_from_config(CameraConfig(source=str(tmp_path / "nothing-here")))
    assert caught.value.code == "camera_unavailable"


def test_the_keyboard_wedge_strips_line_ends_and_skips_blank_lines() -> None:
    typed = ("CODE1\r\n\r\n   \n\nCODE2\n  CODE3 \t\r\n" + "X" * 10_000 + "\nCODE4")
    assert list(KeyboardWedgeScanner(io.StringIO(typed)).codes()) == [
        "CODE1", "CODE2", "CODE3", "CODE4"]


def test_the_keyboard_wedge_goes_through_the_debouncer() -> None:
    clock = FakeClock()
    scanner = KeyboardWedgeScanner(io.StringIO("A\nA\nB\nA\n"))
    assert list(scan_loop(scanner, None, Debouncer(clock=clock))) == ["A", "B"]


def test_a_closed_keyboard_wedge_stops() -> None:
    scanner = KeyboardWedgeScanner(io.StringIO("A\nB\n"))
    codes = scanner.codes()
    assert next(codes) == "A"
    scanner.close()
    assert list(codes) == []


def test_a_camera_needs_a_decoder(tmp_path: Path) -> None:
    with pytest.raises(BoxOfficeError) as caught:
        list(scan_loop(ImageFolderSource(tmp_path), None, Debouncer()))
    assert caught.value.code == "bad_decoder"


def test_importing_the_modules_loads_no_decoding_library() -> None:
    probe = ("import sys, hardware.qr, hardware.camera\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('cv2', 'zxingcpp', 'pyzbar', 'numpy')))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=REPO, check=True)
    assert result.stdout.strip() == "[]"
