"""`boxoffice print-test` and `boxoffice drawer open`: the printer and its cash drawer,
without a sale."""

from __future__ import annotations

import sys

import click

from core import clock
from core.gate import codes
from tui.cli.context import cli_context, open_db, override_of, reported, sign_in


@click.command("print-test")
@click.option("--printer", "printer_spec", help="preview:DIR, file:PATH, usb:VID:PID, "
              "network:HOST[:PORT] or serial:DEVICE[:BAUD] (default: the config's).")
def print_test(printer_spec: str | None) -> None:
    """Print a sample ticket (with a scannable QR code) and a sample receipt."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from hardware.file_printers import PreviewPrinter
    from hardware.printer_spec import PrinterError
    from hardware.printers import open_printer
    from hardware.tickets import (
        ReceiptLine,
        ReceiptPrint,
        TenderLine,
        TicketPrint,
        receipt_job,
        ticket_job,
    )

    config = cli_context().config
    # a throwaway key: the sample's code scans, but no real gate will accept it
    code = codes.Signer(255, Ed25519PrivateKey.generate()).sign(1, 1, 1)
    ticket = TicketPrint(
        venue="Aldridge Hall", event="Printer test", when="Sat 21 Nov 2026, 7:30 PM",
        section="ORCH", row="A", seat="101", price_type="ADULT", base_cents=12500,
        fee_cents=300, tax_cents=1024, total_cents=13824, currency=config.venue.currency,
        order_number="TEST", serial="T00000000", code=code,
        house_lines=config.tickets.house_lines, training=cli_context().training)
    receipt = ReceiptPrint(
        venue="Aldridge Hall", order_number="TEST", seller="print-test",
        when="Sat 21 Nov 2026, 7:30 PM", currency=config.venue.currency,
        lines=(ReceiptLine("ORCH A-101", "ADULT", 13824),), fees_cents=300,
        taxes_cents=1024, total_cents=13824,
        tenders=(TenderLine("cash", 13824, tendered_cents=15000, change_cents=1176),),
        training=cli_context().training)
    try:
        printer = open_printer(config.printer, printer_spec)
        try:
            printer.send(ticket_job(ticket, profile=printer.profile, paper_mm=printer.paper_mm))
            if isinstance(printer, PreviewPrinter):
                written = list(printer.last_files)
            printer.send(receipt_job(receipt, profile=printer.profile,
                                     paper_mm=printer.paper_mm))
            if isinstance(printer, PreviewPrinter):
                written += list(printer.last_files)
        finally:
            printer.close()
    except PrinterError as error:
        click.echo(f"error [{error.code}]: {error.message}", err=True)
        sys.exit(3)
    click.echo(f"printed a sample ticket and receipt on {printer.name}")
    if isinstance(printer, PreviewPrinter):
        for path in written:
            click.echo(f"  {path}")


@click.group("drawer")
def drawer() -> None:
    """The cash drawer."""


@drawer.command("open")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--user", "username", required=True)
@click.option("--pin", required=True)
@click.option("--reason", required=True)
@click.option("--supervisor", help="A supervisor approving it (their user name).")
@click.option("--supervisor-pin")
@click.option("--station", default="cli", show_default=True)
@click.option("--printer", "printer_spec", help="The printer the drawer hangs on "
              "(default: the config's).")
def drawer_open(db_path: str | None, username: str, pin: str, reason: str,
                supervisor: str | None, supervisor_pin: str | None, station: str,
                printer_spec: str | None) -> None:
    """Open the drawer without a sale ("no sale"): needs its permission, journaled."""
    from core.till.drawer import record_no_sale
    from hardware.printer_spec import PrinterError
    from hardware.printers import open_printer
    from hardware.tickets import drawer_kick_job

    db = open_db(db_path)
    with reported(False):
        actor = sign_in(db, username, pin)
        record_no_sale(db, actor, station=station, reason=reason, now=clock.now(),
                       override=override_of(supervisor, supervisor_pin))
    try:
        printer = open_printer(cli_context().config.printer, printer_spec)
        try:
            printer.send(drawer_kick_job(printer.profile))
        finally:
            printer.close()
    except PrinterError as error:
        click.echo(f"error [{error.code}]: {error.message} (the no-sale is recorded)",
                   err=True)
        sys.exit(3)
    click.echo("drawer opened (no sale recorded)")
