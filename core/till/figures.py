"""A shift's figures: what its payments and cash movements add up to, the count against
them, the Z report's kept snapshot, and the rows printed for X and Z reports.

Every figure comes from the shift's `payments` rows (each of which has a `money` journal
row with the same amount) and its `shift_movements`; nothing is stored as a running
total, so nothing has to be reset between an X report and the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from core.concessions.goods_sales import shift_sales
from core.money import format_cents
from core.store.db import Database
from core.till.models import (
    CountResult,
    Movement,
    Shift,
    ShiftFigures,
    ShiftReport,
    TenderTotal,
    ZReport,
)

TENDER_ORDER = ("cash", "check", "card", "comp", "account", "credit")


def movements(db: Database, shift_id: int) -> tuple[Movement, ...]:
    return tuple(Movement(r[0], r[1], r[2], r[3], r[4], r[5], datetime.fromisoformat(r[6]))
                 for r in db.execute(
        "SELECT m.id, m.kind, m.amount_cents, m.reason, u.username, m.approved_by, "
        "m.created_at FROM shift_movements m JOIN users u ON u.id = m.user_id "
        "WHERE m.shift_id = ? ORDER BY m.id", [shift_id]))


def compute_figures(db: Database, shift_id: int,
                    float_cents: int) -> ShiftFigures:
    rows = {r[0]: TenderTotal(r[0], r[1], r[2], r[3]) for r in db.execute(
        "SELECT tender, count(*), "
        "coalesce(sum(CASE WHEN amount_cents > 0 THEN amount_cents ELSE 0 END), 0), "
        "coalesce(sum(CASE WHEN amount_cents < 0 THEN -amount_cents ELSE 0 END), 0) "
        "FROM payments WHERE shift_id = ? AND "
        "status = 'approved' GROUP BY tender", [shift_id])}
    tenders = tuple(rows[t] for t in TENDER_ORDER if t in rows)
    moved = movements(db, shift_id)
    return ShiftFigures(float_cents, tenders,
                        sum(m.amount_cents for m in moved if m.kind == "drop"),
                        sum(m.amount_cents for m in moved if m.kind == "paid_out"), moved,
                        _concessions(db, shift_id))


def _concessions(db: Database, shift_id: int) -> tuple[tuple[str, int, int], ...]:

    return tuple((line.key, line.quantity, line.gross_cents)
                 for line in shift_sales(db, shift_id))


def z_figures(db: Database, shift: Shift, count: CountResult,
              figures: ShiftFigures) -> dict[str, Any]:
    """The Z report's snapshot: plain JSON, kept in `z_reports.figures` for good."""
    signoff = db.execute("SELECT u.username, s.signoff_note FROM shifts s LEFT JOIN users u "
                         "ON u.id = s.signed_off_by WHERE s.id = ?", [shift.id]).fetchone()
    return {
        "shift_id": shift.id, "username": shift.username, "station": shift.station,
        "opened_at": shift.opened_at.isoformat(), "counted_at": count.counted_at.isoformat(),
        "float_cents": figures.float_cents,
        "float_counts": {str(k): v for k, v in shift.float_counts.items()},
        "tenders": [{"tender": t.tender, "payments": t.payments, "taken_cents": t.taken_cents,
                     "returned_cents": t.returned_cents} for t in figures.tenders],
        "drops_cents": figures.drops_cents, "paid_outs_cents": figures.paid_outs_cents,
        "drops": sum(1 for m in figures.movements if m.kind == "drop"),
        "concessions": [{"category": c, "quantity": q, "gross_cents": g}
                        for c, q, g in figures.concessions],
        "paid_outs": sum(1 for m in figures.movements if m.kind == "paid_out"),
        "cash_counts": {str(k): v for k, v in count.cash_counts.items()},
        "count": [{"tender": line.tender, "counted_cents": line.counted_cents,
                   "expected_cents": line.expected_cents} for line in count.lines],
        "over_short_cents": count.over_short_cents,
        "tolerance_cents": count.tolerance_cents,
        "signed_off_by": signoff[0], "signoff_note": signoff[1],
    }


def _local(text: str, zone: tzinfo) -> str:
    return datetime.fromisoformat(text).astimezone(zone).strftime("%a %d %b %Y %H:%M")


def _tender_rows(tenders: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for t in tenders:
        rows.append((f"{t['tender'].title()} ({t['payments']})",
                     format_cents(t["taken_cents"] - t["returned_cents"])))
        if t["returned_cents"]:
            rows.append(("  of which given back", format_cents(-t["returned_cents"])))
    return rows


def _concession_rows(lines: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """Concessions in the shift (already inside the tender totals above them)."""
    if not lines:
        return []
    rows = [("-", ""), ("Concessions", "")]
    rows += [(f"  {c['category']} ({c['quantity']})", format_cents(c["gross_cents"]))
             for c in lines]
    rows.append(("  Concessions total", format_cents(sum(c["gross_cents"] for c in lines))))
    return rows


def x_rows(report: ShiftReport, zone: tzinfo) -> list[tuple[str, str]]:
    """The X report as printed: label, value. A blind report shows the sales by tender,
    refunds, drops and paid-outs, but no expected amounts."""
    shift = report.shift
    rows = [("Shift", str(shift.id)), ("Seller", shift.username), ("Station", shift.station),
            ("Opened", _local(shift.opened_at.isoformat(), zone)),
            ("Printed", _local(report.at.isoformat(), zone)), ("Payments", str(report.payments)),
            ("-", "")]
    figures = report.figures
    if not report.blind:
        rows += [("Float", format_cents(figures.float_cents))]
    rows += _tender_rows([{"tender": t.tender, "payments": t.payments,
                           "taken_cents": t.taken_cents, "returned_cents": t.returned_cents}
                          for t in figures.tenders])
    rows += [("Drops", format_cents(-figures.drops_cents)),
             ("Paid-outs", format_cents(-figures.paid_outs_cents)), ("-", "")]
    if report.blind:
        rows += [("Blind count", "expected amounts after the count")]
    else:
        rows += [("Expected cash", format_cents(figures.expected_cash_cents)),
                 ("Expected checks", format_cents(figures.expected_checks_cents)),
                 ("Expected card", format_cents(figures.expected_card_cents))]
    rows += _concession_rows([{"category": c, "quantity": q, "gross_cents": g}
                              for c, q, g in figures.concessions])
    return rows


def z_rows(z: ZReport, zone: tzinfo) -> list[tuple[str, str]]:
    """The Z report as printed and reprinted: every value from the kept snapshot."""
    f = z.figures
    rows = [("Z number", str(z.z_number)), ("Shift", str(f["shift_id"])),
            ("Seller", f["username"]), ("Station", f["station"]),
            ("Opened", _local(f["opened_at"], zone)),
            ("Closed", _local(z.closed_at.isoformat(), zone)), ("Closed by", z.closed_by),
            ("-", ""), ("Float", format_cents(f["float_cents"]))]
    rows += _tender_rows(f["tenders"])
    rows += [(f"Drops ({f['drops']})", format_cents(-f["drops_cents"])),
             (f"Paid-outs ({f['paid_outs']})", format_cents(-f["paid_outs_cents"])), ("-", "")]
    for line in f["count"]:
        name = line["tender"].title()
        rows += [(f"{name} expected", format_cents(line["expected_cents"])),
                 (f"{name} counted", format_cents(line["counted_cents"])),
                 (f"{name} over/short",
                  format_cents(line["counted_cents"] - line["expected_cents"]))]
    rows += [("-", ""), ("Over/short", format_cents(f["over_short_cents"])),
             ("Tolerance", format_cents(f["tolerance_cents"]))]
    rows += _concession_rows(f.get("concessions", []))   # Z reports kept before 0006 lack it
    if f["signed_off_by"]:
        rows += [("Signed off by", f["signed_off_by"]), ("Note", f["signoff_note"])]
    rows += [("", ""), ("Journal", z.journal_hash[:16])]
    return rows
