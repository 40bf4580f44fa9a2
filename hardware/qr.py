"""QR decoding of camera frames, and the debouncer that keeps a gate from judging a code twice.

Three decoders sit behind one Protocol, chosen by `[camera] decoder` in config.toml:

- `zxing` (the default): zxing-cpp, restricted to QR codes;
- `pyzbar`: libzbar through pyzbar, restricted to QR codes (needs the system's libzbar0);
- `opencv`: OpenCV's own detector (`QRCodeDetectorAruco` when this OpenCV has it).

Every decoder is restricted to QR codes: that is 10-20 times faster and never reads a
stray barcode, and libzbar with all symbologies prints assertion noise on stderr, which
would be drawn over the TUI. `decode` takes a numpy grayscale (H x W) or BGR / BGRA
(H x W x 3|4) uint8 array and returns the decoded texts; it never raises on a garbage
frame (empty, wrong dtype or shape, absurd size): it returns [].

The decoding libraries are imported inside the constructors, so importing this module is
cheap; constructing a decoder whose library is missing raises BoxOfficeError
`decoder_unavailable`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Final, Protocol

from core.errors import BoxOfficeError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Frame = npt.NDArray[np.uint8]

DECODER_NAMES: Final = ("zxing", "pyzbar", "opencv")
DEFAULT_DECODER: Final = "zxing"
DEFAULT_WINDOW_SECONDS: Final = 2.0

MIN_SIDE: Final = 21          # pixels; the smallest QR code is 21 modules
MAX_SIDE: Final = 8192        # pixels; larger than any camera we drive
MAX_TEXT: Final = 4096        # characters; longer payloads are not ours and are dropped


class Decoder(Protocol):
    """Finds the QR codes in one camera frame."""

    name: str

    def decode(self, frame: Any) -> list[str]:
        """The texts of the QR codes in `frame` (grayscale or BGR uint8); [] for none,
        and [] for anything that is not a usable frame. Never raises."""
        ...


def _prepare(frame: object, *, gray: bool) -> Frame | None:
    """`frame` as a C-contiguous uint8 array: grayscale (H x W) when `gray`, else
    grayscale or BGR (H x W x 3). None when it is not a usable picture."""
    import numpy as np

    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8:
        return None
    if frame.ndim == 3 and frame.shape[2] in (1, 3, 4):
        channels = frame.shape[2]
    elif frame.ndim == 2:
        channels = 1
    else:
        return None
    height, width = frame.shape[:2]
    if not (MIN_SIDE <= height <= MAX_SIDE and MIN_SIDE <= width <= MAX_SIDE):
        return None
    if channels == 1:
        frame = frame.reshape(height, width)
    elif channels == 4:
        frame = frame[:, :, :3]
    if gray and frame.ndim == 3:
        import cv2

        frame = cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_BGR2GRAY)
    result: Frame = np.ascontiguousarray(frame)
    return result


def _unique(texts: Iterable[str]) -> list[str]:
    """Distinct non-empty texts of a sane length, in the order found."""
    seen: dict[str, None] = {}
    for text in texts:
        if text and len(text) <= MAX_TEXT:
            seen.setdefault(text, None)
    return list(seen)


def _unavailable(name: str, error: BaseException, hint: str) -> BoxOfficeError:
    return BoxOfficeError(f"The {name} QR decoder cannot be loaded ({error}). {hint}",
                          code="decoder_unavailable")


class ZxingDecoder:
    """zxing-cpp, QR codes only: about 1 ms a 640x480 frame, the best success rate."""

    name = "zxing"

    def __init__(self, *, try_downscale: bool = True, try_invert: bool = True) -> None:
        """`try_downscale` also scans downscaled copies (helps blurred and large codes
        in big frames); `try_invert` also reads light-on-dark codes (a phone in dark mode).
        Rotation needs no option: the QR detector finds codes at any angle."""
        try:
            import zxingcpp
        except ImportError as error:
            raise _unavailable("zxing", error, "Install it with `pip install zxing-cpp`.")\
                from error
        self._read = zxingcpp.read_barcodes
        self._formats = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        self._try_downscale = try_downscale
        self._try_invert = try_invert

    def decode(self, frame: Any) -> list[str]:
        try:
            image = _prepare(frame, gray=False)
            if image is None:
                return []
            found = self._read(image, formats=self._formats, try_rotate=False,
                               try_downscale=self._try_downscale,
                               try_invert=self._try_invert)
            return _unique(barcode.text for barcode in found if barcode.valid)
        except Exception:  # a decoder must never take the gate down
            return []


class PyzbarDecoder:
    """libzbar through pyzbar, QR codes only (needs the system library libzbar0)."""

    name = "pyzbar"

    def __init__(self) -> None:
        try:
            from pyzbar import pyzbar  # no type information; see the Any below
        except (ImportError, OSError) as error:
            raise _unavailable(
                "pyzbar", error,
                "It needs the system's zbar library: `apt-get install -y "
                "--no-install-recommends libzbar0`, and `pip install pyzbar`.") from error
        self._decode: Callable[..., list[Any]] = pyzbar.decode
        self._symbols = [pyzbar.ZBarSymbol.QRCODE]

    def decode(self, frame: Any) -> list[str]:
        try:
            image = _prepare(frame, gray=True)
            if image is None:
                return []
            height, width = image.shape
            found = self._decode((image.tobytes(), width, height), symbols=self._symbols)
            return _unique(bytes(symbol.data).decode("utf-8", "replace") for symbol in found
                           if symbol.type == "QRCODE")
        except Exception:  # a decoder must never take the gate down
            return []


class OpenCVDecoder:
    """OpenCV's own detector: `QRCodeDetectorAruco` when available, else `QRCodeDetector`."""

    name = "opencv"

    def __init__(self) -> None:
        try:
            import cv2
        except ImportError as error:
            raise _unavailable("opencv", error,
                               "Install it with `pip install opencv-python-headless`.")\
                from error
        detector_class = getattr(cv2, "QRCodeDetectorAruco", None) or cv2.QRCodeDetector
        self._detector: Any = detector_class()
        self.detector_name: str = detector_class.__name__

    def decode(self, frame: Any) -> list[str]:
        try:
            image = _prepare(frame, gray=False)
            if image is None:
                return []
            ok, texts, _points, _straight = self._detector.detectAndDecodeMulti(image)
            if not ok or texts is None:
                return []
            return _unique(str(text) for text in texts)
        except Exception:  # a decoder must never take the gate down
            return []


_DECODERS: dict[str, Callable[[], Decoder]] = {
    "zxing": ZxingDecoder,
    "pyzbar": PyzbarDecoder,
    "opencv": OpenCVDecoder,
}


def make_decoder(name: str = DEFAULT_DECODER) -> Decoder:
    """The decoder `[camera] decoder` names: zxing, pyzbar or opencv.

    Raises BoxOfficeError `bad_decoder` for any other name, `decoder_unavailable` when
    the decoder's library cannot be loaded.
    """
    factory = _DECODERS.get(name) if isinstance(name, str) else None
    if factory is None:
        raise BoxOfficeError(f"Unknown QR decoder {name!r}: choose one of "
                             f"{', '.join(DECODER_NAMES)}.", code="bad_decoder")
    return factory()


class Debouncer:
    """Lets a code through only if the same code was not reported in the last
    `window_seconds` (a camera sees a held ticket in 25-30 frames a second).

    With `refresh_on_repeat=True` the window restarts at every sighting, so a ticket
    held in front of the camera is reported once until it has been away for a window.
    `clock` (seconds, monotonic) is injectable for tests and replays. Thread-safe enough
    for one producer: the gate's scan worker owns it.
    """

    def __init__(self, window_seconds: float = DEFAULT_WINDOW_SECONDS, *,
                 clock: Callable[[], float] = time.monotonic,
                 refresh_on_repeat: bool = False) -> None:
        if not window_seconds >= 0:
            raise BoxOfficeError("The debounce window must be zero or more seconds.",
                                 code="bad_debounce_window")
        self.window_seconds = float(window_seconds)
        self.refresh_on_repeat = refresh_on_repeat
        self._clock = clock
        self._last: dict[str, float] = {}

    def accept(self, code: str, now: float | None = None) -> bool:
        """True if `code` should be reported now (and remember it); False if it was
        reported less than the window ago."""
        now = self._clock() if now is None else now
        last = self._last.get(code)
        if last is not None and now - last < self.window_seconds:
            if self.refresh_on_repeat:
                self._last[code] = now
            return False
        self._last[code] = now
        if len(self._last) > 256:
            self._forget(now)
        return True

    def filter(self, codes: Iterable[str], now: float | None = None) -> list[str]:
        """The codes among `codes` to report now, in order (each at most once)."""
        now = self._clock() if now is None else now
        return [code for code in codes if self.accept(code, now)]

    def reset(self) -> None:
        """Forget every code (e.g. when the gate changes mode)."""
        self._last.clear()

    def _forget(self, now: float) -> None:
        self._last = {code: seen for code, seen in self._last.items()
                      if now - seen < self.window_seconds}
