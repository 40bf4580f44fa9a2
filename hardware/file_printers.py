"""Printers that write files: the raw ESC/POS bytes of every job (file:PATH), and a preview
that also renders each job to a PNG beside them (preview:DIR) for tests and demos."""

from __future__ import annotations

import errno
import logging
import os
import re
import select
import stat
import time
from pathlib import Path

from hardware.printer_spec import CHUNK, UNKNOWN_STATUS, PrinterError, PrinterStatus

logger = logging.getLogger(__name__)


class FilePrinter:
    """A file (appended to) or a device node such as /dev/usb/lp0 (written without
    blocking, so a stalled printer is a `timeout`, never a hang). No status: the kernel's
    printer drivers do not pass ESC/POS answers back reliably."""

    def __init__(self, path: str | Path, *, profile: str = "TM-T88V", paper_mm: int = 80,
                 timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.name = f"printer at {self.path}"
        self.profile = profile
        self.paper_mm = paper_mm
        self.timeout = timeout

    def send(self, job: bytes) -> None:
        """Append the job (a file) or write it (a device). Raises PrinterError `unplugged`
        (no such device or directory), `timeout`, `paper_out`, `offline` or `printer`."""
        fd, device = self._open()
        sent = 0
        try:
            view = memoryview(job)
            deadline = time.monotonic() + self.timeout
            while sent < len(job):
                try:
                    written = os.write(fd, view[sent:sent + CHUNK])
                except BlockingIOError:
                    written = 0
                if written:
                    sent += written
                    deadline = time.monotonic() + self.timeout
                elif time.monotonic() > deadline:
                    raise PrinterError(
                        f"The printer at {self.path} stopped taking the job (nothing moved "
                        f"for {self.timeout:g} s).{self._maybe(sent)} Check the paper and "
                        "the cover, then print again.", code="timeout")
                else:
                    select.select([], [fd], [], 0.05)
        except OSError as exc:
            raise self._explain(exc, device, sent) from exc
        finally:
            os.close(fd)

    def status(self) -> PrinterStatus:
        """Unknown, or PrinterError `unplugged` when the device node is missing."""
        if self._missing_device():
            raise self._missing()
        return UNKNOWN_STATUS

    def close(self) -> None:
        """Each job opens and closes the file itself."""

    def _open(self) -> tuple[int, bool]:
        try:
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            mode = None
        except OSError as exc:
            raise self._explain(exc, True, 0) from exc
        if mode is not None and stat.S_ISDIR(mode):
            raise PrinterError(f"{self.path} is a directory; a file printer needs a file or "
                               "a device such as /dev/usb/lp0.", code="bad_printer_spec")
        device = mode is not None and not stat.S_ISREG(mode)
        if mode is None and self._missing_device():
            raise self._missing()       # never create a plain file where a device belongs
        flags = os.O_WRONLY | os.O_CLOEXEC
        flags |= os.O_NONBLOCK if device else os.O_APPEND | os.O_CREAT
        try:
            return os.open(self.path, flags, 0o644), device
        except OSError as exc:
            raise self._explain(exc, device, 0) from exc

    def _missing_device(self) -> bool:
        """No such device node (under /dev), or no directory to create the file in."""
        if self.path.exists():
            return False
        return self.path.parts[:2] == ("/", "dev") or not self.path.parent.is_dir()

    def _missing(self) -> PrinterError:
        return PrinterError(f"There is no printer at {self.path}. Check its USB cable and "
                            "that it is switched on.", code="unplugged")

    @staticmethod
    def _maybe(sent: int) -> str:
        return " Part of the job may have printed." if sent else ""

    def _explain(self, exc: OSError, device: bool, sent: int) -> PrinterError:
        if exc.errno in (errno.ENODEV, errno.ENXIO, errno.ENOENT):
            return self._missing()
        if exc.errno in (errno.EACCES, errno.EPERM):
            return PrinterError(f"No permission to write to {self.path}: add the user to the "
                                "lp group (see docs/printing.md).", code="printer")
        if device and exc.errno == errno.ENOSPC:
            return PrinterError(f"The printer at {self.path} is out of paper.{self._maybe(sent)}"
                                " Load a new roll and print again.", code="paper_out")
        if device and exc.errno == errno.EIO:
            return PrinterError(f"The printer at {self.path} is offline.{self._maybe(sent)} "
                                "Check the cover, the paper and the power.", code="offline")
        logger.warning("writing to %s failed", self.path, exc_info=exc)
        return PrinterError(f"Cannot write to {self.path}: {exc.strerror or exc}."
                            f"{self._maybe(sent)}", code="printer")


class PreviewPrinter:
    """Writes each job to DIR as NNNN-<label>.bin and, when `hardware.escpos_render` is
    available, NNNN-<label>.png (the paper as the printer would print it). For demos and
    tests; `last_files` holds the paths the last job wrote."""

    def __init__(self, directory: str | Path, *, profile: str = "TM-T88V",
                 paper_mm: int = 80) -> None:
        self.directory = Path(directory)
        self.name = f"preview in {self.directory}"
        self.profile = profile
        self.paper_mm = paper_mm
        self.last_files: tuple[Path, ...] = ()

    def send(self, job: bytes, *, label: str = "job") -> None:
        """Write the job (never overwriting an earlier one). Raises PrinterError `printer`
        if the directory cannot be written."""
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-.") or "job"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            number = self._next_number()
            while True:
                stem = self.directory / f"{number:04d}-{safe}"
                try:
                    with open(stem.with_suffix(".bin"), "xb") as out:
                        out.write(job)
                    break
                except FileExistsError:     # another window took this number
                    number += 1
        except OSError as exc:
            raise PrinterError(f"Cannot write the preview to {self.directory}: "
                               f"{exc.strerror or exc}.", code="printer") from exc
        files = [stem.with_suffix(".bin")]
        picture = self._render(job, stem.with_suffix(".png"))
        if picture is not None:
            files.append(picture)
        self.last_files = tuple(files)

    def status(self) -> PrinterStatus:
        return PrinterStatus(online=True, paper="ok")

    def close(self) -> None:
        """Nothing is held open."""

    def _next_number(self) -> int:
        numbers = [int(p.name[:4]) for p in self.directory.iterdir()
                   if re.match(r"\d{4}-", p.name)]
        return max(numbers, default=0) + 1

    def _render(self, job: bytes, path: Path) -> Path | None:
        try:
            from hardware.escpos_render import render
        except ModuleNotFoundError as exc:
            if exc.name != "hardware.escpos_render":
                raise
            return None
        try:
            render(job, paper_mm=self.paper_mm).save(path)
        except Exception:
            # The .bin is the job; a picture that cannot be drawn is a bug to report,
            # not a failed sale.
            logger.exception("could not draw the preview picture %s", path)
            return None
        return path
