"""Money in and out of an order: every payment or refund is a `payments` row and a
`money` journal entry with the same amount, so reports computed from the journal agree
with the orders. Used by orders, groups and consignment."""

from __future__ import annotations

from datetime import datetime

from core.free_text import clean_text
from core.people.models import User
from core.sales.models import Payment, PendingCard
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database
from core.till.shifts import open_shift_id
from core.times import parse_stamp, stamp


def record_money(db: Database, actor: User, order_id: int, payment_id: int,
                 tender: str, amount_cents: int, *, shift_id: int | None = None) -> None:
    if shift_id is None:
        shift_id = db.execute("SELECT shift_id FROM payments WHERE id = ?",
                              [payment_id]).fetchone()[0]
    journal.append(db, actor=actor.username, action="money", subject=f"order:{order_id}",
                   data={"payment_id": payment_id, "tender": tender,
                         "amount_cents": amount_cents, "shift_id": shift_id})


def insert_payment(db: Database, actor: User, order_id: int, tender: Tender,
                   *, station: str, now: datetime, amount_cents: int | None = None,
                   refund_of: int | None = None) -> int:
    """Inside a write: one payment row (and its `money` journal row when approved), in
    the acting user's open shift. Raises ShiftError `no_open_shift` when they have none:
    every movement of money belongs to a shift and its drawer."""


    station = clean_text(station, "station", required=True)
    shift_id = open_shift_id(db, actor.id)
    amount = tender.amount_cents if amount_cents is None else amount_cents
    payment_id = db.new_ids("payments", 1)[0]
    # the shift is open and the tender valid: the row fails only on a bug
    db.execute_later(
        "INSERT INTO payments (id, order_id, tender, amount_cents, status, tendered_cents, "
        "change_cents, card_brand, card_last4, approval_code, terminal_ref, check_number, "
        "reason, refund_of, user_id, station, created_at, shift_id) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [payment_id, order_id, tender.kind, amount, tender.status, tender.tendered_cents,
         tender.change_cents if tender.kind == "cash" else None, _brand(tender),
         tender.card_last4, tender.approval_code, tender.terminal_ref, tender.check_number,
         tender.reason, refund_of, actor.id, station, stamp(now), shift_id])
    if tender.status == "approved":
        record_money(db, actor, order_id, payment_id, tender.kind, amount, shift_id=shift_id)
    return payment_id


def _brand(tender: Tender) -> str | None:
    return tender.card_brand.upper() if tender.card_brand else None


def payment_as_written(payment_id: int, tender: Tender) -> Payment:
    """The payment `insert_payment` wrote for `tender` (at its own amount), as `get_order`
    reads it back: a sale returns its order without reading it again."""
    return Payment(payment_id, tender.kind, tender.amount_cents, tender.status,
                   tender.change_cents if tender.kind == "cash" else 0, _brand(tender),
                   tender.card_last4, tender.approval_code, tender.reason)


def reverse_payments(db: Database, actor: User, order_id: int, *,
                     station: str, now: datetime, reason: str) -> int:
    """Inside a write: pay back every approved payment with its own tender."""
    total = 0
    for pid, tender, amount, brand, last4 in db.execute(
            "SELECT id, tender, amount_cents - coalesce((SELECT -sum(r.amount_cents) FROM "
            "payments r WHERE r.refund_of = payments.id AND r.status = 'approved'), 0), "
            "card_brand, card_last4 FROM payments WHERE order_id = ? AND status = 'approved' "
            "AND amount_cents > 0", [order_id]).fetchall():
        if amount <= 0:
            continue
        back = Tender(tender, amount, card_brand=brand, card_last4=last4, reason=reason)
        insert_payment(db, actor, order_id, back, station=station, now=now,
                        amount_cents=-amount, refund_of=pid)
        total += amount
    return total


# reversed on their own tender before any money moves: a comp is not money, what is on
# account is still owed, and credit used goes back to the customer's credit
OWN_TENDER_FIRST = ("comp", "account", "credit")


def pay_back(db: Database, actor: User, order_id: int, amount: int, *, to: str,
             station: str, now: datetime, reason: str) -> None:
    """Inside a write: give back `amount` of what the order has paid.

    Comps, on-account amounts and account credit used are reversed on their own tender
    first (no money ever leaves the drawer for a free ticket or for money still owed);
    what remains is money, paid back on the original cash, card and check tenders (newest
    first), in cash, or (`to="credit"`) kept as the customer's account credit.
    """
    if amount <= 0:
        return
    rows = db.execute(
        "SELECT id, tender, amount_cents - coalesce((SELECT -sum(r.amount_cents) FROM "
        "payments r WHERE r.refund_of = payments.id AND r.status = 'approved'), 0), "
        "card_brand, card_last4 FROM payments WHERE order_id = ? AND status = 'approved' "
        "AND amount_cents > 0 ORDER BY id DESC", [order_id]).fetchall()
    left = amount

    def reverse(pid: int, tender: str, refundable: int, brand: str | None,
                last4: str | None) -> None:
        nonlocal left
        part = min(left, refundable)
        if part <= 0:
            return
        back = Tender(tender, part, card_brand=brand, card_last4=last4, reason=reason)
        insert_payment(db, actor, order_id, back, station=station, now=now,
                        amount_cents=-part, refund_of=pid)
        left -= part

    for row in rows:
        if row[1] in OWN_TENDER_FIRST:
            reverse(*row)
    if to == "original":
        for row in rows:
            if row[1] not in OWN_TENDER_FIRST:
                reverse(*row)
    if left > 0 and to == "credit":   # kept for the customer as account credit
        insert_payment(db, actor, order_id, Tender("credit", left, reason=reason),
                        station=station, now=now, amount_cents=-left)
    elif left > 0:   # to cash, or nothing left on the original money tenders
        insert_payment(db, actor, order_id, Tender("cash", left, reason=reason),
                        station=station, now=now, amount_cents=-left)





def pending_card_payments(db: Database, *, shift_id: int | None = None) -> list[PendingCard]:
    """Card payments still waiting for the terminal's answer (status `unknown`), oldest
    first; only the shift's when `shift_id` is given."""
    sql = ("SELECT p.id, p.order_id, o.number, p.amount_cents, u.username, p.station, "
           "p.shift_id, p.created_at FROM payments p JOIN orders o ON o.id = p.order_id "
           "JOIN users u ON u.id = p.user_id WHERE p.status = 'unknown'")
    args: list[object] = []
    if shift_id is not None:
        sql += " AND p.shift_id = ?"
        args.append(shift_id)
    return [PendingCard(row[0], row[1], row[2], row[3], row[4], row[5], row[6],
                        parse_stamp(row[7]))
            for row in db.execute(sql + " ORDER BY p.created_at, p.id", args)]
