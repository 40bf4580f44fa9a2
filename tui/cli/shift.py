"""`boxoffice shift ...`: open with a float, drops, paid-outs, the X report, the blind
count, sign-off and the close with its Z report (printed on the receipt printer).

Cash by denomination is written `DENOMxCOUNT,...` in cents: `2000x2,500x4,100x20` is two
$20 notes, four $5 and twenty $1 ($80.00). Failures exit 1 with the error's code."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Any

import click

from core import clock
from core.errors import BoxOfficeError
from core.limits import MAX_DENOMINATION, parse_whole
from core.money import format_cents, parse_money
from core.people.models import User
from core.store.db import Database
from core.till import shifts
from core.till.figures import x_rows, z_rows
from tui.cli.context import cli_context, open_db, override_of, reported, sign_in, signed_in_options
from tui.cli.report import print_rows
from tui.cli.types import ID


def parse_counts(text: str) -> dict[int, int]:
    """'2000x2,500x4' -> {2000: 2, 500: 4}; '0' -> {} (an empty drawer, said on purpose).
    Raises BoxOfficeError `bad_count` for anything else, an empty text included."""
    if text.strip() == "0":
        return {}
    if not text.replace(",", "").strip():
        raise BoxOfficeError("give the cash counted, DENOMINATIONxCOUNT,... in cents (e.g. "
                             "2000x2,500x4), or 0 for an empty drawer", code="bad_count")
    counts: dict[int, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        denomination_text, sep, count_text = part.partition("x")
        try:
            if not sep:
                raise ValueError
            denomination = parse_whole(denomination_text, "a denomination", minimum=1,
                                       maximum=MAX_DENOMINATION, code="bad_count")
            count = parse_whole(count_text, "a count", code="bad_count")
        except (BoxOfficeError, ValueError):
            raise BoxOfficeError(f"cannot read '{part[:40]}': write DENOMINATIONxCOUNT in "
                                 "cents (at most 100,000 of each), e.g. 2000x3 for three "
                                 "$20 notes", code="bad_count") from None
        counts[denomination] = counts.get(denomination, 0) + count
    return counts


def _shift_of(db: Database, actor: User, shift_id: int | None) -> int:
    if shift_id is not None:
        return shift_id
    mine = shifts.current_shift(db, actor.id)
    if mine is None:
        raise BoxOfficeError(f"{actor.display_name} has no shift open: give --shift N",
                             code="no_open_shift")
    return mine.id


def _echo(data: dict[str, Any], text: str, as_json: bool) -> None:
    click.echo(json.dumps(data, indent=2, default=str) if as_json else text)


@click.group("shift")
def shift() -> None:
    """Shifts: float, drops, paid-outs, X report, blind count, sign-off, close (Z)."""


@shift.command("open")
@click.option("--station", help="The drawer (default: this terminal's window, as "
              "`boxoffice --station`, BOXOFFICE_STATION, [window] station or the tty name).")
@click.option("--float", "float_text", required=True,
              help="The float by denomination: DENOMxCOUNT,... in cents.")
@signed_in_options
def shift_open(station: str | None, float_text: str, db_path: str | None, username: str,
               pin: str, as_json: bool) -> None:
    """Open your shift with a float counted by denomination, at this terminal's window
    unless --station names another drawer."""
    if station is None:
        station = cli_context().station()
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        opened = shifts.open_shift(db, actor, station=station,
                                   float_counts=parse_counts(float_text),
                                   now=clock.now(), rules=cli_context().config.shifts)
    _echo(asdict(opened), f"shift {opened.id} open at {opened.station}, float "
          f"{format_cents(opened.float_cents)}", as_json)


def _movement(kind: str, shift_id: int | None, amount: str, reason: str, db_path: str | None,
              username: str, pin: str, as_json: bool, supervisor: str | None = None,
              supervisor_pin: str | None = None) -> None:
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        target = _shift_of(db, actor, shift_id)
        cents, now = parse_money(amount), clock.now()
        moved = (shifts.cash_drop(db, actor, target, cents, reason=reason, now=now)
                 if kind == "drop" else
                 shifts.paid_out(db, actor, target, cents, reason=reason, now=now,
                                 override=override_of(supervisor, supervisor_pin)))
    _echo(asdict(moved), f"{kind.replace('_', '-')} of {format_cents(moved.amount_cents)} "
          f"from shift {target}: {moved.reason}", as_json)


@shift.command("drop")
@click.option("--shift", "shift_id", type=ID, help="Default: your open shift.")
@click.option("--amount", required=True, help="e.g. 500.00")
@click.option("--reason", required=True)
@signed_in_options
def shift_drop(shift_id: int | None, amount: str, reason: str, db_path: str | None,
               username: str, pin: str, as_json: bool) -> None:
    """Take cash out of the drawer into the safe."""
    _movement("drop", shift_id, amount, reason, db_path, username, pin, as_json)


@shift.command("paid-out")
@click.option("--shift", "shift_id", type=ID, help="Default: your open shift.")
@click.option("--amount", required=True, help="e.g. 20.00")
@click.option("--reason", required=True)
@click.option("--supervisor", help="A supervisor approving it (their user name).")
@click.option("--supervisor-pin")
@signed_in_options
def shift_paid_out(shift_id: int | None, amount: str, reason: str, supervisor: str | None,
                   supervisor_pin: str | None, db_path: str | None, username: str, pin: str,
                   as_json: bool) -> None:
    """Pay cash out of the drawer (needs shift sign-off rights or a supervisor)."""
    _movement("paid_out", shift_id, amount, reason, db_path, username, pin, as_json,
              supervisor, supervisor_pin)


@shift.command("x")
@click.option("--shift", "shift_id", type=ID, help="Default: your open shift.")
@click.option("--print", "to_printer", is_flag=True)
@click.option("--printer", "printer_spec")
@signed_in_options
def shift_x(shift_id: int | None, to_printer: bool, printer_spec: str | None,
            db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """The X report: the shift so far (blind to a seller until the count)."""
    db = open_db(db_path)
    now = clock.now()
    with reported(as_json):
        actor = sign_in(db, username, pin)
        report = shifts.x_report(db, _shift_of(db, actor, shift_id), now, viewer=actor)
    rows = x_rows(report, cli_context().config.zone)
    _echo({"blind": report.blind, "rows": rows},
          "\n".join(f"{label:<20} {value}" for label, value in rows if label != "-"), as_json)
    if to_printer:
        print_rows(f"X report, shift {report.shift.id}", rows, printer_spec,
                   f"x-shift-{report.shift.id}")


@shift.command("count")
@click.option("--shift", "shift_id", type=ID, help="Default: your open shift.")
@click.option("--cash", "cash_text", required=True, help="DENOMxCOUNT,... in cents.")
@click.option("--checks", default="0", show_default=True, help="The checks' total.")
@click.option("--cards", default="0", show_default=True, help="The card slips' total.")
@signed_in_options
def shift_count(shift_id: int | None, cash_text: str, checks: str, cards: str,
                db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Submit the blind count; only then are the expected amounts shown."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        result = shifts.submit_count(db, actor, _shift_of(db, actor, shift_id),
                                     cash_counts=parse_counts(cash_text),
                                     checks_cents=parse_money(checks),
                                     card_slips_cents=parse_money(cards),
                                     now=clock.now(), rules=cli_context().config.shifts)
    text = [f"shift {result.shift_id} counted"] + [
        f"  {line.tender:<6} counted {format_cents(line.counted_cents):>10}  expected "
        f"{format_cents(line.expected_cents):>10}  over/short "
        f"{format_cents(line.over_short_cents):>8}" for line in result.lines]
    text.append(f"  over/short {format_cents(result.over_short_cents)}" + (
        f": more than {format_cents(result.tolerance_cents)}, a coordinator signs it off"
        if result.needs_signoff else ""))
    _echo({**asdict(result), "over_short_cents": result.over_short_cents,
           "needs_signoff": result.needs_signoff}, "\n".join(text), as_json)


@shift.command("sign-off")
@click.argument("shift_id", type=ID)
@click.option("--note", required=True)
@click.option("--supervisor", help="A supervisor approving it (their user name).")
@click.option("--supervisor-pin")
@signed_in_options
def shift_sign_off(shift_id: int, note: str, supervisor: str | None,
                   supervisor_pin: str | None, db_path: str | None, username: str, pin: str,
                   as_json: bool) -> None:
    """Accept a counted shift's over/short with a note (a coordinator)."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        signed = shifts.sign_off(db, actor, shift_id, note=note, now=clock.now(),
                                 override=override_of(supervisor, supervisor_pin))
    _echo(asdict(signed), f"shift {shift_id} signed off by {signed.signed_off_by}", as_json)


@shift.command("close")
@click.option("--shift", "shift_id", type=ID, help="Default: your shift.")
@click.option("--no-print", is_flag=True, help="Do not print the Z report.")
@click.option("--printer", "printer_spec")
@signed_in_options
def shift_close(shift_id: int | None, no_print: bool, printer_spec: str | None,
                db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Close a counted shift: its Z report (gapless number), printed and kept."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        z = shifts.close_shift(db, actor, _shift_of(db, actor, shift_id),
                               now=clock.now())
    rows = z_rows(z, cli_context().config.zone)
    _backup_after_close()
    _echo({**asdict(z), "rows": rows},
          "\n".join(f"{label:<20} {value}" for label, value in rows if label != "-"), as_json)
    if not no_print:
        where = print_rows(f"Z REPORT {z.z_number}", rows, printer_spec, f"z-{z.z_number}")
        click.echo(f"printed on {where}", err=True)


def _backup_after_close() -> None:
    """The automatic backup at a Z close ([backup] directory, keep). After the close has
    committed: a failed backup is reported, never undoes the close."""
    from core.store.backup import BackupError, auto_backup

    try:
        result = auto_backup(cli_context().config, cli_context().opened, "z_close")
    except BackupError as error:
        if error.code == "postgresql":     # the server's backups apply
            return
        click.echo(f"warning [{error.code}]: the Z close is done, but its backup failed: "
                   f"{error.message}", err=True)
        return
    click.echo(f"backed up to {result.path}", err=True)


@shift.command("list")
@click.option("--status", type=click.Choice(["open", "counted", "closed"]))
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def shift_list(status: str | None, db_path: str | None, as_json: bool) -> None:
    """Shifts with their state and Z numbers (no amounts: the counts are blind)."""
    db = open_db(db_path)
    found = shifts.list_shifts(db, status=status)
    if as_json:
        click.echo(json.dumps([asdict(s) for s in found], indent=2, default=str))
        return
    zone = cli_context().config.zone
    for s in found:
        z = f"Z {s.z_number}" if s.z_number else ""
        click.echo(f"#{s.id:<4} {s.username:<8} {s.station:<10} {s.status:<8} "
                   f"{s.opened_at.astimezone(zone):%Y-%m-%d %H:%M}  {z}")
    if not found:
        click.echo("no shifts", err=True)
        sys.exit(0)
