"""Printers: specs, where the bytes go, what a seller sees when a printer fails.

No real device: files under tmp, a TCP "printer" on 127.0.0.1, and fakes standing in for
an opened USB or serial port.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pytest

from core.config import PrinterConfig
from hardware.escpos_printers import NetworkPrinter, SerialPrinter, UsbPrinter
from hardware.file_printers import FilePrinter, PreviewPrinter
from hardware.printer_spec import PrinterError, PrinterStatus, parse_printer_spec
from hardware.printers import open_printer
from tests.support.constants import REPO

JOB = b"\x1b@" + b"ROW F SEAT 12  ADULT  $45.00\n" * 400 + b"\x1dV\x00"   # no DLE EOT inside
ONLINE, PAPER_OK, PAPER_NEAR_END, PAPER_OUT = 0x12, 0x12, 0x1E, 0x7E
OFFLINE, COVER_OPEN = 0x1A, 0x16
ASK_ONLINE, ASK_CAUSE, ASK_PAPER = b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x04"


@pytest.fixture(autouse=True)
def _private_escpos_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The first test to import python-escpos caches its capabilities here, not in ~/.cache.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


# --- specs ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("spec", "expected"), [
    ("preview:demo-prints", {"backend": "preview", "path": "demo-prints"}),
    ("preview", {"backend": "preview", "path": "prints"}),
    ("file:/dev/usb/lp0", {"backend": "file", "path": "/dev/usb/lp0"}),
    ("usb:04b8:0202", {"backend": "usb", "vendor_id": 0x04B8, "product_id": 0x0202}),
    ("USB:0x0416:0x5011", {"backend": "usb", "vendor_id": 0x0416, "product_id": 0x5011}),
    ("network:192.168.1.50", {"backend": "network", "host": "192.168.1.50", "port": 9100}),
    ("network:printer.local:9101", {"backend": "network", "host": "printer.local",
                                    "port": 9101}),
    ("network:[fe80::1]:9100", {"backend": "network", "host": "fe80::1", "port": 9100}),
    ("serial:/dev/ttyUSB0", {"backend": "serial", "device": "/dev/ttyUSB0",
                             "baudrate": 115200}),
    ("serial:/dev/ttyS1:9600", {"backend": "serial", "device": "/dev/ttyS1", "baudrate": 9600}),
])
def test_a_printer_spec_becomes_printer_settings(spec: str, expected: dict[str, object]) -> None:
    base = PrinterConfig(profile="TM-T20II", paper_mm=58, timeout_seconds=3)
    settings = parse_printer_spec(spec, base)
    for key, value in expected.items():
        assert getattr(settings, key) == value, key
    assert (settings.profile, settings.paper_mm, settings.timeout_seconds) == ("TM-T20II", 58, 3)


@pytest.mark.parametrize("spec", [
    "", "lp0", "/dev/usb/lp0", "file:", "usb:", "usb:04b8", "usb:zzzz:0202", "usb:0000:0202",
    "network:", "network:host:port", "network:host:70000", "serial:", "serial::9600",
    "serial:/dev/ttyUSB0:12345",
])
def test_a_bad_spec_names_the_forms_it_expected(spec: str) -> None:
    with pytest.raises(PrinterError) as caught:
        parse_printer_spec(spec)
    assert caught.value.code == "bad_printer_spec"
    assert "usb:VID:PID" in caught.value.message and "network:HOST[:PORT]" in caught.value.message


def test_open_printer_builds_the_configured_backend_and_a_spec_overrides_it(
        tmp_path: Path) -> None:
    config = PrinterConfig(backend="network", host="192.168.1.50", timeout_seconds=4)
    printer = open_printer(config)
    assert isinstance(printer, NetworkPrinter)
    assert (printer.host, printer.port, printer.timeout) == ("192.168.1.50", 9100, 4.0)
    assert isinstance(open_printer(config, f"preview:{tmp_path}"), PreviewPrinter)
    assert isinstance(open_printer(config, "file:/dev/usb/lp0"), FilePrinter)
    assert isinstance(open_printer(config, "usb:04b8:0202"), UsbPrinter)
    assert isinstance(open_printer(config, "serial:/dev/ttyUSB0"), SerialPrinter)


@pytest.mark.parametrize(("config", "needs"), [
    (PrinterConfig(backend="network"), "host"),
    (PrinterConfig(backend="usb"), "vendor_id and product_id"),
    (PrinterConfig(backend="carrier-pigeon"), "Unknown printer backend"),
])
def test_open_printer_refuses_settings_it_cannot_use(config: PrinterConfig, needs: str) -> None:
    with pytest.raises(PrinterError, match=needs) as caught:
        open_printer(config)
    assert caught.value.code == "bad_printer_spec"


# --- file and device node --------------------------------------------------------------------

def test_the_file_backend_appends_each_job(tmp_path: Path) -> None:
    target = tmp_path / "tickets.bin"
    printer = open_printer(PrinterConfig(backend="file", path=str(target)))
    printer.send(JOB)
    printer.send(b"second")
    assert target.read_bytes() == JOB + b"second"
    printer.close()


@pytest.mark.parametrize("where", ["/dev/usb/lp9", "{tmp}/no-such-dir/lp0"])
def test_a_missing_device_node_is_unplugged_and_nothing_is_created(
        tmp_path: Path, where: str) -> None:
    path = Path(where.format(tmp=tmp_path))
    if path.exists():
        pytest.skip(f"{path} exists on this machine")
    printer = FilePrinter(path, timeout=1)
    with pytest.raises(PrinterError) as caught:
        printer.send(JOB)
    assert caught.value.code == "unplugged"
    assert str(path) in caught.value.message and "cable" in caught.value.message
    assert not path.exists()
    with pytest.raises(PrinterError, match="There is no printer"):
        printer.status()


# --- preview -------------------------------------------------------------------------------

def test_the_preview_writes_numbered_jobs_and_a_picture_when_it_can(tmp_path: Path) -> None:
    printer = PreviewPrinter(tmp_path / "prints")
    printer.send(JOB, label="order 100001/ticket 2")
    printer.send(b"\x1b@receipt\n", label="receipt")
    first = tmp_path / "prints" / "0001-order-100001-ticket-2.bin"
    assert first.read_bytes() == JOB
    assert printer.last_files[0] == tmp_path / "prints" / "0002-receipt.bin"
    assert printer.status() == PrinterStatus(online=True, paper="ok")
    if importlib.util.find_spec("hardware.escpos_render") is None:
        pytest.skip("hardware.escpos_render is not there yet: only the .bin was checked")
    assert printer.last_files[1].suffix == ".png"
    assert printer.last_files[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_preview_writes_only_the_job_without_a_renderer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "hardware.escpos_render", None)
    printer = PreviewPrinter(tmp_path)
    printer.send(JOB)
    assert printer.last_files == (tmp_path / "0001-job.bin",)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0001-job.bin"]


# --- network -------------------------------------------------------------------------------

class FakeNetworkPrinter:
    """A TCP printer on 127.0.0.1: takes `connections` jobs, answering DLE EOT n queries
    from `answers`; with reads=False it accepts and then never reads."""

    def __init__(self, answers: dict[int, int] | None = None, *, reads: bool = True,
                 connections: int = 1) -> None:
        self.answers = answers or {}
        self.reads = reads
        self.connections = connections
        self.received: list[bytes] = []
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if not reads:   # a small window, so the client's buffers fill quickly
            self._server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(1)
        self._server.settimeout(0.05)
        self.port: int = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> FakeNetworkPrinter:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(5)
        self._server.close()
        assert not self._thread.is_alive()

    def _serve(self) -> None:
        for _ in range(self.connections):
            while True:     # a connection already waiting is taken even after stop
                try:
                    conn, _ = self._server.accept()
                    break
                except TimeoutError:
                    if self._stop.is_set():
                        return
            with conn:
                if not self.reads:
                    self._stop.wait(5)
                    return
                conn.settimeout(5)
                data = bytearray()
                try:
                    while chunk := conn.recv(65536):
                        data += chunk
                        if chunk[-3:-1] == b"\x10\x04" and chunk[-1] in self.answers:
                            conn.sendall(bytes([self.answers[chunk[-1]]]))
                except OSError:
                    pass    # the client reset the connection: keep what arrived
                self.received.append(bytes(data))


def test_a_network_job_arrives_intact_after_the_status_check() -> None:
    with FakeNetworkPrinter({1: ONLINE, 4: PAPER_NEAR_END}) as fake:
        printer = NetworkPrinter("127.0.0.1", fake.port, timeout=5)
        printer.send(JOB)
        printer.close()
    assert fake.received == [ASK_ONLINE + ASK_PAPER + JOB]
    assert printer.last_status == PrinterStatus(online=True, paper="near_end")


def test_a_network_printer_out_of_paper_gets_no_part_of_the_job() -> None:
    with FakeNetworkPrinter({1: OFFLINE, 4: PAPER_OUT}) as fake:
        printer = NetworkPrinter("127.0.0.1", fake.port, timeout=5)
        with pytest.raises(PrinterError) as caught:
            printer.send(JOB)
    assert caught.value.code == "paper_out"
    assert "out of paper" in caught.value.message
    assert fake.received == [ASK_ONLINE + ASK_PAPER]


def test_a_network_printer_with_its_cover_open_is_offline() -> None:
    with (FakeNetworkPrinter({1: OFFLINE, 4: PAPER_OK, 2: COVER_OPEN}) as fake,
          pytest.raises(PrinterError) as caught):
        NetworkPrinter("127.0.0.1", fake.port, timeout=5).send(JOB)
    assert caught.value.code == "offline"
    assert "cover is open" in caught.value.message
    assert fake.received == [ASK_ONLINE + ASK_PAPER + ASK_CAUSE]


def test_status_reports_what_the_printer_answers() -> None:
    with FakeNetworkPrinter({1: ONLINE, 4: PAPER_OK}) as fake:
        status = NetworkPrinter("127.0.0.1", fake.port, timeout=5).status()
    assert status == PrinterStatus(online=True, paper="ok")


@pytest.mark.parametrize("answers", [{}, {1: 0xFF, 4: 0xFF}], ids=["silent", "garbage"])
def test_a_printer_without_status_prints_and_is_not_asked_again(
        answers: dict[int, int]) -> None:
    with FakeNetworkPrinter(answers, connections=2) as fake:
        printer = NetworkPrinter("127.0.0.1", fake.port, timeout=0.2)
        printer.send(JOB)
        printer.send(b"second")
    assert fake.received == [ASK_ONLINE + JOB, b"second"]
    assert printer.last_status == PrinterStatus(online=None, paper="unknown")


def test_a_refused_connection_is_offline_and_says_where() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        with pytest.raises(PrinterError) as caught:
            NetworkPrinter("127.0.0.1", port, timeout=2).send(JOB)
    assert caught.value.code == "offline"
    assert f"not answering at 127.0.0.1:{port}" in caught.value.message


def test_a_printer_that_stops_reading_times_out_quickly() -> None:
    started = time.monotonic()
    with FakeNetworkPrinter(reads=False) as fake:
        printer = NetworkPrinter("127.0.0.1", fake.port, timeout=0.3)
        with pytest.raises(PrinterError) as caught:
            printer.send(JOB * 200)     # about 2.3 MB, far more than the window
    assert caught.value.code == "timeout"
    assert "nothing moved for 0.3 s" in caught.value.message
    assert time.monotonic() - started < 4


# --- USB and serial, with a fake for the opened port ------------------------------------------

class FakePort:
    """An opened escpos Usb/Serial object and its device in one: records writes and
    answers DLE EOT queries from `answers`."""

    def __init__(self, answers: dict[int, int]) -> None:
        self.answers = answers
        self.written = bytearray()
        self.closed = False
        self.device = self._device = self
        self.timeout = 1.0
        self.write_timeout: float | None = None
        self.out_waiting = 0
        self._reply = b""

    def _raw(self, data: bytes) -> None:
        self.written += data
        if data[:2] == b"\x10\x04":
            self._reply = bytes([self.answers[data[2]]]) if data[2] in self.answers else b""

    def read(self, *args: object) -> bytes:
        reply, self._reply = self._reply, b""
        return reply

    def reset_output_buffer(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


@pytest.fixture(params=["usb", "serial"])
def port_printer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
                 ) -> Iterator[tuple[UsbPrinter | SerialPrinter, dict[int, int], FakePort]]:
    answers: dict[int, int] = {}
    port = FakePort(answers)
    printer: UsbPrinter | SerialPrinter
    if request.param == "usb":
        printer = UsbPrinter(0x04B8, 0x0202, timeout=1)
    else:
        printer = SerialPrinter("/dev/ttyUSB0", 9600, timeout=1)
    monkeypatch.setattr(type(printer), "_connect", lambda self: port)
    yield printer, answers, port


def test_a_usb_or_serial_printer_out_of_paper_gets_no_part_of_the_job(
        port_printer: tuple[UsbPrinter | SerialPrinter, dict[int, int], FakePort]) -> None:
    printer, answers, port = port_printer
    answers.update({1: OFFLINE, 4: PAPER_OUT})
    with pytest.raises(PrinterError) as caught:
        printer.send(JOB)
    assert caught.value.code == "paper_out"
    assert bytes(port.written) == ASK_ONLINE + ASK_PAPER
    assert port.closed


def test_a_usb_or_serial_printer_with_paper_gets_the_whole_job(
        port_printer: tuple[UsbPrinter | SerialPrinter, dict[int, int], FakePort]) -> None:
    printer, answers, port = port_printer
    answers.update({1: ONLINE, 4: PAPER_OK})
    printer.send(JOB)
    assert bytes(port.written) == ASK_ONLINE + ASK_PAPER + JOB
    assert port.closed


def test_a_serial_printer_that_answered_before_and_falls_silent_is_offline(
        monkeypatch: pytest.MonkeyPatch) -> None:
    answers = {1: ONLINE, 4: PAPER_OK}
    port = FakePort(answers)
    monkeypatch.setattr(SerialPrinter, "_connect", lambda self: port)
    printer = SerialPrinter("/dev/ttyUSB0", 9600, timeout=1)
    printer.send(b"first")
    answers.clear()                         # switched off: writes still "succeed"
    port.written.clear()
    with pytest.raises(PrinterError) as caught:
        printer.send(JOB)
    assert caught.value.code == "offline"
    assert "not answering on /dev/ttyUSB0" in caught.value.message
    assert bytes(port.written) == ASK_ONLINE


def test_a_missing_usb_or_serial_printer_says_what_to_check() -> None:
    """The extras are installed with the project; no device is attached here."""
    with pytest.raises(PrinterError) as serial:
        open_printer(PrinterConfig(timeout_seconds=1), "serial:/dev/ttyUSB7").send(JOB)
    assert serial.value.code == "unplugged" and "/dev/ttyUSB7" in serial.value.message
    with pytest.raises(PrinterError) as usb:
        open_printer(PrinterConfig(timeout_seconds=1), "usb:04b8:0202").send(JOB)
    # without the system's libusb: what to install; with it: no such printer plugged in
    assert usb.value.code in ("printer", "unplugged")
    assert "libusb" in usb.value.message or "04b8" in usb.value.message.lower()


# --- import hygiene ----------------------------------------------------------------------------

def test_importing_printers_and_escpos_leaves_no_temp_dir_and_no_log_handler(
        tmp_path: Path) -> None:
    temp, cache = tmp_path / "tmp", tmp_path / "cache"
    temp.mkdir()
    probe = (
        "import logging, sys\n"
        "import hardware.escpos_printers as printers\n"
        "assert not any(m.split('.')[0] == 'escpos' for m in sys.modules), 'escpos loaded'\n"
        "assert logging.getLogger().handlers == []\n"
        "printers.import_escpos()\n"
        "assert 'escpos.printer' in sys.modules\n"
        "assert logging.getLogger().handlers == [], logging.getLogger().handlers\n"
    )
    env = {**os.environ, "TMPDIR": str(temp), "XDG_CACHE_HOME": str(cache)}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=REPO, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert list(temp.iterdir()) == []
    assert list((cache / "boxoffice" / "escpos").glob("*.capabilities.pickle"))
