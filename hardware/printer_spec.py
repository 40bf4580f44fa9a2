"""What a printer is to the rest of the product: the Printer protocol, its status and errors,
and the printer spec a person types (preview:DIR, file:PATH, usb:VID:PID, network:HOST,
serial:DEVICE) read into a PrinterConfig."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from core.config import PrinterConfig
from core.errors import BoxOfficeError

PRINTER_ERROR_CODES = ("unplugged", "offline", "paper_out", "timeout", "bad_printer_spec",
                       "printer")


SPEC_FORMS = ("preview:DIR, file:PATH, usb:VID:PID (hex, e.g. usb:04b8:0202), "
              "network:HOST[:PORT], serial:DEVICE[:BAUD]")


SERIAL_BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)


CHUNK = 4096               # each chunk must move within the timeout ("no progress" semantics)
STATUS_TIMEOUT_CAP = 2.0   # seconds: a printer that speaks DLE EOT answers in milliseconds


Paper = Literal["ok", "near_end", "out", "unknown"]


class PrinterError(BoxOfficeError):
    """A job did not reach the printer, or the printer cannot take it; `code` is one of
    PRINTER_ERROR_CODES and the message says what to check."""

    code = "printer"


@dataclass(frozen=True)
class PrinterStatus:
    online: bool | None      # None: the printer does not report it
    paper: Paper


UNKNOWN_STATUS = PrinterStatus(online=None, paper="unknown")


class Printer(Protocol):
    name: str
    profile: str
    paper_mm: int

    def send(self, job: bytes) -> None:
        """Deliver the whole job; returns once the device or OS took every byte.
        Raises PrinterError."""
        ...

    def status(self) -> PrinterStatus:
        """Ask the printer (bounded by the timeout). Raises PrinterError if unreachable."""
        ...

    def close(self) -> None:
        """Release the device. Idempotent; a later send opens it again."""
        ...


def parse_printer_spec(spec: str, base: PrinterConfig | None = None) -> PrinterConfig:
    """`preview:DIR`, `file:PATH`, `usb:VID:PID`, `network:HOST[:PORT]`, `serial:DEVICE[:BAUD]`
    as printer settings; profile, paper and timeout come from `base`. Raises PrinterError
    `bad_printer_spec` naming the expected forms."""
    base = base or PrinterConfig()
    backend, _, rest = spec.strip().partition(":")
    backend = backend.lower()

    def bad(why: str) -> PrinterError:
        return PrinterError(f"Printer '{spec}': {why}. Expected one of: {SPEC_FORMS}.",
                            code="bad_printer_spec")

    if backend == "preview":
        return replace(base, backend="preview", path=rest or "prints")
    if backend == "file":
        if not rest:
            raise bad("no path given")
        return replace(base, backend="file", path=rest)
    if backend == "usb":
        match = re.fullmatch(r"(?:0x)?([0-9a-fA-F]{1,4}):(?:0x)?([0-9a-fA-F]{1,4})", rest)
        if not match or 0 in (int(match[1], 16), int(match[2], 16)):
            raise bad("a USB printer is usb:VID:PID in hex, as lsusb shows it")
        return replace(base, backend="usb", vendor_id=int(match[1], 16),
                       product_id=int(match[2], 16))
    if backend == "network":
        match = re.fullmatch(r"(\[[0-9a-fA-F:.]+\]|[^:\[\]\s]+)(?::(\d{1,5}))?", rest)
        port = int(match[2]) if match and match[2] else 9100
        if not match or not 0 < port < 65536:
            raise bad("a network printer is network:HOST or network:HOST:PORT")
        return replace(base, backend="network", host=match[1].strip("[]"), port=port)
    if backend == "serial":
        device, baud = rest, base.baudrate
        head, sep, tail = rest.rpartition(":")
        if sep and tail.isdigit():
            device, baud = head, int(tail)
        if not device:
            raise bad("no serial device given")
        if baud not in SERIAL_BAUDS:
            raise bad(f"{baud} is not a serial speed ({', '.join(map(str, SERIAL_BAUDS))})")
        return replace(base, backend="serial", device=device, baudrate=baud)
    raise bad("unknown kind of printer" if rest or backend else "empty")
