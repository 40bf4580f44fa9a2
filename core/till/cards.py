"""Card reconciliation: the card processor's settlement file against the card tenders.

`import_settlement` reads the processor's CSV (its columns named in config
`[card_reconciliation]`), stores each row, and matches it to one approved card payment of
the same amount (refunds are negative on both sides) whose last 4 agree, taken within the
time tolerance; when both sides carry an approval code it must agree too. Among several
candidates the one with the same approval code, then the nearest in time, wins. Whatever
is left on either side goes to the discrepancy worklist: processor rows with no payment,
and card payments inside the file's time span that no row claimed. Coordinators annotate
and resolve the worklist (`shift_signoff`); every step is journaled.

A file is imported once (by its SHA-256). A cell that looks like a whole card number is
refused: the box office never stores one.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from core.config import CardReconciliationConfig
from core.errors import BoxOfficeError, NotFound
from core.money import TenderError, contains_card_number, refuse_card_numbers
from core.people.models import User
from core.people.permissions import authorize
from core.report_model import Cents, Report, Table
from core.store import journal
from core.store.db import Database, insert, write
from core.times import stamp


class CardReconciliationError(BoxOfficeError):
    code = "card_reconciliation"


@dataclass(frozen=True)
class ProcessorRow:
    line: int
    amount_cents: int
    at: datetime
    card_last4: str | None
    approval_code: str | None
    reference: str | None


@dataclass(frozen=True)
class ImportResult:
    settlement_id: int
    rows: int
    matched: int
    unmatched_rows: int
    unmatched_payments: int


@dataclass(frozen=True)
class Discrepancy:
    id: int
    side: str                    # processor (a row with no payment) or boxoffice
    amount_cents: int
    at: datetime | None
    card_last4: str | None
    approval_code: str | None
    payment_id: int | None
    settlement_row_id: int | None
    status: str                  # open, resolved
    notes: str
    resolution: str | None


def _cents(text: str, unit: str, line: int) -> int:
    cleaned = text.strip().replace(",", "").replace("$", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise CardReconciliationError(f"line {line}: cannot read the amount '{text}'",
                                      code="bad_csv") from None
    cents = value if unit == "cents" else value * 100
    if cents != cents.to_integral_value():
        raise CardReconciliationError(f"line {line}: '{text}' is not a whole number of "
                                      "cents", code="bad_csv")
    return int(cents)


def parse_settlement(text: str, rules: CardReconciliationConfig,
                     zone: ZoneInfo) -> list[ProcessorRow]:
    """The processor's rows, in cents and UTC. Raises CardReconciliationError `bad_csv`
    (naming the line or the missing column), TenderError `card_number`."""
    reader = csv.DictReader(io.StringIO(text), delimiter=rules.delimiter)
    header = reader.fieldnames or []
    wanted = [rules.amount_column, rules.time_column, rules.last4_column,
              rules.approval_column] + ([rules.reference_column]
                                        if rules.reference_column else [])
    missing = [name for name in wanted if name not in header]
    if missing:
        raise CardReconciliationError(
            f"the file has no column '{missing[0]}' (its columns: {', '.join(header)}); "
            "set the names in config.toml [card_reconciliation]", code="bad_csv")
    file_zone = ZoneInfo(rules.timezone) if rules.timezone else zone
    rows = []
    for line, record in enumerate(reader, start=2):
        if any(contains_card_number(value or "") for value in record.values()):
            raise TenderError(f"line {line} holds what looks like a whole card number: the "
                              "file is refused and nothing is stored", code="card_number")
        try:
            at = datetime.strptime(record[rules.time_column].strip(), rules.time_format)
        except ValueError:
            raise CardReconciliationError(
                f"line {line}: the time '{record[rules.time_column]}' does not match "
                f"'{rules.time_format}'", code="bad_csv") from None
        last4 = "".join(c for c in (record[rules.last4_column] or "") if c.isdigit())[-4:]
        rows.append(ProcessorRow(
            line, _cents(record[rules.amount_column] or "", rules.amount_unit, line),
            at.replace(tzinfo=at.tzinfo or file_zone).astimezone(ZoneInfo("UTC")),
            last4 or None, (record[rules.approval_column] or "").strip().upper() or None,
            (record[rules.reference_column] or "").strip() or None
            if rules.reference_column else None))
    return rows


def _match(db: Database, row: ProcessorRow, tolerance: timedelta,
           taken: set[int]) -> int | None:
    best: tuple[int, float, int] | None = None
    for payment_id, created, last4, approval in db.execute(
            "SELECT p.id, p.created_at, p.card_last4, upper(p.approval_code) FROM payments p "
            "WHERE p.tender = 'card' AND p.status = 'approved' AND p.amount_cents = ? AND "
            "p.created_at >= ? AND p.created_at <= ? AND NOT EXISTS (SELECT 1 FROM "
            "card_settlement_rows r WHERE r.payment_id = p.id)",
            [row.amount_cents, stamp(row.at - tolerance), stamp(row.at + tolerance)]):
        if payment_id in taken:
            continue
        if row.card_last4 and last4 and row.card_last4 != last4:
            continue
        if row.approval_code and approval and row.approval_code != approval:
            continue
        gap = abs((datetime.fromisoformat(created) - row.at).total_seconds())
        rank = (0 if row.approval_code and row.approval_code == approval else 1, gap,
                payment_id)
        if best is None or rank < best:
            best = rank
    return best[2] if best else None


def import_settlement(db: Database, actor: User, text: str, *,
                      source_name: str, rules: CardReconciliationConfig, zone: ZoneInfo,
                      now: datetime) -> ImportResult:
    """Import and match a processor settlement file; unmatched rows and payments go to
    the worklist. Needs `shift_signoff`. Raises CardReconciliationError (`bad_csv`,
    `already_imported`, `empty_file`), TenderError `card_number`."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    rows = parse_settlement(text, rules, zone)
    if not rows:
        raise CardReconciliationError("the file has no rows", code="empty_file")
    tolerance = timedelta(minutes=rules.time_tolerance_minutes)
    authorize(db, actor, "shift_signoff")
    with write(db):
        if db.execute("SELECT 1 FROM card_settlements WHERE sha256 = ?",
                      [digest]).fetchone():
            raise CardReconciliationError("this file was imported already",
                                          code="already_imported")
        settlement_id = insert(db,
            "INSERT INTO card_settlements (source_name, sha256, imported_at, imported_by, "
            "rows) VALUES (?, ?, ?, ?, ?)",
            [source_name, digest, stamp(now), actor.id, len(rows)])
        taken: set[int] = set()
        unmatched_rows = 0
        for row in rows:
            payment_id = _match(db, row, tolerance, taken)
            row_id = insert(db,
                "INSERT INTO card_settlement_rows (settlement_id, line, amount_cents, at, "
                "card_last4, approval_code, reference, payment_id) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?)",
                [settlement_id, row.line, row.amount_cents, stamp(row.at), row.card_last4,
                 row.approval_code, row.reference, payment_id])
            if payment_id is None:
                unmatched_rows += 1
                db.execute("INSERT INTO card_discrepancies (side, settlement_row_id, "
                           "amount_cents, found_at) VALUES ('processor', ?, ?, ?)",
                           [row_id, row.amount_cents, stamp(now)])
            else:
                taken.add(payment_id)
                # a payment listed as missing by an earlier file is found now
                db.execute("UPDATE card_discrepancies SET status = 'resolved', resolution = "
                           "?, resolved_by = ?, resolved_at = ? WHERE payment_id = ? AND "
                           "status = 'open'", [f"matched in file {source_name}", actor.id,
                                               stamp(now), payment_id])
        first = min(r.at for r in rows) - tolerance
        last = max(r.at for r in rows) + tolerance
        missing = db.execute(
            "SELECT p.id, p.amount_cents FROM payments p WHERE p.tender = 'card' AND "
            "p.status = 'approved' AND p.created_at >= ? AND p.created_at <= ? AND NOT "
            "EXISTS (SELECT 1 FROM card_settlement_rows r WHERE r.payment_id = p.id) AND NOT "
            "EXISTS (SELECT 1 FROM card_discrepancies d WHERE d.payment_id = p.id)",
            [stamp(first), stamp(last)]).fetchall()
        db.executemany("INSERT INTO card_discrepancies (side, payment_id, amount_cents, "
                            "found_at) VALUES ('boxoffice', ?, ?, ?)",
                            [(pid, amount, stamp(now)) for pid, amount in missing])
        result = ImportResult(settlement_id, len(rows), len(taken), unmatched_rows,
                              len(missing))
        journal.append(db, actor=actor.username, action="cards.import",
                       subject=f"card_settlement:{settlement_id}",
                       data={"source": source_name, "sha256": digest, "rows": len(rows),
                             "matched": len(taken), "unmatched_rows": unmatched_rows,
                             "unmatched_payments": len(missing)}, at=now)
        return result


_DISCREPANCY_SQL = (
    "SELECT d.id, d.side, d.amount_cents, coalesce(r.at, p.created_at), "
    "coalesce(r.card_last4, p.card_last4), coalesce(r.approval_code, p.approval_code), "
    "d.payment_id, d.settlement_row_id, d.status, d.notes, d.resolution "
    "FROM card_discrepancies d LEFT JOIN card_settlement_rows r ON r.id = d.settlement_row_id "
    "LEFT JOIN payments p ON p.id = d.payment_id ")


def _discrepancy(row: tuple[object, ...]) -> Discrepancy:
    at = row[3]
    return Discrepancy(row[0], row[1], row[2],  # type: ignore[arg-type]
                       datetime.fromisoformat(at) if isinstance(at, str) else None,
                       *row[4:])  # type: ignore[arg-type]


def worklist(db: Database, *, status: str | None = "open") -> list[Discrepancy]:
    """The discrepancies, oldest first (open ones by default; None for all)."""
    sql, args = _DISCREPANCY_SQL, []
    if status is not None:
        sql += "WHERE d.status = ? "
        args.append(status)
    return [_discrepancy(r) for r in db.execute(sql + "ORDER BY d.id", args)]


def get_discrepancy(db: Database, discrepancy_id: int) -> Discrepancy:
    row = db.execute(_DISCREPANCY_SQL + "WHERE d.id = ?", [discrepancy_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no discrepancy {discrepancy_id}",
                       code="unknown_discrepancy")
    return _discrepancy(row)


def annotate(db: Database, actor: User, discrepancy_id: int, *, note: str,
             now: datetime) -> Discrepancy:
    """Add a note to a discrepancy (kept with who wrote it). Needs `shift_signoff`."""
    return _change(db, actor, discrepancy_id, note, now, resolve=False)


def resolve(db: Database, actor: User, discrepancy_id: int, *, resolution: str,
            now: datetime) -> Discrepancy:
    """Close a discrepancy with how it was settled. Needs `shift_signoff`. Raises
    CardReconciliationError `already_resolved`, `reason_required`."""
    return _change(db, actor, discrepancy_id, resolution, now, resolve=True)


def _change(db: Database, actor: User, discrepancy_id: int, text: str,
            now: datetime, *, resolve: bool) -> Discrepancy:
    if not text.strip():
        raise CardReconciliationError("write what was found or done",
                                      code="reason_required")
    refuse_card_numbers(note=text)
    authorize(db, actor, "shift_signoff")
    with write(db):
        current = get_discrepancy(db, discrepancy_id)
        if current.status == "resolved":
            raise CardReconciliationError(f"discrepancy {discrepancy_id} is resolved",
                                          code="already_resolved")
        note = f"{current.notes}\n" if current.notes else ""
        note += f"{stamp(now)} {actor.username}: {text.strip()}"
        if resolve:
            db.execute("UPDATE card_discrepancies SET notes = ?, status = 'resolved', "
                       "resolution = ?, resolved_by = ?, resolved_at = ? WHERE id = ?",
                       [note, text.strip(), actor.id, stamp(now), discrepancy_id])
        else:
            db.execute("UPDATE card_discrepancies SET notes = ? WHERE id = ?",
                       [note, discrepancy_id])
        journal.append(db, actor=actor.username,
                       action="cards.resolve" if resolve else "cards.note",
                       subject=f"card_discrepancy:{discrepancy_id}",
                       data={"text": text.strip()}, at=now)
        return get_discrepancy(db, discrepancy_id)


def worklist_report(items: list[Discrepancy], zone: ZoneInfo) -> Report:
    rows = tuple((d.id, d.side, Cents(d.amount_cents),
                  f"{d.at.astimezone(zone):%Y-%m-%d %H:%M}" if d.at else "",
                  d.card_last4 or "", d.approval_code or "", d.payment_id, d.status,
                  d.resolution or d.notes.split("\n")[-1] if d.notes or d.resolution else "")
                 for d in items)
    return Report("cards", "Card reconciliation: discrepancies", "",
                  (("Open", sum(1 for d in items if d.status == "open")),
                   ("Open amount", Cents(sum(d.amount_cents for d in items
                                             if d.status == "open")))),
                  (Table("Discrepancies", ("id", "side", "amount", "at", "last 4",
                                           "approval", "payment", "status", "latest"),
                         rows),))
