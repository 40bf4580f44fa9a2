"""Opening the printer a spec or `[printer]` names. The printers themselves are in
hardware.escpos_printers (USB, network, serial) and hardware.file_printers (file, preview);
what a printer is, its errors and the spec format in hardware.printer_spec.

ESC/POS printers: where a finished job's bytes go, and what the printer says about itself.

A job is the bytes `hardware.tickets` builds; a `Printer` only delivers them. Backends:
network (TCP, port 9100), USB (vendor/product id), serial, a file or device node
(/dev/usb/lp0), and a preview directory for demos and tests. `open_printer` picks one
from `[printer]` in config.toml or a `--printer` spec (`parse_printer_spec`).

Every failure is a `PrinterError` whose `code` says what the seller can do about it:
`unplugged`, `offline`, `paper_out`, `timeout`, `bad_printer_spec`, or `printer`.
Nothing waits for a printer longer than the configured timeout without progress.

python-escpos is imported only when a job is sent (see `import_escpos`), so importing this
module is cheap and has no side effects.
"""

from __future__ import annotations

from typing import Any

from core.config import PrinterConfig
from hardware.escpos_printers import NetworkPrinter, SerialPrinter, UsbPrinter
from hardware.file_printers import FilePrinter, PreviewPrinter
from hardware.printer_spec import SPEC_FORMS, Printer, PrinterError, parse_printer_spec


def printer_settings(config: PrinterConfig, spec: str | None = None) -> PrinterConfig:
    """The settings `spec` (or `config` alone) gives, checked complete, touching no device.
    Callers that take money before printing call this first, so a mistyped printer is
    refused before the sale. Raises PrinterError `bad_printer_spec`."""
    settings = parse_printer_spec(spec, config) if spec else config
    missing = {"file": not settings.path, "usb": not (settings.vendor_id and settings.product_id),
               "network": not settings.host, "serial": not settings.device}
    if missing.get(settings.backend):
        needs = {"file": "path", "usb": "vendor_id and product_id (see lsusb)",
                 "network": "host", "serial": "device"}[settings.backend]
        raise PrinterError(f"The {settings.backend} printer needs [printer] {needs}.",
                           code="bad_printer_spec")
    if settings.backend not in ("preview", "file", "network", "usb", "serial"):
        raise PrinterError(f"Unknown printer backend {settings.backend!r}. Expected one of: "
                           f"{SPEC_FORMS}.", code="bad_printer_spec")
    return settings


def open_printer(config: PrinterConfig, spec: str | None = None) -> Printer:
    """The printer the settings describe (`spec`, when given, overrides `config`). Touches
    no device: a switched-off printer fails at `send`, not here. Raises `bad_printer_spec`."""
    settings = printer_settings(config, spec)
    timeout = float(settings.timeout_seconds)
    common: dict[str, Any] = {"profile": settings.profile, "paper_mm": settings.paper_mm}
    if settings.backend == "preview":
        return PreviewPrinter(settings.path, **common)
    if settings.backend == "file":
        return FilePrinter(settings.path, timeout=timeout, **common)
    if settings.backend == "network":
        return NetworkPrinter(settings.host, settings.port, timeout=timeout, **common)
    if settings.backend == "usb":
        return UsbPrinter(settings.vendor_id, settings.product_id, timeout=timeout, **common)
    if settings.backend == "serial":
        return SerialPrinter(settings.device, settings.baudrate, timeout=timeout, **common)
    raise PrinterError(f"Unknown printer backend {settings.backend!r}. Expected one of: "
                       f"{SPEC_FORMS}.", code="bad_printer_spec")


# --- the status bytes (DLE EOT n) ----------------------------------------------------------


# --- backends over python-escpos -----------------------------------------------------------


# --- file and device node ------------------------------------------------------------------


# --- preview -------------------------------------------------------------------------------

