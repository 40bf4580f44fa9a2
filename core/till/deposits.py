"""Deposits: the cash and checks of a day's closed shifts, taken to the bank.

For each closed shift not yet deposited, the slip carries
    cash   = counted cash + drops (already in the safe) - the float (it stays in the house)
    checks = counted checks
A deposit is prepared (the slip), then marked deposited with the bank's reference; after
that it cannot change (a trigger), and a shift is never on two slips (a unique key).
Needs `shift_signoff`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import BoxOfficeError, NotFound
from core.money import refuse_card_numbers
from core.people.models import User
from core.people.permissions import authorize
from core.report_model import Cents, Report, Table
from core.store import journal
from core.store.db import Database, insert, write
from core.times import stamp


class DepositError(BoxOfficeError):
    code = "deposit"


@dataclass(frozen=True)
class SlipLine:
    shift_id: int
    username: str
    z_number: int
    cash_cents: int
    checks_cents: int


@dataclass(frozen=True)
class Deposit:
    id: int
    business_date: date
    cash_cents: int
    checks_cents: int
    status: str                       # prepared, deposited
    bank_reference: str | None
    created_at: datetime
    deposited_at: datetime | None
    lines: tuple[SlipLine, ...]

    @property
    def total_cents(self) -> int:
        return self.cash_cents + self.checks_cents


def get_deposit(db: Database, deposit_id: int) -> Deposit:
    """A deposit with its slip lines. Raises NotFound `unknown_deposit`."""
    row = db.execute("SELECT id, business_date, cash_cents, checks_cents, status, "
                     "bank_reference, created_at, deposited_at FROM deposits WHERE id = ?",
                     [deposit_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no deposit {deposit_id}", code="unknown_deposit")
    lines = tuple(SlipLine(*r) for r in db.execute(
        "SELECT d.shift_id, u.username, z.z_number, d.cash_cents, d.checks_cents FROM "
        "deposit_shifts d JOIN shifts s ON s.id = d.shift_id JOIN users u ON u.id = s.user_id "
        "JOIN z_reports z ON z.shift_id = s.id WHERE d.deposit_id = ? ORDER BY z.z_number",
        [deposit_id]))
    return Deposit(row[0], date.fromisoformat(row[1]), row[2], row[3], row[4], row[5],
                   datetime.fromisoformat(row[6]),
                   datetime.fromisoformat(row[7]) if row[7] else None, lines)


def list_deposits(db: Database, day: date | None = None) -> list[Deposit]:
    sql, args = "SELECT id FROM deposits", []
    if day is not None:
        sql += " WHERE business_date = ?"
        args.append(day.isoformat())
    return [get_deposit(db, r[0]) for r in db.execute(sql + " ORDER BY id", args)]


def prepare_deposit(db: Database, actor: User, *, day: date, zone: ZoneInfo,
                    now: datetime) -> Deposit:
    """The deposit slip of the shifts closed on `day` (the venue's day) and on no slip
    yet. Needs `shift_signoff`. Raises DepositError `nothing_to_deposit`."""
    start = datetime.combine(day, time(0), zone)
    bounds = [stamp(start), stamp(start + timedelta(days=1))]
    authorize(db, actor, "shift_signoff")
    with write(db):
        shifts = db.execute(
            "SELECT s.id, s.counted_cash_cents + coalesce((SELECT sum(m.amount_cents) FROM "
            "shift_movements m WHERE m.shift_id = s.id AND m.kind = 'drop'), 0) - "
            "s.float_cents, s.counted_checks_cents FROM shifts s WHERE s.status = 'closed' "
            "AND s.closed_at >= ? AND s.closed_at < ? AND s.id NOT IN (SELECT shift_id FROM "
            "deposit_shifts) ORDER BY s.id", bounds).fetchall()
        if not shifts:
            raise DepositError(f"no closed shift of {day:%d %b %Y} is waiting for a deposit",
                               code="nothing_to_deposit")
        cash = sum(r[1] for r in shifts)
        checks = sum(r[2] for r in shifts)
        deposit_id = insert(db,
            "INSERT INTO deposits (business_date, cash_cents, checks_cents, created_at, "
            "created_by) VALUES (?, ?, ?, ?, ?)",
            [day.isoformat(), cash, checks, stamp(now), actor.id])
        db.executemany("INSERT INTO deposit_shifts (deposit_id, shift_id, cash_cents, "
                            "checks_cents) VALUES (?, ?, ?, ?)",
                            [(deposit_id, *r) for r in shifts])
        journal.append(db, actor=actor.username, action="deposit.prepare",
                       subject=f"deposit:{deposit_id}",
                       data={"date": day.isoformat(), "cash_cents": cash,
                             "checks_cents": checks, "shifts": [r[0] for r in shifts]},
                       at=now)
        return get_deposit(db, deposit_id)


def mark_deposited(db: Database, actor: User, deposit_id: int, *,
                   bank_reference: str, now: datetime) -> Deposit:
    """Record that the bank took the deposit, with its reference; final afterwards.
    Needs `shift_signoff`. Raises DepositError (`reference_required`,
    `already_deposited`), NotFound, TenderError `card_number`."""
    if not bank_reference.strip():
        raise DepositError("give the bank's reference", code="reference_required")
    refuse_card_numbers(bank_reference=bank_reference)
    authorize(db, actor, "shift_signoff")
    with write(db):
        deposit = get_deposit(db, deposit_id)
        if deposit.status == "deposited":
            raise DepositError(f"deposit {deposit_id} is already deposited "
                               f"({deposit.bank_reference})", code="already_deposited")
        db.execute("UPDATE deposits SET status = 'deposited', bank_reference = ?, "
                   "deposited_at = ?, deposited_by = ? WHERE id = ?",
                   [bank_reference.strip(), stamp(now), actor.id, deposit_id])
        journal.append(db, actor=actor.username, action="deposit.deposited",
                       subject=f"deposit:{deposit_id}",
                       data={"bank_reference": bank_reference.strip(),
                             "total_cents": deposit.total_cents}, at=now)
        return get_deposit(db, deposit_id)


def deposit_report(deposits: list[Deposit], title: str) -> Report:
    """The deposit slip(s) as a report: one line per shift, totals, status."""
    rows = tuple((d.id, d.business_date.isoformat(), line.z_number, line.shift_id,
                  line.username, Cents(line.cash_cents), Cents(line.checks_cents),
                  Cents(line.cash_cents + line.checks_cents), d.status,
                  d.bank_reference or "") for d in deposits for line in d.lines)
    cash = sum(d.cash_cents for d in deposits)
    checks = sum(d.checks_cents for d in deposits)
    return Report("deposit", "Deposit slip", title, (
        ("Cash", Cents(cash)), ("Checks", Cents(checks)), ("Total", Cents(cash + checks)),
        ("Deposits", len(deposits))), (
        Table("Shifts", ("deposit", "date", "Z", "shift", "seller", "cash", "checks",
                         "total", "status", "bank reference"), rows,
              ("total", "", "", "", "", Cents(cash), Cents(checks), Cents(cash + checks),
               "", "")),))
