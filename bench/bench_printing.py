"""Ticket printing: build time and bytes per ticket, native vs raster QR code, 80 mm and
58 mm paper, and the preview renderer's time, in one interleaved run.

    python bench/bench_printing.py [--rounds 200]

A ticket is a real one: a 122-character Ed25519 code (QR version 5, error correction M),
venue, event, seat, prices, two house lines. "Build" is `hardware.tickets.ticket_job` (a
python-escpos Dummy printer, no device); "render" is `hardware.escpos_render.render`, the
picture the preview backend saves; "decode" checks that zxing-cpp reads the code back
from that picture. "Serial" is the time the bytes take on a serial line at 115,200 and
9,600 baud (10 bits a byte). Variants run interleaved, so their ratios hold up under noise.
Prints a Markdown table; the figures go in bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

VARIANTS = [   # label, profile, paper_mm, native_qr
    ("80 mm native", "TM-T88V", 80, True),
    ("80 mm raster", "TM-T88V", 80, False),
    ("58 mm native", "TM-T88V", 58, True),
    ("58 mm raster", "TM-T88V", 58, False),
    ("58 mm POS-5890 (no native QR)", "POS-5890", 58, None),
]


def sample_ticket():  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from core.gate.codes import Signer
    from hardware.tickets import TicketPrint

    code = Signer(1, Ed25519PrivateKey.generate()).sign(123456, 42, 1, 0)
    return TicketPrint(
        venue="Grand Hall", event="The Nutcracker", when="Sat 21 Nov 2026, 7:30 PM",
        section="ORCH", row="A", seat="101", price_type="ADULT", base_cents=12500,
        fee_cents=300, tax_cents=1024, total_cents=13824, currency="USD",
        order_number="100001", serial="T00123456", code=code,
        house_lines=("No refunds or exchanges.", "Latecomers seated at a suitable break."))


def import_seconds() -> float:
    """A fresh interpreter's first ticket, minus a bare interpreter's start: mostly the
    python-escpos import (done once per process, when the first job is built)."""
    probe = ("import time; t = time.perf_counter(); import bench.bench_printing as b; "
             "from hardware.tickets import ticket_job; ticket_job(b.sample_ticket()); "
             "print(time.perf_counter() - t)")
    root = Path(__file__).resolve().parents[1]
    runs = [float(subprocess.run([sys.executable, "-c", probe], cwd=root, check=True,
                                 capture_output=True, text=True).stdout) for _ in range(3)]
    return statistics.median(runs)


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    import zxingcpp

    from hardware.escpos_render import render
    from hardware.tickets import paper_geometry, ticket_job

    ticket = sample_ticket()
    first_ticket = import_seconds()
    geometry = {(p, mm): paper_geometry(p, mm) for _, p, mm, _ in VARIANTS}
    jobs = {label: ticket_job(ticket, profile=p, paper_mm=mm, native_qr=native)
            for label, p, mm, native in VARIANTS}
    build: dict[str, list[float]] = {label: [] for label, *_ in VARIANTS}
    draw: dict[str, list[float]] = {label: [] for label, *_ in VARIANTS}
    render_rounds = max(1, args.rounds // 10)
    for round_number in range(args.rounds):
        for label, profile, paper_mm, native in VARIANTS:    # interleaved
            build[label].append(timed(lambda p=profile, mm=paper_mm, n=native: ticket_job(
                ticket, profile=p, paper_mm=mm, native_qr=n)))
            if round_number < render_rounds:
                dots = geometry[(profile, paper_mm)].dots
                draw[label].append(timed(lambda j=jobs[label], mm=paper_mm, d=dots: render(
                    j, paper_mm=mm, dots=d)))

    print(f"Ticket jobs, median of {args.rounds} builds and {render_rounds} renders "
          f"(Python {sys.version.split()[0]}).\n")
    print("| variant | bytes | build ms | render ms | serial 115,200 / 9,600 baud "
          "| preview decodes |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    for label, profile, paper_mm, _ in VARIANTS:
        job = jobs[label]
        picture = render(job, paper_mm=paper_mm, dots=geometry[(profile, paper_mm)].dots)
        found = [r.text for r in zxingcpp.read_barcodes(
            picture, formats=zxingcpp.BarcodeFormat.QRCode)]
        print(f"| {label} | {len(job):,} | {statistics.median(build[label]) * 1000:.2f} | "
              f"{statistics.median(draw[label]) * 1000:.1f} | "
              f"{len(job) * 10 / 115200:.2f} s / {len(job) * 10 / 9600:.2f} s | "
              f"{'yes' if found == [ticket.code] else 'NO'} |")
    print(f"\nFirst ticket in a fresh process (python-escpos import included): "
          f"{first_ticket * 1000:.0f} ms, median of 3.")


if __name__ == "__main__":
    main()
