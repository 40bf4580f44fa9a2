"""`boxoffice report NAME` and `boxoffice report list`: every report as a table, CSV,
JSON or PDF, or on the receipt printer. Reading a report needs `report_access`."""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import date, datetime
from pathlib import Path

import click

from core import clock, report_model
from core.money import format_cents, parse_money
from core.report_model import Report, thermal_rows, to_csv, to_json, to_text
from core.reports import catalogue, extracts, pricing_evidence
from core.store.db import SQLiteDatabase
from tui.cli.context import (
    cli_context,
    done,
    open_db,
    open_or_fail,
    reported,
    sign_in,
    signed_in_options,
)
from tui.cli.types import ID


def opened_is_training() -> bool:
    """Whether the database this command opened is a training one: `--training`, or the
    mark inside the file however it was named (`--db`), as the window app reads it."""
    from core.admin.training import is_training

    obj = cli_context()
    if obj.training:
        return True
    if not isinstance(obj.opened, Path):    # PostgreSQL: the mark is in the database
        db = open_or_fail(obj.opened)
        try:
            return is_training(db)
        finally:
            db.close()
    path = obj.opened
    if not path.is_file():
        return False
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return is_training(SQLiteDatabase(conn, str(path)))
    finally:
        conn.close()


def print_rows(title: str, rows: list[tuple[str, str]], printer_spec: str | None,
               label: str) -> str:
    """Send a two-column report to the receipt printer; returns where it went. From a
    training database it says TRAINING. A printer failure exits with status 3 (what was
    reported stays reported)."""
    from hardware.file_printers import PreviewPrinter
    from hardware.printer_spec import PrinterError
    from hardware.printers import open_printer
    from hardware.tickets import report_job

    config = cli_context().config
    training = opened_is_training()
    try:
        printer = open_printer(config.printer, printer_spec)
        try:
            job = report_job(title, rows, profile=printer.profile, paper_mm=printer.paper_mm,
                             training=training)
            if isinstance(printer, PreviewPrinter):
                printer.send(job, label=label)
                return ", ".join(str(p) for p in printer.last_files)
            printer.send(job)
            return printer.name
        finally:
            printer.close()
    except PrinterError as error:
        click.echo(f"error [{error.code}]: {error.message}", err=True)
        sys.exit(3)


def write_report(report: Report, fmt: str, output: str | None, now: datetime) -> None:
    """Show or save a report in a format; a PDF goes to a file (default NAME.pdf)."""
    if fmt == "pdf":
        from core.reports.pdf import to_pdf

        path = Path(output or f"{report.name}.pdf")
        _write_file(path, to_pdf(report, generated_at=now))
        click.echo(f"wrote {path}")
        return
    text = {"table": to_text, "csv": to_csv, "json": to_json}[fmt](report)
    if output:
        _write_file(Path(output), text.encode("utf-8"))
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=not text.endswith("\n"))


def _write_file(path: Path, data: bytes) -> None:
    """Write `data` to `path`, or say why not (exit status 2): a missing folder, a path
    through a file, no permission."""
    try:
        path.write_bytes(data)
    except OSError as error:
        click.echo(f"boxoffice: cannot write {path}: {error.strerror or error}", err=True)
        sys.exit(2)


@click.command("report")
@click.argument("name")
@click.option("--performance", "performance_id", type=ID)
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]),
              help="A day in the venue's time zone, YYYY-MM-DD.")
@click.option("--shift", "shift_id", type=ID)
@click.option("--compare", help="pace: compare with these past performances, e.g. 3,5 "
                                "(default: the event's, or the venue's, latest).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "pdf"]),
              default="table", show_default=True)
@click.option("--output", "-o", help="Write to this file (a PDF defaults to NAME.pdf).")
@click.option("--print", "to_printer", is_flag=True, help="Also print it on the receipt "
              "printer.")
@click.option("--printer", "printer_spec", help="preview:DIR, file:PATH, ... (default: the "
              "config's).")
@click.option("--user", "username")
@click.option("--pin")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
def report(name: str, performance_id: int | None, day: datetime | None,
           shift_id: int | None, compare: str | None, fmt: str, output: str | None,
           to_printer: bool, printer_spec: str | None, username: str | None, pin: str | None,
           db_path: str | None) -> None:
    """A report by NAME (`boxoffice report list` names them), for a performance, a venue
    day or a shift. Needs --user/--pin of someone with report access."""
    if name == "list":
        for kind in catalogue.report_names():
            click.echo(f"{kind.name:<12} {kind.description}")
        return
    if not username or pin is None:
        click.echo("boxoffice: give --user and --pin (reports need report access)", err=True)
        sys.exit(2)
    db = open_db(db_path)
    now = clock.now()
    with reported(fmt == "json"):
        scope = report_model.Scope(
            cli_context().config.zone, now, performance_id=performance_id,
            day=date(day.year, day.month, day.day) if day else None, shift_id=shift_id,
            compare=report_model.performance_ids(compare or ""))
        actor = sign_in(db, username, pin)
        built = catalogue.build_report(db, actor, name, scope)
    write_report(built, fmt, output, now)
    if to_printer:
        where = print_rows(built.title, thermal_rows(built), printer_spec, f"report-{name}")
        click.echo(f"printed on {where}", err=True)


@click.group("extract")
def extract() -> None:
    """Saved extracts: a report with its parameters under a name, run by name (cron)."""


@extract.command("save")
@click.argument("name")
@click.option("--report", "report_name", required=True, help="Which report (report list).")
@click.option("--performance", "performance_id", type=ID)
@click.option("--date", "day", default="", help="today, yesterday (moving) or YYYY-MM-DD.")
@click.option("--shift", "shift_id", type=ID)
@click.option("--format", "fmt", type=click.Choice(extracts.FORMATS), default="csv",
              show_default=True)
@signed_in_options
def extract_save(name: str, report_name: str, performance_id: int | None, day: str,
                 shift_id: int | None, fmt: str, db_path: str | None, username: str,
                 pin: str, as_json: bool) -> None:
    """Save a report's parameters under NAME (replacing one of that name)."""
    db = open_db(db_path)
    with reported(as_json):
        saved = extracts.save_extract(db, sign_in(db, username, pin), name, report_name,
                                      fmt=fmt, now=clock.now(), performance_id=performance_id,
                                      day=day, shift_id=shift_id)
    done(as_json, f"extract {saved.name}: {saved.describe()}", extract=saved.name)


@extract.command("list")
@signed_in_options
def extract_list(db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """The saved extracts."""
    db = open_db(db_path)
    with reported(as_json):
        found = extracts.list_extracts(db, sign_in(db, username, pin))
    if as_json:
        click.echo(json.dumps([{"name": e.name, "report": e.report,
                                "performance": e.performance_id, "day": e.day,
                                "shift": e.shift_id, "format": e.format} for e in found]))
        return
    for e in found:
        click.echo(f"{e.name:<20} {e.describe()}  (by {e.created_by})")
    if not found:
        click.echo("no saved extract")


@extract.command("run")
@click.argument("name")
@click.option("--output", "-o", help="Write to this file (a PDF defaults to REPORT.pdf).")
@click.option("--user", "username", required=True)
@click.option("--pin", required=True)
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
def extract_run(name: str, output: str | None, username: str, pin: str,
                db_path: str | None) -> None:
    """Build the saved extract NAME now and write it in its format."""
    db = open_db(db_path)
    now = clock.now()
    with reported(False):
        built, fmt = extracts.run_extract(db, sign_in(db, username, pin), name,
                                          zone=cli_context().config.zone, now=now)
    write_report(built, fmt, output, now)


@extract.command("delete")
@click.argument("name")
@signed_in_options
def extract_delete(name: str, db_path: str | None, username: str, pin: str,
                   as_json: bool) -> None:
    """Forget a saved extract."""
    db = open_db(db_path)
    with reported(as_json):
        extracts.delete_extract(db, sign_in(db, username, pin), name, now=clock.now())
    done(as_json, f"extract {name} deleted", extract=name)


@click.command("what-if")
@click.option("--performance", "performance_id", type=ID, required=True)
@click.option("--zone", required=True)
@click.option("--type", "price_type", required=True)
@click.option("--price", required=True, help="The new price before fee and tax, e.g. 99.00")
@signed_in_options
def what_if_command(performance_id: int, zone: str, price_type: str, price: str,
                    db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Revenue for the rest of the run at a new price, at the current pace (an estimate)."""
    db = open_db(db_path)
    with reported(as_json):
        new_cents = parse_money(price)
        found = pricing_evidence.what_if(db, sign_in(db, username, pin), performance_id,
                                         zone, price_type, new_cents, now=clock.now())
    if as_json:
        click.echo(json.dumps({"per_day": found.per_day, "days_left": found.days_left,
                               "expected_tickets": found.expected_tickets,
                               "revenue_now_cents": found.revenue_now_cents,
                               "revenue_new_cents": found.revenue_new_cents,
                               "assumption": found.assumption}))
        return
    click.echo(f"{zone.upper()} {price_type.upper()}: {found.expected_tickets} more ticket(s) "
               f"expected in {found.days_left} day(s)")
    click.echo(f"  at {format_cents(found.current_base_cents)}: "
               f"{format_cents(found.revenue_now_cents)}")
    click.echo(f"  at {format_cents(found.new_base_cents)}: "
               f"{format_cents(found.revenue_new_cents)}")
    click.echo(found.assumption)
