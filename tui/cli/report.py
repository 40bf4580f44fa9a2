"""`boxoffice report NAME` and `boxoffice report list`: every report as a table, CSV,
JSON or PDF, or on the receipt printer. Reading a report needs `report_access`."""

from __future__ import annotations

import sqlite3
import sys
from datetime import date, datetime
from pathlib import Path

import click
import sqlite_utils

from core import clock, report_model
from core.report_model import Report, thermal_rows, to_csv, to_json, to_text
from core.reports import catalogue
from tui.cli.context import cli_context, open_db, reported, sign_in
from tui.cli.types import ID


def opened_is_training() -> bool:
    """Whether the database this command opened is a training one: `--training`, or the
    mark inside the file however it was named (`--db`), as the window app reads it."""
    from core.admin.training import is_training

    obj = cli_context()
    if obj.training:
        return True
    path = Path(obj.opened)
    if not path.is_file():
        return False
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return is_training(sqlite_utils.Database(conn))
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
           shift_id: int | None, fmt: str, output: str | None, to_printer: bool,
           printer_spec: str | None, username: str | None, pin: str | None,
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
    scope = report_model.Scope(cli_context().config.zone, now, performance_id=performance_id,
                          day=date(day.year, day.month, day.day) if day else None,
                          shift_id=shift_id)
    with reported(fmt == "json"):
        actor = sign_in(db, username, pin)
        built = catalogue.build_report(db, actor, name, scope)
    write_report(built, fmt, output, now)
    if to_printer:
        where = print_rows(built.title, thermal_rows(built), printer_spec, f"report-{name}")
        click.echo(f"printed on {where}", err=True)
