"""Orders as they are read and kept: find one, its tickets' codes, marking tickets printed,
and the two steps every change after the sale shares (retiring tickets, the order's
total brought up to date)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.errors import BoxOfficeError, NotFound
from core.free_text import LONG, clean_text
from core.gate import codes, keys
from core.money import format_cents
from core.people.models import User
from core.people.permissions import authorize
from core.sales.goods import ORDER_GOODS
from core.sales.models import Order, OrderGood, Payment, Ticket
from core.store.db import Database, write
from core.times import stamp


class OrderError(BoxOfficeError):
    code = "order"


def retire_tickets(db: Database, order_id: int, ticket_ids: Sequence[int],
                    status: str, reason: str, now: datetime, *, actor: str) -> int:
    """Inside a write: tickets leave service, codes revoked, seats back on sale.
    Returns what their lines were worth."""
    value = 0
    for ticket_id in ticket_ids:
        row = db.execute("SELECT t.status, t.generation, t.performance_id, t.seat_id, "
                         "l.base_cents + l.fee_cents + l.tax_cents FROM tickets t JOIN "
                         "order_lines l ON l.ticket_id = t.id WHERE t.id = ? AND "
                         "t.order_id = ?", [ticket_id, order_id]).fetchone()
        if row is None:
            raise NotFound(f"ticket {ticket_id} is not in this order", code="unknown_ticket")
        if row[0] != "live":
            raise OrderError(f"ticket {ticket_id} is already {row[0]}", code="not_live")
        db.execute("UPDATE tickets SET status = ? WHERE id = ?", [status, ticket_id])
        db.execute("UPDATE order_lines SET status = ? WHERE ticket_id = ?", [status, ticket_id])
        keys.revoke(db, ticket_id, row[1], f"{status}: {reason}", actor=actor, at=now)
        if row[3] is not None:
            db.execute("DELETE FROM seat_claims WHERE performance_id = ? AND seat_id = ? AND "
                       "ticket_id = ?", [row[2], row[3], ticket_id])
        value += row[4]
    return value


def require_reason(reason: str) -> None:
    if not reason.strip():
        raise OrderError("give a reason", code="reason_required")
    clean_text(reason, "reason", max_length=LONG)


def refresh_total(db: Database, order_id: int) -> None:
    db.execute("UPDATE orders SET total_cents = (SELECT coalesce(sum(base_cents + fee_cents "
               "+ tax_cents), 0) FROM order_lines WHERE order_id = ? AND status = 'active') "
               "+ (SELECT coalesce(sum((price_cents + tax_cents) * (quantity - returned)), 0) "
               "FROM order_goods WHERE order_id = ?) WHERE id = ?",
               [order_id, order_id, order_id])


def authorize_codes(db: Database, actor: User, order_id: int | None = None) -> None:
    """Showing or printing a live ticket code is handing out a ticket: it needs `sell`
    (the gate role has no such grant; a gate only reads codes), and the order's tickets
    issued (`require_issued`). Raises PermissionDenied, OrderError `not_issued`."""
    authorize(db, actor, "sell")
    if order_id is not None:
        require_issued(db, order_id)


def withheld(db: Database, order_id: int) -> str:
    """Why the order's tickets may not be handed out yet ("" when they may): a payment
    plan agreed to issue them when paid in full, and a balance is still owed. Its
    tickets exist and hold their seats, but no code leaves the box office: no print, no
    PDF, no will-call pickup, no reprint, so nothing can be scanned at a gate."""
    row = db.execute(
        "SELECT o.number, o.total_cents, (SELECT coalesce(sum(amount_cents), 0) FROM "
        "payments WHERE order_id = o.id AND status = 'approved') FROM payment_plans p "
        "JOIN orders o ON o.id = p.order_id WHERE p.order_id = ? AND "
        "p.tickets = 'paid_in_full' AND p.status = 'active' AND o.status = 'deposit'",
        [order_id]).fetchone()
    if row is None:
        return ""
    number, total, paid = row
    return (f"order {number}'s tickets are issued when its payment plan is paid in full: "
            f"{format_cents(int(total) - int(paid))} still to pay")


def require_issued(db: Database, order_id: int) -> None:
    """Raises OrderError `not_issued` while the order's tickets are withheld (`withheld`)."""
    why = withheld(db, order_id)
    if why:
        raise OrderError(why, code="not_issued")


def ticket_code(signer: codes.Signer, ticket: Ticket) -> str:
    """The signed code printed on (and scanned from) the ticket's current generation.
    A pure signature: whoever hands it out checks `authorize_codes` (or `withheld`) for
    the order first, so a payment plan's tickets kept back never get a code."""
    return signer.sign(ticket.id, ticket.performance_id, ticket.generation, ticket.flags)


def mark_printed(db: Database, ticket_ids: Sequence[int], now: datetime) -> None:
    """Record that the printer took these tickets' job."""
    if not ticket_ids:
        return
    with write(db):
        marks = ",".join("?" * len(ticket_ids))
        db.execute(f"UPDATE tickets SET printed_at = ? WHERE id IN ({marks})",
                   [stamp(now), *ticket_ids])


_ORDER = ("SELECT id, number, status, channel, customer_id, delivery, created_at "
          "FROM orders WHERE id = ?")
_ORDER_TICKETS = (
    "SELECT t.id, t.serial, t.performance_id, c.code, s.row_label, s.number, p.code, "
    "t.status, t.generation, t.flags, t.printed_at, l.base_cents, l.fee_cents, "
    "l.tax_cents FROM tickets t JOIN sections c ON c.id = t.section_id "
    "LEFT JOIN seats s ON s.id = t.seat_id JOIN price_types p ON p.id = t.price_type_id "
    "JOIN order_lines l ON l.ticket_id = t.id WHERE t.order_id = ? ORDER BY t.id")
_ORDER_PAYMENTS = (
    "SELECT id, tender, amount_cents, status, coalesce(change_cents, 0), card_brand, "
    "card_last4, approval_code, reason FROM payments WHERE order_id = ? ORDER BY id")


def get_order(db: Database, order_id: int) -> Order:
    """An order with its tickets and payments. Raises NotFound `unknown_order`."""
    orders, ticket_rows, payment_rows, goods = db.fetch_each([
        (_ORDER, [order_id]), (_ORDER_TICKETS, [order_id]), (_ORDER_PAYMENTS, [order_id]),
        (ORDER_GOODS, [order_id])])
    if not orders:
        raise NotFound(f"there is no order {order_id}", code="unknown_order")
    row = orders[0]
    tickets = tuple(Ticket(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10] is not None,
        r[11], r[12], r[13]) for r in ticket_rows)
    return Order(row[0], row[1], row[2], row[3], row[4], row[5],
                 datetime.fromisoformat(row[6]), tickets,
                 tuple(Payment(*r) for r in payment_rows), tuple(OrderGood(*r) for r in goods))


def find_order(db: Database, number: str) -> Order:
    """An order by its number. Raises NotFound `unknown_order`."""
    row = db.execute("SELECT id FROM orders WHERE number = ?", [number.strip()]).fetchone()
    if row is None:
        raise NotFound(f"there is no order {number}", code="unknown_order")
    return get_order(db, row[0])
