"""Where scanned codes come from: cameras, replayed video and pictures, handheld scanners.

A `FrameSource` yields camera frames (numpy BGR or grayscale uint8 arrays); a `CodeSource`
yields codes already read (a handheld USB scanner "types" the code and Enter).
`scan_loop` turns either into a stream of codes to judge, decoded and debounced. There is
no UI here: the gate screen runs `scan_loop` in a thread worker, posts each code back to
the screen, and calls `close()` on the source to stop it (from any thread).

OpenCV is imported inside the functions that need it, so importing this module is cheap.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, TextIO, runtime_checkable

from core.errors import BoxOfficeError
from hardware.qr import Debouncer, Decoder

if TYPE_CHECKING:
    from core.config import CameraConfig

IMAGE_SUFFIXES: Final = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff",
                                   ".webp", ".pgm", ".ppm"})
MAX_FAILED_READS: Final = 60        # about 2 s of a 30 fps camera returning nothing
MAX_LINE: Final = 4096              # characters; a scanner line longer than this is dropped


class FrameSource(Protocol):
    """Camera frames, until the source ends or `close()` is called."""

    def frames(self) -> Iterator[Any]:
        ...

    def close(self) -> None:
        ...


@runtime_checkable
class CodeSource(Protocol):
    """Codes already read by a device (a handheld scanner), until it ends or is closed."""

    def codes(self) -> Iterator[str]:
        ...

    def close(self) -> None:
        ...


def _quiet_opencv() -> Any:
    """cv2, with its own log lines (e.g. "can't open camera by index") and FFmpeg's
    ("moov atom not found") silenced: they go to stderr and would be drawn over the TUI.
    Failures are reported as errors instead. FFmpeg reads its level when OpenCV first
    opens a video, so this must run before any cv2.VideoCapture in the process."""
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")     # AV_LOG_QUIET
    import cv2

    with contextlib.suppress(AttributeError):      # a very old OpenCV
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    return cv2


class _Capture:
    """A cv2.VideoCapture that can be stopped from another thread."""

    def __init__(self, capture: Any) -> None:
        self._capture = capture
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._reading = False

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def read(self) -> Any | None:
        """The next frame, or None when the capture gives none (or is stopped)."""
        with self._lock:
            if self._stop.is_set():
                return None
            self._reading = True
        try:
            ok, frame = self._capture.read()
        finally:
            with self._lock:
                self._reading = False
                if self._stop.is_set():
                    self._capture.release()
        return frame if ok and frame is not None and frame.size else None

    def get(self, prop: int) -> float:
        return float(self._capture.get(prop))

    def close(self) -> None:
        with self._lock:
            self._stop.set()
            if not self._reading:       # a read in progress releases it when it returns
                self._capture.release()


class CameraSource:
    """A live camera through cv2.VideoCapture: a device index (0, 1, ...) or a device
    path (/dev/video2) or stream URL. `width` x `height` is asked for; the camera may
    deliver another size. Raises BoxOfficeError `camera_unavailable` when it cannot be
    opened, and `frames()` raises `camera_lost` when it stops delivering frames."""

    def __init__(self, index_or_path: int | str, width: int = 1280, height: int = 720) -> None:
        cv2 = _quiet_opencv()
        source: int | str = index_or_path
        if isinstance(source, str) and source.strip().isdigit():
            source = int(source.strip())
        self.source = source
        capture = cv2.VideoCapture(source)
        if not capture.isOpened():
            capture.release()
            raise BoxOfficeError(
                f"The camera {source!r} cannot be opened: check that it is plugged in, that "
                "no other program is using it, and that this user may use it (on Linux, "
                "the video group).", code="camera_unavailable")
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)      # judge the newest frame, not a queue
        self._capture = _Capture(capture)
        self.width = int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH)) or width
        self.height = int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT)) or height

    def frames(self) -> Iterator[Any]:
        failures = 0
        try:
            while not self._capture.stopped:
                frame = self._capture.read()
                if frame is None:
                    if self._capture.stopped:
                        return
                    failures += 1
                    if failures >= MAX_FAILED_READS:
                        raise BoxOfficeError(
                            f"The camera {self.source!r} stopped sending pictures (was it "
                            "unplugged?).", code="camera_lost")
                    time.sleep(0.03)
                    continue
                failures = 0
                yield frame
        finally:
            self._capture.close()

    def close(self) -> None:
        self._capture.close()


class VideoFileSource:
    """A video file, replayed once (demos and tests). With `realtime`, frames come at the
    file's own rate, as a camera's would; otherwise as fast as they can be decoded.
    Raises BoxOfficeError `camera_unavailable` when the file cannot be opened."""

    def __init__(self, path: str | Path, *, realtime: bool = False) -> None:
        cv2 = _quiet_opencv()
        self.path = Path(path)
        if not self.path.is_file():
            raise BoxOfficeError(f"The video {str(self.path)!r} does not exist.",
                                 code="camera_unavailable")
        capture = cv2.VideoCapture(str(self.path))
        if not capture.isOpened():
            capture.release()
            raise BoxOfficeError(f"The video {str(self.path)!r} cannot be read.",
                                 code="camera_unavailable")
        self._capture = _Capture(capture)
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 1.0 <= fps <= 1000.0 else 25.0
        self.realtime = realtime

    def frames(self) -> Iterator[Any]:
        start = time.monotonic()
        index = 0
        try:
            while True:
                frame = self._capture.read()
                if frame is None:
                    return
                if self.realtime:
                    delay = start + index / self.fps - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                index += 1
                yield frame
        finally:
            self._capture.close()

    def close(self) -> None:
        self._capture.close()


class ImageFolderSource:
    """The pictures in a folder, in name order, once each (demos and tests). Files that
    are not pictures, or cannot be read, are skipped. `interval_seconds` waits between
    pictures, so a replay has the pace of a camera. Raises BoxOfficeError
    `camera_unavailable` when the folder does not exist."""

    def __init__(self, directory: str | Path, *, interval_seconds: float = 0.0) -> None:
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise BoxOfficeError(f"The folder {str(self.directory)!r} does not exist.",
                                 code="camera_unavailable")
        self.paths = sorted(path for path in self.directory.iterdir()
                            if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file())
        self.interval_seconds = max(0.0, interval_seconds)
        self._stop = threading.Event()

    def frames(self) -> Iterator[Any]:
        cv2 = _quiet_opencv()
        for number, path in enumerate(self.paths):
            if self._stop.is_set():
                return
            if number and self.interval_seconds and self._stop.wait(self.interval_seconds):
                return
            frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if frame is not None:
                yield frame

    def close(self) -> None:
        self._stop.set()


class KeyboardWedgeScanner:
    """A handheld scanner in keyboard mode, read from a text stream: it types the code and
    Enter. Yields each line with surrounding whitespace (CR, LF, spaces) removed; blank
    lines are skipped, and a line longer than MAX_LINE characters is dropped whole."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._stop = threading.Event()

    def codes(self) -> Iterator[str]:
        while not self._stop.is_set():
            try:
                line = self.stream.readline(MAX_LINE + 1)
            except (OSError, ValueError, UnicodeDecodeError):
                return          # the stream was closed or is not text
            if not line:
                return
            if len(line) > MAX_LINE and not line.endswith("\n"):
                self._skip_rest_of_line()
                continue
            code = line.strip()
            if code:
                yield code

    def _skip_rest_of_line(self) -> None:
        while True:
            try:
                chunk = self.stream.readline(MAX_LINE)
            except (OSError, ValueError, UnicodeDecodeError):
                return
            if not chunk or chunk.endswith("\n"):
                return

    def close(self) -> None:
        self._stop.set()


def source_from_config(camera: CameraConfig) -> FrameSource:
    """The frame source `[camera] source` names: a folder of pictures, a video file (both
    replayed), or a camera (a device index or path)."""
    text = camera.source.strip()
    if not text.isdigit():
        path = Path(text).expanduser()
        if path.is_dir():
            return ImageFolderSource(path)
        if path.is_file() and not text.startswith("/dev/"):
            return VideoFileSource(path)
    return CameraSource(text, camera.width, camera.height)


def scan_loop(source: FrameSource | CodeSource, decoder: Decoder | None,
              debouncer: Debouncer) -> Iterator[str]:
    """The codes to judge, in order: from a frame source, each frame decoded by `decoder`;
    from a code source (a handheld scanner), the codes it read. Either way, a code that
    was reported less than the debouncer's window ago is not reported again. Ends when
    the source ends or is closed; errors of the source (`camera_lost`) propagate."""
    if isinstance(source, CodeSource):
        for code in source.codes():
            if debouncer.accept(code):
                yield code
        return
    if decoder is None:
        raise BoxOfficeError("A camera needs a QR decoder.", code="bad_decoder")
    for frame in source.frames():
        for code in decoder.decode(frame):
            if debouncer.accept(code):
                yield code
