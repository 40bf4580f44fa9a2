"""A customer's orders: their history with totals, and the will-call list of orders waiting
to be picked up, with the pick-up itself (recorded once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from core import clock
from core.errors import BoxOfficeError, NotFound
from core.people.models import User
from core.people.permissions import authorize
from core.sales.customers import get_customer, parse_flags
from core.store import journal
from core.store.db import Database, write
from core.times import parse_stamp, stamp


@dataclass(frozen=True)
class OrderPerformance:
    performance_id: int
    event_name: str
    starts_at: datetime         # aware, UTC


@dataclass(frozen=True)
class OrderSummary:
    order_id: int
    number: str
    created_at: datetime        # aware, UTC
    status: str
    total_cents: int
    delivery: str
    picked_up_at: datetime | None
    tickets: int                # every ticket the order ever had
    live_tickets: int
    performances: tuple[OrderPerformance, ...]   # in start order


@dataclass(frozen=True)
class WillCallEntry:
    order_id: int
    order_number: str
    order_status: str           # 'deposit' or 'on_account' means money is still owed
    customer_id: int | None
    customer_name: str
    phone: str
    flags: frozenset[str]
    tickets: int                # live tickets for this performance


def order_history(db: Database, customer_id: int) -> list[OrderSummary]:
    """The customer's orders, newest first, with ticket counts and performances.

    Raises NotFound for an unknown customer (one with no orders gives []).
    """
    get_customer(db, customer_id)
    performances: dict[int, list[OrderPerformance]] = {}
    for order_id, performance_id, event_name, starts_at in db.execute(
            "SELECT DISTINCT t.order_id, p.id, e.name, p.starts_at FROM orders o "
            "JOIN tickets t ON t.order_id = o.id "
            "JOIN performances p ON p.id = t.performance_id "
            "JOIN events e ON e.id = p.event_id "
            "WHERE o.customer_id = ? ORDER BY p.starts_at, p.id", [customer_id]):
        performances.setdefault(order_id, []).append(
            OrderPerformance(performance_id, event_name, parse_stamp(starts_at)))
    rows = db.execute(
        "SELECT o.id, o.number, o.created_at, o.status, o.total_cents, o.delivery, "
        "o.picked_up_at, COUNT(t.id), COUNT(*) FILTER (WHERE t.status = 'live') "
        "FROM orders o LEFT JOIN tickets t ON t.order_id = o.id "
        "WHERE o.customer_id = ? GROUP BY o.id ORDER BY o.created_at DESC, o.id DESC",
        [customer_id])
    return [OrderSummary(row[0], row[1], parse_stamp(row[2]), row[3], row[4], row[5],
                         parse_stamp(row[6]) if row[6] else None, row[7], row[8],
                         tuple(performances.get(row[0], ()))) for row in rows]


def will_call(db: Database, performance_id: int) -> list[WillCallEntry]:
    """Will-call orders waiting for a performance, by customer name then order number.

    An order is waiting when its delivery is will-call, it is not picked up, voided or
    cancelled, and it has at least one live ticket for this performance. Raises NotFound
    for an unknown performance.
    """
    if db.execute("SELECT 1 FROM performances WHERE id = ?",
                  [performance_id]).fetchone() is None:
        raise NotFound(f"there is no performance {performance_id}")
    rows = db.execute(
        "SELECT o.id, o.number, o.status, o.customer_id, COALESCE(c.name, ''), "
        "COALESCE(c.phone, ''), COALESCE(c.flags, ''), COUNT(t.id) "
        "FROM orders o "
        "JOIN tickets t ON t.order_id = o.id AND t.performance_id = ? AND t.status = 'live' "
        "LEFT JOIN customers c ON c.id = o.customer_id "
        "WHERE o.delivery = 'will_call' AND o.picked_up_at IS NULL "
        "AND o.status NOT IN ('voided', 'cancelled') "
        "GROUP BY o.id, c.id ORDER BY lower(COALESCE(c.name, '')), o.number",
        [performance_id])
    return [WillCallEntry(row[0], row[1], row[2], row[3], row[4], row[5],
                          parse_flags(row[6]), row[7]) for row in rows]


def mark_picked_up(db: Database, actor: User, order_id: int, *,
                   now: datetime | None = None) -> datetime:
    """Record that a will-call order's tickets were handed over; returns when.

    Covers the whole order, every performance on it. Journaled as `order.picked_up`.
    Raises PermissionDenied without `will_call`, NotFound, BoxOfficeError
    `not_will_call`, `already_picked_up` (the second time), `no_live_tickets`.
    """
    authorize(db, actor, "will_call")
    moment = (now or clock.now()).astimezone(UTC)
    with write(db):
        row = db.execute("SELECT number, delivery, picked_up_at FROM orders WHERE id = ?",
                         [order_id]).fetchone()
        if row is None:
            raise NotFound(f"there is no order {order_id}")
        number, delivery, picked_up_at = row
        if delivery != "will_call":
            raise BoxOfficeError(f"order {number} is not held at will-call",
                                 code="not_will_call")
        if picked_up_at is not None:
            raise BoxOfficeError(f"order {number} was already picked up at {picked_up_at}",
                                 code="already_picked_up")
        if db.execute("SELECT 1 FROM tickets WHERE order_id = ? AND status = 'live'",
                      [order_id]).fetchone() is None:
            raise BoxOfficeError(f"order {number} has no live tickets to hand over",
                                 code="no_live_tickets")
        db.execute("UPDATE orders SET picked_up_at = ? WHERE id = ?",
                   [stamp(moment), order_id])
        journal.append(db, actor=actor.username, action="order.picked_up",
                       subject=f"order:{order_id}", data={"number": number})
    return moment.replace(microsecond=0)
