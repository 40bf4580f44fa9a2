"""Reserve online, pay at the box office.

A patron's cart becomes an order in status `reserved` (channel `web`): no money, no
tickets, its seats kept (still claimed by the cart) until a pay-by deadline. A window
finds it like any order, takes the usual tenders in the seller's shift and the tickets
are issued then. When the deadline passes the claims run out like any cart's, so the
seats go back on sale with no one acting; the order is marked cancelled the next time
reservations are looked at. Limits: `[web] reserve_hours` after reserving, never later
than `[web] reserve_cutoff_hours` before the first performance in it, and
`[web] reservations_per_email` unpaid reservations per email.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.config import WebConfig
from core.errors import NotFound
from core.people.models import User
from core.people.permissions import authorize
from core.sales import customers
from core.sales.carts import require_open, view_cart
from core.sales.checkout import issue_tickets
from core.sales.credit import check_credit
from core.sales.models import CartView
from core.sales.online import ACCOUNT, STATION, OnlineError, web_account
from core.sales.orders import OrderError
from core.sales.package_orders import record_packages
from core.sales.payments import insert_payment
from core.sales.tenders import Tender, validate_tender
from core.store import journal
from core.store.db import Database, insert, write
from core.times import stamp

SHORTEST = timedelta(hours=1)       # a deadline sooner than this is no use to anyone


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class WebOrder:
    """A web order as its patron and the window see it, paid or not."""

    id: int
    number: str
    status: str                 # reserved, complete, cancelled, ...
    total_cents: int
    pay_by: datetime | None     # a reservation's deadline
    created_at: datetime
    name: str
    email: str
    cart: CartView              # what was reserved or bought, priced

    def expired(self, now: datetime) -> bool:
        return self.status == "reserved" and self.pay_by is not None and self.pay_by <= now


def check_contact(contact: Contact, *, phone_required: bool = False) -> Contact:
    """The contact cleaned. Raises BoxOfficeError `bad_name`, `bad_email` (an email is
    required: it is how the patron finds the order), `bad_phone`."""
    email = customers.check_email(contact.email)
    if not email:
        raise OnlineError("an email address is needed to send your order", code="bad_email")
    phone = customers.normalise_phone(contact.phone)
    if phone_required and not phone:
        raise OnlineError("a phone number is needed", code="bad_phone")
    return Contact(customers.clean_name(contact.name), email, phone)


def deadline(cart: CartView, db: Database, web: WebConfig, now: datetime) -> datetime:
    """When a reservation of this cart must be paid by. Raises OnlineError
    `no_reservations` (switched off, or too close to the performance)."""
    if web.reserve_hours <= 0:
        raise OnlineError("reservations are not taken online: pay now", code="no_reservations")
    first = min(datetime.fromisoformat(db.execute(
        "SELECT starts_at FROM performances WHERE id = ?", [line.performance_id]
    ).fetchone()[0]) for line in cart.lines)
    until = min(now + timedelta(hours=web.reserve_hours),
                first - timedelta(hours=web.reserve_cutoff_hours))
    if until - now < SHORTEST:
        raise OnlineError("it is too close to the performance to reserve: pay now, or buy "
                          "at the box office", code="no_reservations")
    return until


def customer_for(db: Database, account: User, contact: Contact, now: datetime) -> int:
    """Inside a write: the customer with this email and name, or a new one."""
    row = db.execute(
        "SELECT id FROM customers WHERE lower(email) = lower(?) AND lower(name) = lower(?) "
        "AND merged_into IS NULL AND anonymised_at IS NULL ORDER BY id LIMIT 1",
        [contact.email, contact.name]).fetchone()
    if row is not None:
        return int(row[0])
    return customers.create_customer(db, account, contact.name, phone=contact.phone,
                                     email=contact.email, now=now).id


def _open_reservations(db: Database, email: str, now: datetime) -> int:
    return int(db.execute(
        "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE "
        "o.status = 'reserved' AND o.pay_by > ? AND lower(c.email) = lower(?)",
        [stamp(now), email]).fetchone()[0])


def new_web_order(db: Database, account: User, cart: CartView, customer_id: int,
                  status: str, now: datetime, *, pay_by: datetime | None = None) -> int:
    """Inside a write: the order row of a web cart (channel `web`), numbered like every
    order."""
    order_id = insert(db,
        "INSERT INTO orders (number, customer_id, user_id, station, channel, cart_id, "
        "status, total_cents, pay_by, delivery, created_at) VALUES (?, ?, ?, ?, 'web', ?, "
        "?, ?, ?, 'print', ?)",
        [f"pending-{cart.id}", customer_id, account.id, STATION, cart.id, status,
         cart.total_cents, stamp(pay_by) if pay_by else None, stamp(now)])
    db.execute("UPDATE orders SET number = ? WHERE id = ?", [f"{order_id + 100000}", order_id])
    return order_id


def reserve(db: Database, cart_id: int, contact: Contact, web: WebConfig,
            now: datetime) -> WebOrder:
    """Turn the patron's cart into a reservation to pay at the box office. Raises
    OnlineError (`no_reservations`, `too_many_reservations`, `bad_email`), CartError
    `cart_expired`, OrderError `empty_cart`, BoxOfficeError for a bad name or phone."""
    contact = check_contact(contact)
    account = web_account(db)
    with write(db):
        require_open(db, cart_id, now)
        cart = view_cart(db, cart_id)
        if cart.empty:
            raise OrderError("your cart is empty", code="empty_cart")
        until = deadline(cart, db, web, now)
        if _open_reservations(db, contact.email, now) >= web.reservations_per_email:
            raise OnlineError(f"{contact.email} already has {web.reservations_per_email} "
                              "unpaid reservations: pay for those first",
                              code="too_many_reservations")
        customer_id = customer_for(db, account, contact, now)
        order_id = new_web_order(db, account, cart, customer_id, "reserved", now,
                                 pay_by=until)
        # the seats stay claimed by the cart until the deadline, then run out like any cart
        db.execute("UPDATE carts SET status = 'pending', expires_at = ? WHERE id = ?",
                   [stamp(until), cart_id])
        db.execute("UPDATE seat_claims SET expires_at = ? WHERE cart_id = ?",
                   [stamp(until), cart_id])
        journal.append(db, actor=account.username, action="order.reserve",
                       subject=f"order:{order_id}",
                       data={"total_cents": cart.total_cents, "tickets": cart.ticket_count,
                             "pay_by": stamp(until)})
        return web_order(db, order_id)


def expire_reservations(db: Database, now: datetime) -> list[str]:
    """Mark the reservations whose deadline has passed cancelled (their seats went back
    on sale when their claims ran out); returns their numbers. Journaled."""
    with write(db):
        due = db.execute("SELECT id, number, cart_id FROM orders WHERE status = 'reserved' "
                         "AND pay_by <= ?", [stamp(now)]).fetchall()
        for order_id, number, cart_id in due:
            db.execute("UPDATE orders SET status = 'cancelled' WHERE id = ?", [order_id])
            db.execute("UPDATE carts SET status = 'expired' WHERE id = ?", [cart_id])
            db.execute("DELETE FROM seat_claims WHERE cart_id = ? AND state = 'cart'",
                       [cart_id])
            journal.append(db, actor=ACCOUNT, action="order.reservation_expired",
                           subject=f"order:{order_id}", data={"number": number})
    return [row[1] for row in due]


def pay_reservation(db: Database, actor: User, order_id: int, tenders: Sequence[Tender],
                    *, station: str, now: datetime) -> WebOrder:
    """Take payment for a reservation at the window (in the seller's open shift) and
    issue its tickets. Raises OrderError (`not_reserved`, `reservation_expired`,
    `balance_not_zero`, `overpaid`, `seat_lost`), TenderError, ShiftError
    `no_open_shift`, PermissionDenied."""
    for tender in tenders:
        validate_tender(tender)
        if tender.status != "approved":
            raise OrderError("take a reservation's payment once the card is approved",
                             code="card_not_approved")
    expire_reservations(db, now)
    with write(db):
        authorize(db, actor, "sell")
        order = web_order(db, order_id)
        if order.status != "reserved":
            word = "ran out" if order.status == "cancelled" else f"is {order.status}"
            raise OrderError(f"order {order.number} {word}: it is not a reservation to pay",
                             code="not_reserved")
        spent = sum(t.amount_cents for t in tenders if t.kind == "credit")
        if spent:
            check_credit(db, db.execute("SELECT customer_id FROM orders WHERE id = ?",
                                        [order_id]).fetchone()[0], spent)
        paid = sum(t.amount_cents for t in tenders)
        if paid != order.total_cents:
            raise OrderError(f"the tenders come to {paid / 100:.2f} but the reservation is "
                             f"{order.total_cents / 100:.2f}", code="balance_not_zero")
        for tender in tenders:
            insert_payment(db, actor, order_id, tender, station=station, now=now)
        issue_tickets(db, order_id, order.cart, now)
        record_packages(db, actor.username, order_id, order.cart.id, now)
        db.execute("UPDATE orders SET status = 'complete' WHERE id = ?", [order_id])
        journal.append(db, actor=actor.username, action="order.reservation_paid",
                       subject=f"order:{order_id}",
                       data={"number": order.number, "total_cents": order.total_cents,
                             "station": station})
        return web_order(db, order_id)


def open_reservations(db: Database, now: datetime) -> list[WebOrder]:
    """The unpaid reservations still to be paid, soonest deadline first (overdue ones are
    cancelled first, as their seats are back on sale)."""
    expire_reservations(db, now)
    return [web_order(db, row[0]) for row in db.execute(
        "SELECT id FROM orders WHERE status = 'reserved' ORDER BY pay_by, id")]


def web_order(db: Database, order_id: int) -> WebOrder:
    """A web order with its cart. Raises NotFound `unknown_order` (also for an order
    that did not come from the web)."""
    row = db.execute(
        "SELECT o.id, o.number, o.status, o.total_cents, o.pay_by, o.created_at, c.name, "
        "c.email, o.cart_id FROM orders o JOIN customers c ON c.id = o.customer_id "
        "WHERE o.id = ? AND o.channel = 'web'", [order_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no web order {order_id}", code="unknown_order")
    return WebOrder(row[0], row[1], row[2], row[3],
                    datetime.fromisoformat(row[4]) if row[4] else None,
                    datetime.fromisoformat(row[5]), row[6], row[7], view_cart(db, row[8]))


def find_reservation(db: Database, number: str) -> WebOrder:
    """A web order by its number alone (the window's lookup). Raises NotFound."""
    row = db.execute("SELECT id FROM orders WHERE number = ? AND channel = 'web'",
                     [number.strip()]).fetchone()
    if row is None:
        raise NotFound(f"there is no web order {number}", code="unknown_order")
    return web_order(db, int(row[0]))


def find_web_order(db: Database, number: str, email: str) -> WebOrder:
    """The web order with this number and email (both must match; the same answer for
    either wrong, so neither can be guessed alone). Raises NotFound `unknown_order`."""
    row = db.execute(
        "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE "
        "o.number = ? AND o.channel = 'web' AND lower(c.email) = lower(?)",
        [number.strip(), email.strip()]).fetchone()
    if row is None:
        raise NotFound("no order has that number and email", code="unknown_order")
    return web_order(db, int(row[0]))

