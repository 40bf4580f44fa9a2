"""Shifts: a seller's drawer from the float to the Z report.

A shift belongs to one user at one station (drawer). It opens with a float counted by
denomination; every payment the user takes or gives back while it is open belongs to it
(`core.payments` refuses money from a user with no open shift: `no_open_shift`). Cash
leaves the drawer during the shift only as drops (to the safe) and paid-outs, each with
a reason. At the end the drawer is counted *blind*: the seller submits cash by
denomination, checks and card slips before anything tells them what was expected; only
`submit_count` returns the expected amounts and the over/short. A count off by more than
the tolerance needs a coordinator's sign-off with a note. `close_shift` then writes the
Z report, numbered without gaps and immutable (triggers, like the journal).

The blind count holds through every public function a seller's screen calls: `Shift`
carries no expected amount, and `x_report` shows the money figures of an uncounted shift
only to a viewer with `report_access` (a supervisor's tool). Drops and paid-outs are
never refused for exceeding what the drawer should hold, since that refusal would reveal
the expected cash too.

    expected cash = float + cash taken - cash given back - drops - paid-outs
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from core.config import Config, ShiftsConfig
from core.errors import BoxOfficeError, NotFound
from core.free_text import clean_text
from core.limits import MAX_QUANTITY
from core.money import format_cents, refuse_card_numbers
from core.people.models import User
from core.people.permissions import Override, PermissionDenied, authorize, has_permission
from core.store import journal
from core.store.db import Database, insert, write
from core.till.figures import compute_figures, movements, z_figures
from core.till.models import (
    CountResult,
    Movement,
    Shift,
    ShiftReport,
    TenderCount,
    ZReport,
)
from core.times import stamp


class ShiftError(BoxOfficeError):
    code = "shift"


def denominations(config: Config | ShiftsConfig) -> tuple[int, ...]:
    """The drawer's denominations in cents, largest first as configured."""
    rules = config.shifts if isinstance(config, Config) else config
    return rules.denominations


def _total(counts: Mapping[int, int], allowed: Sequence[int], what: str) -> int:
    total = 0
    for denomination, count in counts.items():
        if isinstance(count, bool) or not isinstance(count, int) \
                or not 0 <= count <= MAX_QUANTITY:
            raise ShiftError(f"{what}: count a whole number of each, at most "
                             f"{MAX_QUANTITY:,}, not {count!r}"[:200], code="bad_count")
        if denomination not in allowed:
            raise ShiftError(f"{what}: {denomination} cents is not one of the drawer's "
                             "denominations", code="bad_denomination")
        total += denomination * count
    return total


_SHIFT_SQL = (
    "SELECT s.id, s.user_id, u.username, s.station, s.status, s.opened_at, s.float_cents, "
    "s.float_counts, s.tolerance_cents, s.counted_at, so.username, s.signoff_note, "
    "s.closed_at, z.z_number FROM shifts s JOIN users u ON u.id = s.user_id "
    "LEFT JOIN users so ON so.id = s.signed_off_by "
    "LEFT JOIN z_reports z ON z.shift_id = s.id ")


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _shift(row: Sequence[Any]) -> Shift:
    return Shift(row[0], row[1], row[2], row[3], row[4], datetime.fromisoformat(row[5]),
                 row[6], {int(k): v for k, v in json.loads(row[7]).items()}, row[8],
                 _time(row[9]), row[10], row[11], _time(row[12]), row[13])


def get_shift(db: Database, shift_id: int) -> Shift:
    """A shift. Raises NotFound `unknown_shift`."""
    row = db.execute(_SHIFT_SQL + "WHERE s.id = ?", [shift_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no shift {shift_id}", code="unknown_shift")
    return _shift(row)


def current_shift(db: Database, user_id: int,
                  station: str | None = None) -> Shift | None:
    """The user's shift that is not closed yet (open, or counted and waiting for its
    close), if any; with `station`, only one at that station."""
    sql = _SHIFT_SQL + "WHERE s.user_id = ? AND s.status != 'closed'"
    args: list[Any] = [user_id]
    if station is not None:
        sql += " AND s.station = ?"
        args.append(station)
    row = db.execute(sql, args).fetchone()
    return _shift(row) if row else None


def list_shifts(db: Database, *, status: str | None = None,
                since: datetime | None = None, until: datetime | None = None) -> list[Shift]:
    """Shifts in opening order, optionally by status and opened in [since, until)."""
    sql, args = _SHIFT_SQL + "WHERE 1 = 1", []
    if status is not None:
        sql += " AND s.status = ?"
        args.append(status)
    if since is not None:
        sql += " AND s.opened_at >= ?"
        args.append(stamp(since))
    if until is not None:
        sql += " AND s.opened_at < ?"
        args.append(stamp(until))
    return [_shift(row) for row in db.execute(sql + " ORDER BY s.id", args)]


_OPEN_SHIFT = "SELECT id, status FROM shifts WHERE user_id = ? AND status != 'closed'"


def read_open_shift_ahead(db: Database, user_id: int) -> None:
    """Inside a write that will take money: the user's shift read with the next round
    trip (PostgreSQL; see Database.fetch_ahead)."""
    db.fetch_ahead(_OPEN_SHIFT, [user_id])


def open_shift_id(db: Database, user_id: int) -> int:
    """The id of the user's open shift, which every payment they make belongs to.
    Raises ShiftError `no_open_shift`."""
    rows = db.fetch(_OPEN_SHIFT, [user_id])
    if not rows:
        raise ShiftError("Open a shift (count your float) before taking money",
                         code="no_open_shift")
    row = rows[0]
    if row[1] != "open":
        raise ShiftError("Your drawer is counted: close the shift, then open a new one "
                         "(count your float) before taking money", code="no_open_shift")
    return int(row[0])


def open_shift(db: Database, actor: User, *, station: str,
               float_counts: Mapping[int, int], now: datetime,
               rules: ShiftsConfig | None = None) -> Shift:
    """Open the actor's shift at `station` with a float counted by denomination (cents ->
    count; `rules` are `config.shifts`, for the denominations and the tolerance). Needs
    `sell`. Raises ShiftError (`shift_open`, `station_busy`, `bad_count`,
    `bad_denomination`, `bad_station`), PermissionDenied."""
    rules = rules or ShiftsConfig()
    if not station.strip():
        raise ShiftError("name the station (the drawer)", code="bad_station")
    station = clean_text(station, "station")
    float_cents = _total(float_counts, rules.denominations, "the float")
    counts = {str(k): v for k, v in sorted(float_counts.items(), reverse=True) if v}
    with write(db):
        authorize(db, actor, "sell")
        mine = current_shift(db, actor.id)
        if mine is not None:
            raise ShiftError(f"{actor.display_name} already has shift {mine.id} open at "
                             f"{mine.station}: close it first", code="shift_open")
        busy = db.execute("SELECT u.display_name FROM shifts s JOIN users u ON "
                          "u.id = s.user_id WHERE s.station = ? AND s.status != 'closed'",
                          [station]).fetchone()
        if busy is not None:
            raise ShiftError(f"the drawer at {station} is in {busy[0]}'s shift",
                             code="station_busy")
        shift_id = insert(db,
            "INSERT INTO shifts (user_id, station, opened_at, float_cents, float_counts, "
            "tolerance_cents) VALUES (?, ?, ?, ?, ?, ?)",
            [actor.id, station, stamp(now), float_cents, json.dumps(counts),
             rules.over_short_tolerance_cents])
        journal.append(db, actor=actor.username, action="shift.open",
                       subject=f"shift:{shift_id}",
                       data={"station": station, "float_cents": float_cents,
                             "float_counts": counts}, at=now)
        return get_shift(db, shift_id)


def _may_handle(db: Database, actor: User, shift: Shift,
                override: Override | None = None) -> str:
    """The shift's own user, or a supervisor (`shift_signoff`); returns who approved."""
    if actor.id == shift.user_id and not actor.locked:
        return actor.username
    return authorize(db, actor, "shift_signoff", override=override)


def _take_out(db: Database, actor: User, shift_id: int, amount_cents: int,
              kind: str, reason: str, now: datetime, approver: str) -> Movement:
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) \
            or amount_cents <= 0:
        raise ShiftError("the amount is a positive number of cents", code="bad_amount")
    shift = get_shift(db, shift_id)
    if shift.status != "open":
        raise ShiftError(f"shift {shift_id} is {shift.status}: cash moves only in an open "
                         "shift", code="shift_not_open")
    movement_id = insert(db,
        "INSERT INTO shift_movements (shift_id, kind, amount_cents, reason, user_id, "
        "approved_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [shift_id, kind, amount_cents, reason, actor.id, approver, stamp(now)])
    journal.append(db, actor=actor.username, action=f"shift.{kind}",
                   subject=f"shift:{shift_id}",
                   data={"amount_cents": amount_cents, "reason": reason,
                         "approved_by": approver}, at=now)
    return next(m for m in movements(db, shift_id) if m.id == movement_id)


def _reason(reason: str) -> None:
    if not reason.strip():
        raise ShiftError("give a reason", code="reason_required")
    refuse_card_numbers(reason=reason)


def cash_drop(db: Database, actor: User, shift_id: int, amount_cents: int, *,
              reason: str, now: datetime) -> Movement:
    """Take cash out of an open shift's drawer into the safe. The shift's user or a
    supervisor (`shift_signoff`). Raises ShiftError (`bad_amount`, `reason_required`,
    `shift_not_open`), NotFound, PermissionDenied."""
    _reason(reason)
    approver = _may_handle(db, actor, get_shift(db, shift_id))
    with write(db):
        return _take_out(db, actor, shift_id, amount_cents, "drop", reason, now, approver)


def paid_out(db: Database, actor: User, shift_id: int, amount_cents: int, *,
             reason: str, now: datetime, override: Override | None = None) -> Movement:
    """Pay cash out of an open shift's drawer (petty cash, a runner) for a reason. Money
    leaves the house, so it needs `shift_signoff` or a supervisor's override. Raises
    ShiftError (`bad_amount`, `reason_required`, `shift_not_open`), PermissionDenied."""
    _reason(reason)
    get_shift(db, shift_id)
    approver = authorize(db, actor, "shift_signoff", override=override)
    with write(db):
        return _take_out(db, actor, shift_id, amount_cents, "paid_out", reason, now,
                         approver)


def x_report(db: Database, shift_id: int, now: datetime, *,
             viewer: User | None = None) -> ShiftReport:
    """The shift's figures so far; reading it changes nothing. Blind (no expected
    amounts) while the shift is uncounted, unless `viewer` has `report_access`: a
    seller's X report shows the sales by tender, refunds and drops, but never says what
    the drawer should hold before the count. Another user's shift needs `report_access`
    or `shift_signoff`. Raises NotFound `unknown_shift`, PermissionDenied."""
    shift = get_shift(db, shift_id)
    if viewer is not None and viewer.id != shift.user_id and (viewer.locked or not any(
            has_permission(db, viewer.role, p) for p in ("report_access", "shift_signoff"))):
        raise PermissionDenied(f"{viewer.display_name} ({viewer.role}) may not see another "
                               "user's shift", code="permission_denied")
    figures = compute_figures(db, shift_id, shift.float_cents)
    may_see = shift.status != "open" or (
        viewer is not None and not viewer.locked
        and has_permission(db, viewer.role, "report_access"))
    payments = sum(t.payments for t in figures.tenders)
    return ShiftReport(shift, now, payments, figures, blind=not may_see)


def submit_count(db: Database, actor: User, shift_id: int, *,
                 cash_counts: Mapping[int, int], checks_cents: int, card_slips_cents: int,
                 now: datetime, rules: ShiftsConfig | None = None) -> CountResult:
    """The blind count: cash by denomination, the checks' total and the card slips'
    total. Only the result says what was expected and the over/short; the count cannot
    be submitted twice. The shift's user or a supervisor. Raises ShiftError
    (`already_counted`, `card_pending`, `bad_count`, `bad_denomination`, `bad_amount`),
    PermissionDenied."""
    rules = rules or ShiftsConfig()
    cash = _total(cash_counts, rules.denominations, "the cash count")
    for value in (checks_cents, card_slips_cents):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ShiftError("checks and card slips are zero or more cents",
                             code="bad_amount")
    counts = {str(k): v for k, v in sorted(cash_counts.items(), reverse=True) if v}
    approver = _may_handle(db, actor, get_shift(db, shift_id))
    with write(db):
        shift = get_shift(db, shift_id)
        if shift.status != "open":
            raise ShiftError(f"shift {shift_id} is already counted", code="already_counted")
        pending = db.execute("SELECT count(*) FROM payments WHERE shift_id = ? AND "
                             "status = 'unknown'", [shift_id]).fetchone()[0]
        if pending:
            raise ShiftError(f"{pending} card payment(s) of this shift wait for the "
                             "terminal's answer: resolve them before the count",
                             code="card_pending")
        figures = compute_figures(db, shift_id, shift.float_cents)
        db.execute(
            "UPDATE shifts SET status = 'counted', counted_at = ?, counted_by = ?, "
            "cash_counts = ?, counted_cash_cents = ?, counted_checks_cents = ?, "
            "counted_card_cents = ?, expected_cash_cents = ?, expected_checks_cents = ?, "
            "expected_card_cents = ? WHERE id = ?",
            [stamp(now), actor.id, json.dumps(counts), cash, checks_cents, card_slips_cents,
             figures.expected_cash_cents, figures.expected_checks_cents,
             figures.expected_card_cents, shift_id])
        result = count_result(db, shift_id)
        journal.append(db, actor=actor.username, action="shift.count",
                       subject=f"shift:{shift_id}",
                       data={"cash_counts": counts, "approved_by": approver,
                             **{f"{line.tender}_{k}": v for line in result.lines
                                for k, v in (("counted_cents", line.counted_cents),
                                             ("expected_cents", line.expected_cents))}},
                       at=now)
        return result


def count_result(db: Database, shift_id: int) -> CountResult:
    """The submitted count of a counted or closed shift, with what was expected.
    Raises ShiftError `not_counted` for an open shift (the count is blind)."""
    row = db.execute(
        "SELECT status, counted_at, cash_counts, counted_cash_cents, counted_checks_cents, "
        "counted_card_cents, expected_cash_cents, expected_checks_cents, "
        "expected_card_cents, tolerance_cents, signed_off_by FROM shifts WHERE id = ?",
        [shift_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no shift {shift_id}", code="unknown_shift")
    if row[0] == "open":
        raise ShiftError(f"shift {shift_id} is not counted yet", code="not_counted")
    lines = (TenderCount("cash", row[3], row[6]), TenderCount("check", row[4], row[7]),
             TenderCount("card", row[5], row[8]))
    return CountResult(shift_id, datetime.fromisoformat(row[1]),
                       {int(k): v for k, v in json.loads(row[2]).items()}, lines, row[9],
                       row[10] is not None)


def sign_off(db: Database, actor: User, shift_id: int, *, note: str,
             now: datetime, override: Override | None = None) -> Shift:
    """A coordinator accepts a counted shift's over/short with a note (needed above the
    tolerance; allowed below it). Needs `shift_signoff`, from someone other than the
    shift's own user. Raises ShiftError (`reason_required`, `not_counted`,
    `already_signed_off`, `own_shift`), PermissionDenied."""
    if not note.strip():
        raise ShiftError("write a note saying why the count is off", code="reason_required")
    refuse_card_numbers(note=note)
    approver = authorize(db, actor, "shift_signoff", override=override)
    with write(db):
        shift = get_shift(db, shift_id)
        if shift.status != "counted":
            raise ShiftError(f"shift {shift_id} is {shift.status}: only a counted shift is "
                             "signed off", code="not_counted")
        if shift.signed_off_by is not None:
            raise ShiftError(f"shift {shift_id} is already signed off by "
                             f"{shift.signed_off_by}", code="already_signed_off")
        if approver == shift.username:
            raise ShiftError("another coordinator signs off your own shift",
                             code="own_shift")
        signer_id = db.execute("SELECT id FROM users WHERE username = ?",
                               [approver]).fetchone()[0]
        db.execute("UPDATE shifts SET signed_off_by = ?, signoff_note = ?, signed_off_at = ? "
                   "WHERE id = ?", [signer_id, note.strip(), stamp(now), shift_id])
        result = count_result(db, shift_id)
        journal.append(db, actor=actor.username, action="shift.signoff",
                       subject=f"shift:{shift_id}",
                       data={"note": note.strip(), "approved_by": approver,
                             "over_short_cents": result.over_short_cents}, at=now)
        return get_shift(db, shift_id)


def close_shift(db: Database, actor: User, shift_id: int, *,
                now: datetime) -> ZReport:
    """Close a counted shift: the next Z number (gapless), its figures kept for good.
    The shift's user or a supervisor. Raises ShiftError (`not_counted`,
    `signoff_required`, `already_closed`), PermissionDenied."""

    approver = _may_handle(db, actor, get_shift(db, shift_id))
    with write(db):
        shift = get_shift(db, shift_id)
        if shift.status == "closed":
            raise ShiftError(f"shift {shift_id} is already closed (Z {shift.z_number})",
                             code="already_closed")
        if shift.status != "counted":
            raise ShiftError(f"count shift {shift_id} before closing it", code="not_counted")
        result = count_result(db, shift_id)
        if result.needs_signoff and not result.signed_off:
            raise ShiftError(f"the count is off by {_money(result.over_short_cents)}, more "
                             f"than the tolerance of {_money(shift.tolerance_cents)}: a "
                             "coordinator signs it off with a note first",
                             code="signoff_required")
        head = db.execute("SELECT hash FROM journal ORDER BY id DESC LIMIT 1").fetchone()
        journal_hash = head[0] if head else journal.GENESIS
        z_number = db.execute("SELECT coalesce(max(z_number), 0) + 1 FROM "
                              "z_reports").fetchone()[0]
        figures = z_figures(db, shift, result, compute_figures(db, shift_id,
                                                               shift.float_cents))
        db.execute("UPDATE shifts SET status = 'closed', closed_at = ?, closed_by = ? "
                   "WHERE id = ?", [stamp(now), actor.id, shift_id])
        db.execute("INSERT INTO z_reports (z_number, shift_id, closed_at, closed_by, figures, "
                   "journal_hash) VALUES (?, ?, ?, ?, ?, ?)",
                   [z_number, shift_id, stamp(now), actor.id,
                    json.dumps(figures, sort_keys=True), journal_hash])
        journal.append(db, actor=actor.username, action="shift.close",
                       subject=f"shift:{shift_id}",
                       data={"z_number": z_number, "journal_hash": journal_hash,
                             "approved_by": approver,
                             "over_short_cents": result.over_short_cents}, at=now)
        return get_z_report(db, z_number)


def get_z_report(db: Database, z_number: int) -> ZReport:
    """A kept Z report. Raises NotFound `unknown_z`."""
    row = db.execute("SELECT z.z_number, z.shift_id, z.closed_at, u.username, "
                     "z.journal_hash, z.figures FROM z_reports z JOIN users u ON "
                     "u.id = z.closed_by WHERE z.z_number = ?", [z_number]).fetchone()
    if row is None:
        raise NotFound(f"there is no Z report {z_number}", code="unknown_z")
    return ZReport(row[0], row[1], datetime.fromisoformat(row[2]), row[3], row[4],
                   json.loads(row[5]))


def _money(cents: int) -> str:

    return format_cents(cents)
