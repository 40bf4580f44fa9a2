"""python-escpos printers: USB, network and serial, each behind the Printer protocol, with
escpos imported without its side effects."""

from __future__ import annotations

import errno
import logging
import os
import pickle
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hardware.printer_spec import (
    CHUNK,
    STATUS_TIMEOUT_CAP,
    UNKNOWN_STATUS,
    Paper,
    PrinterError,
    PrinterStatus,
)

logger = logging.getLogger(__name__)




_DLE_EOT = b"\x10\x04"


_escpos_lock = threading.Lock()


def import_escpos() -> None:
    """Import python-escpos without leaving a /tmp/tmpXXXX directory or a root log handler.

    At import escpos calls `logging.basicConfig()` (its stderr handler would draw over the
    TUI) and `mkdtemp()` (evaluated even when ESCPOS_CAPABILITIES_PICKLE_DIR is set). Its
    capabilities pickle is cached in $XDG_CACHE_HOME/boxoffice/escpos. Safe to call often;
    anything else in the project that imports escpos should call this first.
    """
    if "escpos.printer" in sys.modules:
        return
    with _escpos_lock:
        if "escpos.printer" in sys.modules:
            return
        root = logging.getLogger()
        handlers_before = list(root.handlers)
        tempdir_before = tempfile.tempdir
        env_before = os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR")
        scratch = tempfile.mkdtemp(prefix="boxoffice-escpos-")
        try:
            if env_before is None:
                os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = _pickle_dir(scratch)
            tempfile.tempdir = scratch      # where escpos's throwaway mkdtemp() lands
            try:
                import escpos.printer
            except (EOFError, pickle.UnpicklingError):
                # another process was writing the shared capabilities pickle: build a
                # private one in the scratch folder instead
                for name in [m for m in sys.modules if m.split(".")[0] == "escpos"]:
                    del sys.modules[name]
                os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = scratch
                import escpos.printer  # noqa: F401
        finally:
            tempfile.tempdir = tempdir_before
            if env_before is None:
                os.environ.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
            else:
                os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = env_before
            for handler in root.handlers[:]:
                if handler not in handlers_before:
                    root.removeHandler(handler)
            shutil.rmtree(scratch, ignore_errors=True)


def _pickle_dir(fallback: str) -> str:
    try:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        cache = Path(base) / "boxoffice" / "escpos"
        cache.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):     # no home, or a read-only one
        return fallback                 # (parse the capabilities afresh each run)
    return str(cache)


def _status_byte(data: bytes) -> int | None:
    """The last byte when it has the fixed bits of a DLE EOT answer (bits 1 and 4 set, 0
    and 7 clear), else None: a printer that answers anything else is taken as not reporting."""
    if data and (data[-1] & 0x93) == 0x12:
        return data[-1]
    return None


def _paper(byte: int | None) -> Paper:
    if byte is None:
        return "unknown"
    if byte & 0x60:             # DLE EOT 4, bits 5-6: roll paper end
        return "out"
    if byte & 0x0C:             # bits 2-3: near end
        return "near_end"
    return "ok"


def _offline_cause(byte: int | None) -> str:
    if byte is not None and byte & 0x04:
        return "its cover is open"
    if byte is not None and byte & 0x20:
        return "it stopped at the end of the paper"
    if byte is not None and byte & 0x40:
        return "it has an error (switch it off and on)"
    return "check the cover and the paper"


class _EscposPrinter:
    """Network, USB and serial: open per job, ask the status, send in chunks, close.

    Subclasses say how to connect, read a status answer and explain their OS errors.
    A printer that does not answer status queries is not asked again before later jobs
    (`status()` still asks), so it costs one short wait, not one per ticket. Where writes
    cannot fail when the printer is off (serial without flow control), silence from a
    printer that answered before is `offline`.
    """

    _silence_is_offline = False

    def __init__(self, *, name: str, where: str, profile: str, paper_mm: int,
                 timeout: float) -> None:
        self.name = name
        self.where = where                     # "at 192.168.1.50:9100", "on USB 04b8:0202"
        self.profile = profile
        self.paper_mm = paper_mm
        self.timeout = timeout
        self.last_status: PrinterStatus = UNKNOWN_STATUS
        self._status_unanswered = False
        self._status_answered = False
        self._lock = threading.Lock()

    @property
    def _status_timeout(self) -> float:
        return min(self.timeout, STATUS_TIMEOUT_CAP)

    def send(self, job: bytes) -> None:
        """Check the status (where the printer answers), then deliver the job. Raises
        PrinterError: `paper_out` or `offline` before any byte of the job is sent;
        `unplugged`, `offline`, `timeout` or `printer` otherwise."""
        with self._lock:
            esc = self._connect()
            ok = False
            try:
                if not self._status_unanswered:
                    self._check_before_send(esc)
                try:
                    for start in range(0, len(job), CHUNK):
                        self._write(esc, job[start:start + CHUNK])
                    self._drain(esc)
                except OSError as exc:
                    raise self._explain(exc, partial=True) from exc
                ok = True
            finally:
                self._safe_disconnect(esc, abort=not ok)

    def status(self) -> PrinterStatus:
        with self._lock:
            esc = self._connect()
            try:
                result = self._probe(esc)
            finally:
                self._safe_disconnect(esc, abort=False)
            self._status_unanswered = result.online is None
            self._status_answered |= result.online is not None
            self.last_status = result
            return result

    def close(self) -> None:
        """Nothing stays open between jobs, so there is nothing to release."""

    def _check_before_send(self, esc: Any) -> None:
        result = self._probe(esc)
        self.last_status = result
        if result.online is None and self._status_answered and self._silence_is_offline:
            raise PrinterError(f"The printer is not answering {self.where}. Check that it "
                               "is switched on and its cable.", code="offline")
        self._status_answered |= result.online is not None
        if result.online is None:
            self._status_unanswered = True
            logger.info("%s does not answer status queries; printing without them", self.name)
            return
        if result.paper == "out":
            raise PrinterError(f"The printer {self.where} is out of paper. Load a new roll, "
                               "close the cover and print again.", code="paper_out")
        if result.online is False:
            cause = _offline_cause(self._query(esc, 2))
            raise PrinterError(f"The printer {self.where} reports it is offline: {cause}.",
                               code="offline")

    def _probe(self, esc: Any) -> PrinterStatus:
        online = self._query(esc, 1)
        if online is None:
            return UNKNOWN_STATUS
        return PrinterStatus(online=not (online & 0x08), paper=_paper(self._query(esc, 4)))

    def _query(self, esc: Any, n: int) -> int | None:
        try:
            self._write(esc, _DLE_EOT + bytes([n]))
            return _status_byte(self._read(esc, self._status_timeout))
        except OSError as exc:
            raise self._explain(exc, partial=False, asking=True) from exc

    def _explain(self, exc: OSError, *, partial: bool, asking: bool = False) -> PrinterError:
        """Map an OS-level failure to what the seller sees."""
        kind = type(exc).__name__
        maybe = " Part of the job may have printed." if partial else ""
        if isinstance(exc, TimeoutError) or exc.errno == errno.ETIMEDOUT or kind in (
                "SerialTimeoutException", "USBTimeoutError"):
            if asking:
                return PrinterError(f"The printer is not answering {self.where}. Check that "
                                    "it is switched on.", code="offline")
            return PrinterError(
                f"The printer {self.where} stopped taking the job (nothing moved for "
                f"{self.timeout:g} s).{maybe} Check the paper and the cover, then print "
                "again.", code="timeout")
        if exc.errno in (errno.ENODEV, errno.ENXIO, errno.ENOENT, errno.EIO):
            return PrinterError(f"The printer {self.where} was disconnected.{maybe} Check "
                                "the cable and the power.", code="unplugged")
        if exc.errno in (errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED,
                         errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH):
            return PrinterError(f"The printer {self.where} dropped the connection.{maybe} "
                                "Check that it is switched on.", code="offline")
        if exc.errno in (errno.EACCES, errno.EPERM):
            return PrinterError(f"No permission to use the printer {self.where}: "
                                f"{self._permission_hint()}.", code="printer")
        logger.warning("printing %s failed", self.where, exc_info=exc)
        return PrinterError(f"Printing {self.where} failed: {exc}.{maybe}", code="printer")

    def _permission_hint(self) -> str:
        return "see docs/printing.md"

    def _escpos_class(self, class_name: str, extra: str = "") -> Any:
        import_escpos()
        import escpos.printer

        cls = getattr(escpos.printer, class_name)
        if not cls.is_usable():
            library = {"usb": "USB printing needs pyusb", "serial": "Serial printing needs "
                       "pyserial"}[extra]
            raise PrinterError(f"{library}: pip install 'python-escpos[{extra}]'.",
                               code="printer")
        from escpos.capabilities import CAPABILITIES

        if self.profile not in CAPABILITIES["profiles"]:
            raise PrinterError(f"Unknown printer profile {self.profile!r} (for example "
                               "TM-T88V, TM-T20II; see docs/printing.md).",
                               code="bad_printer_spec")
        return cls

    def _connect(self) -> Any:
        raise NotImplementedError

    def _write(self, esc: Any, chunk: bytes) -> None:
        esc._raw(chunk)

    def _read(self, esc: Any, timeout: float) -> bytes:
        raise NotImplementedError

    def _drain(self, esc: Any) -> None:
        """Wait until the device took what the OS buffered (nothing to do by default)."""

    def _disconnect(self, esc: Any, *, abort: bool) -> None:
        esc.close()

    def _safe_disconnect(self, esc: Any, *, abort: bool) -> None:
        # A failure to close must not hide why the job failed.
        try:
            self._disconnect(esc, abort=abort)
        except OSError:
            logger.warning("closing %s failed", self.name, exc_info=True)

    def _wait_until_empty(self, pending: Callable[[], int]) -> None:
        """Poll `pending()` (bytes still queued) until 0; `timeout` error if it stops
        shrinking for the timeout."""
        last, deadline = -1, 0.0
        while (left := int(pending())) > 0:
            if left != last:
                last, deadline = left, time.monotonic() + self.timeout
            elif time.monotonic() > deadline:
                raise TimeoutError(errno.ETIMEDOUT, "the printer stopped taking data")
            time.sleep(0.01)


class NetworkPrinter(_EscposPrinter):
    """A printer on TCP (usually port 9100). `timeout` bounds connecting and each chunk."""

    def __init__(self, host: str, port: int = 9100, *, profile: str = "TM-T88V",
                 paper_mm: int = 80, timeout: float = 10.0) -> None:
        self.host, self.port = host, port
        shown = f"[{host}]" if ":" in host else host
        super().__init__(name=f"network printer {shown}:{port}", where=f"at {shown}:{port}",
                         profile=profile, paper_mm=paper_mm, timeout=timeout)

    def _connect(self) -> Any:
        esc = self._escpos_class("Network")(host=self.host, port=self.port,
                                            timeout=self.timeout, profile=self.profile)
        # Connect here rather than in escpos's open(): it leaks the socket when the
        # connection fails, hides why it failed, and speaks IPv4 only.
        try:
            esc.device = socket.create_connection((self.host, self.port), self.timeout)
        except socket.gaierror as exc:
            raise PrinterError(f"Cannot find the printer's address '{self.host}'. Check "
                               "the network and [printer] host.", code="offline") from exc
        except OSError as exc:
            raise PrinterError(f"The printer is not answering {self.where}. Check that it "
                               "is switched on and connected to the network.",
                               code="offline") from exc
        return esc

    def _read(self, esc: Any, timeout: float) -> bytes:
        sock = esc.device
        sock.settimeout(timeout)
        try:
            data: bytes = sock.recv(16)
        except TimeoutError:
            return b""
        finally:
            sock.settimeout(self.timeout)
        return data

    def _drain(self, esc: Any) -> None:
        # sendall returns once the kernel has the bytes; wait until the printer acked them.
        import fcntl
        import termios

        fileno = esc.device.fileno()

        def unacked() -> int:
            queued: int = struct.unpack("i", fcntl.ioctl(fileno, termios.TIOCOUTQ, b"\0" * 4))[0]
            return queued

        self._wait_until_empty(unacked)

    def _disconnect(self, esc: Any, *, abort: bool) -> None:
        if abort and esc._device:
            # Drop the rest of a failed job rather than let it print minutes later.
            esc._device.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        esc.close()


class UsbPrinter(_EscposPrinter):
    """A printer on USB, found by vendor and product id (needs python-escpos[usb])."""

    def __init__(self, vendor_id: int, product_id: int, *, profile: str = "TM-T88V",
                 paper_mm: int = 80, timeout: float = 10.0, in_ep: int = 0x82,
                 out_ep: int = 0x01) -> None:
        self.vendor_id, self.product_id = vendor_id, product_id
        self.in_ep, self.out_ep = in_ep, out_ep
        ids = f"{vendor_id:04x}:{product_id:04x}"
        super().__init__(name=f"USB printer {ids}", where=f"on USB {ids}", profile=profile,
                         paper_mm=paper_mm, timeout=timeout)

    def _connect(self) -> Any:
        from escpos.exceptions import DeviceNotFoundError

        esc = self._escpos_class("Usb", "usb")(
            idVendor=self.vendor_id, idProduct=self.product_id, in_ep=self.in_ep,
            out_ep=self.out_ep, timeout=int(self.timeout * 1000), profile=self.profile)
        try:
            esc.open()
        except DeviceNotFoundError as exc:
            raise PrinterError(f"The printer {self.where} is not connected. Check its USB "
                               "cable and that it is switched on.", code="unplugged") from exc
        except ValueError as exc:       # pyusb's NoBackendError: no libusb on the system
            raise PrinterError(f"USB printing needs libusb ({exc}): apt-get install "
                               "libusb-1.0-0.", code="printer") from exc
        return esc

    def _read(self, esc: Any, timeout: float) -> bytes:
        try:
            return bytes(esc.device.read(self.in_ep, 16, max(1, int(timeout * 1000))))
        except OSError as exc:
            if type(exc).__name__ == "USBTimeoutError" or exc.errno == errno.ETIMEDOUT:
                return b""
            raise

    def _permission_hint(self) -> str:
        return "add a udev rule for it (see docs/printing.md)"


class SerialPrinter(_EscposPrinter):
    """A printer on a serial port (needs python-escpos[serial])."""

    # pyserial ignores python-escpos's DTR/DSR request on Linux: writes succeed whether
    # or not a printer is listening, so only a status answer shows it is there.
    _silence_is_offline = True

    def __init__(self, device: str, baudrate: int = 115200, *, profile: str = "TM-T88V",
                 paper_mm: int = 80, timeout: float = 10.0) -> None:
        self.device, self.baudrate = device, baudrate
        super().__init__(name=f"serial printer {device}", where=f"on {device}",
                         profile=profile, paper_mm=paper_mm, timeout=timeout)

    def _connect(self) -> Any:
        from escpos.exceptions import DeviceNotFoundError

        cls = self._escpos_class("Serial", "serial")
        if self.device.startswith("/") and not os.path.exists(self.device):
            raise PrinterError(f"There is no serial port {self.device}. Check the printer's "
                               "cable (and its USB-serial adapter).", code="unplugged")
        esc = cls(devfile=self.device, baudrate=self.baudrate, timeout=self.timeout,
                  profile=self.profile)
        try:
            esc.open()
        except DeviceNotFoundError as exc:
            cause = exc.__context__
            if isinstance(cause, OSError) and cause.errno in (errno.EACCES, errno.EPERM):
                raise self._explain(cause, partial=False) from exc
            raise PrinterError(f"Cannot open the printer {self.where}: {cause}.",
                               code="unplugged") from exc
        # pyserial's write timeout covers a whole write (one chunk): allow for line speed.
        esc.device.write_timeout = self.timeout + CHUNK * 10 / self.baudrate
        return esc

    def _read(self, esc: Any, timeout: float) -> bytes:
        port = esc.device
        port.timeout = timeout
        try:
            data: bytes = port.read(1)      # read(16) would wait out the timeout
        finally:
            port.timeout = self.timeout
        return data

    def _drain(self, esc: Any) -> None:
        def unsent() -> int:
            waiting: int = esc.device.out_waiting
            return waiting

        self._wait_until_empty(unsent)

    def _disconnect(self, esc: Any, *, abort: bool) -> None:
        # escpos's close() flushes (tcdrain), which never returns if the printer stopped.
        port = esc._device
        if port:
            if abort:
                port.reset_output_buffer()
            port.close()
            esc._device = False

    def _permission_hint(self) -> str:
        return "add the user to the dialout group (see docs/printing.md)"
