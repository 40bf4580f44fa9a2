"""`boxoffice deposit ...` and `boxoffice cards ...`: the day's deposit slip and the card
processor's settlement file against the card tenders. Failures exit 1 with the code."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from core import clock
from core.errors import BoxOfficeError
from core.money import format_cents
from core.report_model import to_text
from core.till import cards as till_cards
from core.till import deposits
from tui.cli.context import cli_context, open_db, reported, sign_in, signed_in_options
from tui.cli.types import ID


def _echo(data: Any, text: str, as_json: bool) -> None:
    click.echo(json.dumps(data, indent=2, default=str) if as_json else text)


@click.group("deposit")
def deposit() -> None:
    """Deposits: the cash and checks of closed shifts, to the bank."""


@deposit.command("prepare")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="The venue day whose closed shifts are deposited.")
@signed_in_options
def deposit_prepare(day: datetime, db_path: str | None, username: str, pin: str,
                    as_json: bool) -> None:
    """Make the deposit slip of a day's closed shifts."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        made = deposits.prepare_deposit(db, actor, day=date(day.year, day.month, day.day),
                                        zone=cli_context().config.zone, now=clock.now())
    _echo(asdict(made), to_text(deposits.deposit_report([made], f"deposit {made.id}")),
          as_json)


@deposit.command("deposited")
@click.argument("deposit_id", type=ID)
@click.option("--reference", required=True, help="The bank's reference for the deposit.")
@signed_in_options
def deposit_deposited(deposit_id: int, reference: str, db_path: str | None, username: str,
                      pin: str, as_json: bool) -> None:
    """Mark a deposit as taken by the bank."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        done = deposits.mark_deposited(db, actor, deposit_id, bank_reference=reference,
                                       now=clock.now())
    _echo(asdict(done), f"deposit {done.id} deposited: {format_cents(done.total_cents)}, "
          f"reference {done.bank_reference}", as_json)


@deposit.command("list")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--user", "username", help="Sign in (as `deposit prepare` and `deposited`).")
@click.option("--pin")
@click.option("--json", "as_json", is_flag=True)
def deposit_list(db_path: str | None, username: str | None, pin: str | None,
                 as_json: bool) -> None:
    """Every deposit with its status. --user/--pin are taken as by the other deposit
    commands (a wrong PIN is refused), so one command line fits all three."""
    db = open_db(db_path)
    if username is not None or pin is not None:
        with reported(as_json):
            if username is None or pin is None:
                raise BoxOfficeError("give both --user and --pin", code="usage")
            sign_in(db, username, pin)
    found = deposits.list_deposits(db)
    _echo([asdict(d) for d in found], "\n".join(
        f"#{d.id:<4} {d.business_date}  cash {format_cents(d.cash_cents):>10}  checks "
        f"{format_cents(d.checks_cents):>10}  {d.status} {d.bank_reference or ''}"
        for d in found) or "no deposits", as_json)


@click.group("cards")
def cards() -> None:
    """Card reconciliation: the processor's settlement file and the discrepancies."""


@cards.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@signed_in_options
def cards_import(csv_file: str, db_path: str | None, username: str, pin: str,
                 as_json: bool) -> None:
    """Import a processor settlement CSV and match it against the card tenders."""
    db = open_db(db_path)
    config = cli_context().config
    with reported(as_json):
        actor = sign_in(db, username, pin)
        try:
            text = Path(csv_file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise BoxOfficeError(f"cannot read {csv_file}: {error}", code="bad_csv") from None
        result = till_cards.import_settlement(
            db, actor, text, source_name=Path(csv_file).name,
            rules=config.card_reconciliation, zone=config.zone, now=clock.now())
    _echo(asdict(result), f"{result.rows} rows: {result.matched} matched, "
          f"{result.unmatched_rows} with no card payment, {result.unmatched_payments} card "
          "payments missing from the file", as_json)


@cards.command("list")
@click.option("--all", "show_all", is_flag=True, help="Resolved ones too.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def cards_list(show_all: bool, db_path: str | None, as_json: bool) -> None:
    """The discrepancy worklist."""
    items = till_cards.worklist(open_db(db_path),
                                         status=None if show_all else "open")
    _echo([asdict(d) for d in items],
          to_text(till_cards.worklist_report(items, cli_context().config.zone)), as_json)


def _change(discrepancy_id: int, text: str, resolve: bool, db_path: str | None,
            username: str, pin: str, as_json: bool) -> None:
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        now = clock.now()
        changed = (till_cards.resolve(db, actor, discrepancy_id, resolution=text,
                                               now=now) if resolve else
                   till_cards.annotate(db, actor, discrepancy_id, note=text, now=now))
    _echo(asdict(changed), f"discrepancy {changed.id}: {changed.status}", as_json)


@cards.command("note")
@click.argument("discrepancy_id", type=ID)
@click.option("--text", required=True)
@signed_in_options
def cards_note(discrepancy_id: int, text: str, db_path: str | None, username: str, pin: str,
               as_json: bool) -> None:
    """Annotate a discrepancy."""
    _change(discrepancy_id, text, False, db_path, username, pin, as_json)


@cards.command("resolve")
@click.argument("discrepancy_id", type=ID)
@click.option("--resolution", required=True)
@signed_in_options
def cards_resolve(discrepancy_id: int, resolution: str, db_path: str | None, username: str,
                  pin: str, as_json: bool) -> None:
    """Resolve a discrepancy, saying how."""
    _change(discrepancy_id, resolution, True, db_path, username, pin, as_json)
