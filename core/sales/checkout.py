"""Orders: checkout from a cart with one or more tenders, and what follows a sale.

An order is committed before its tickets print. Every money movement is a `payments` row
and a `money` journal entry with the same amount, so reports computed from the journal
agree with the orders. Refund, void, exchange and reprint need their permission or a
supervisor's override, record a reason, and revoke the old ticket codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo

from core.errors import NotFound
from core.free_text import clean_text
from core.gate import codes
from core.money import TenderError, format_cents, refuse_card_numbers
from core.people.models import User
from core.people.permissions import Override, authorize
from core.sales.carts import cancel_cart, cart_to_sell, read_cart_ahead, view_cart
from core.sales.credit import check_credit
from core.sales.goods import issue_goods, order_goods
from core.sales.models import CartLine, CartView, Order, OrderGood, Payment, Ticket
from core.sales.orders import OrderError, get_order
from core.sales.payments import (
    insert_payment,
    payment_as_written,
    record_money,
    reverse_payments,
)
from core.sales.tenders import Tender, validate_tender
from core.store import journal
from core.store.db import Database, write
from core.till.shifts import read_open_shift_ahead

# loaded with the orders, not inside the first sale's write transaction (payments
# imports it late, as core.shifts reads payments): a fresh process's first sale
# paid 50-70 ms for it while holding the lock
from core.times import parse_stamp, stamp

FLAG_COMP = codes.COMP              # the flag bits carried in the ticket's code
FLAG_WHEELCHAIR = codes.WHEELCHAIR
FOREVER = "9999-12-31T00:00:00+00:00"


_CUSTOMER = "SELECT 1 FROM customers WHERE id = ?"


# the seats a cart holds
_CART_CLAIMS = "SELECT performance_id, seat_id FROM seat_claims WHERE cart_id = ?"


def require_held(cart: CartView, claims: set[tuple[int, int]] | None = None) -> None:
    """OrderError `seat_lost` unless every seat of the cart is claimed by it: in `claims`
    (the cart's claims, read now), or else as the cart was read (CartLine.held)."""
    if not all(line.held if claims is None
               else line.seat_id is None or (line.performance_id, line.seat_id) in claims
               for line in cart.lines):
        raise OrderError("a seat in the cart was lost before checkout", code="seat_lost")


def issue_tickets(db: Database, order_id: int, cart: CartView, now: datetime, *,
                  held_checked: bool = False) -> list[int]:
    """Inside a write: tickets and order lines for every cart line; seats become sold
    (all of them, or OrderError `seat_lost` and nothing is written). A few statements
    per hundred tickets, none waiting for an answer (see `read_sale_ahead`).
    `held_checked`: the caller read the cart in this write and passed `require_held`,
    and nothing has claimed or released a seat since; else the claims are read here."""
    if not held_checked:
        require_held(cart, {(performance_id, seat_id) for performance_id, seat_id
                            in db.fetch(_CART_CLAIMS, [cart.id])})
    # under the write lock nobody else can take the seats before the sale commits, so
    # they are claimed as sold without reading the count back
    lines = _each_ticket(cart)
    ids = db.new_ids("tickets", len(lines))
    for start in range(0, len(lines), 100):
        _insert_tickets(db, order_id, cart.id, lines[start:start + 100],
                        ids[start:start + 100], now)
    db.execute_later("UPDATE carts SET status = 'ordered' WHERE id = ?", [cart.id])
    return ids


def _insert_tickets(db: Database, order_id: int, cart_id: int, lines: Sequence[CartLine],
                    ids: Sequence[int], now: datetime) -> None:
    """Up to a hundred tickets with their serials and order lines, and their seats
    claimed as sold: three statements."""
    values: list[object] = []
    for line, ticket_id in zip(lines, ids, strict=True):
        values += [ticket_id, order_id, line.performance_id, line.section_id, line.seat_id,
                   line.price_type_id, _serial(ticket_id), _flags(line), stamp(now)]
    # a seat sold twice all the same is refused here by the unique index on live tickets
    db.execute_later(
        "INSERT INTO tickets (id, order_id, performance_id, section_id, seat_id, "
        "price_type_id, serial, flags, created_at) VALUES "
        f"{', '.join(['(?, ?, ?, ?, ?, ?, ?, ?, ?)'] * len(lines))}", values)
    db.execute_later(
        "INSERT INTO order_lines (order_id, ticket_id, description, base_cents, fee_cents, "
        f"tax_cents) VALUES {', '.join(['(?, ?, ?, ?, ?, ?)'] * len(lines))}",
        [value for line, ticket_id in zip(lines, ids, strict=True) for value in (
            order_id, ticket_id, f"{line.label} {line.price_type}", line.base_cents,
            line.fee_cents, line.tax_cents)])
    seated = [(line.performance_id, line.seat_id, ticket_id)
              for line, ticket_id in zip(lines, ids, strict=True) if line.seat_id is not None]
    if seated:
        db.execute_later(
            "UPDATE seat_claims SET state = 'sold', ticket_id = CASE "
            f"{' '.join(['WHEN performance_id = ? AND seat_id = ? THEN ?'] * len(seated))} "
            "END, cart_id = NULL, expires_at = NULL WHERE cart_id = ? AND "
            f"(performance_id, seat_id) IN (VALUES {', '.join(['(?, ?)'] * len(seated))})",
            [*(value for seat in seated for value in seat), cart_id,
             *(value for performance_id, seat_id, _ in seated
               for value in (performance_id, seat_id))])


def _each_ticket(cart: CartView) -> list[CartLine]:
    """The cart's lines, one per ticket (a line of places stands once per place)."""
    return [line for line in cart.lines for _ in range(line.quantity)]


def _serial(ticket_id: int) -> str:
    return f"T{ticket_id:08d}"


def _flags(line: CartLine) -> int:
    return (FLAG_COMP if line.comp else 0) | (FLAG_WHEELCHAIR if line.wheelchair else 0)


def _order_as_written(order_id: int, number: str, status: str, channel: str,
                      customer_id: int | None, delivery: str, now: datetime,
                      cart: CartView, ticket_ids: Sequence[int],
                      payments: Sequence[Payment], goods: Sequence[OrderGood]) -> Order:
    """The order `checkout` just wrote, as `get_order` reads it back (a test holds them
    equal): the sale's last round trip carries no reads (PostgreSQL)."""
    lines = _each_ticket(cart) if ticket_ids else []
    tickets = tuple(sorted((
        Ticket(ticket_id, _serial(ticket_id), line.performance_id, line.section, line.row,
               line.number, line.price_type, "live", 1, _flags(line), False,
               line.base_cents, line.fee_cents, line.tax_cents)
        for line, ticket_id in zip(lines, ticket_ids, strict=True)), key=lambda t: t.id))
    return Order(order_id, number, status, channel, customer_id, delivery,
                 parse_stamp(stamp(now)), tickets, tuple(payments), tuple(goods))


def read_sale_ahead(db: Database, cart_id: int, payments: int,
                    customer_id: int | None) -> None:
    """Inside a write that will sell the cart: its customer, and the ids of its order,
    payments and tickets, read with the next round trip (PostgreSQL; see
    Database.fetch_ahead and reserve_ids)."""
    if customer_id is not None:
        db.fetch_ahead(_CUSTOMER, [customer_id])
    db.reserve_ids({"orders": 1, "payments": payments,
                    "tickets": ("SELECT coalesce(sum(quantity), 0) FROM cart_items "
                                "WHERE cart_id = ?", [cart_id])})


def checkout(db: Database, actor: User, cart_id: int, tenders: Sequence[Tender],
             *, station: str, now: datetime, customer_id: int | None = None,
             delivery: str = "print", channel: str = "window", group_id: int | None = None,
             balance_due: date | None = None, zone: tzinfo = UTC,
             override: Override | None = None, on_plan: bool = False) -> Order:
    """Turn a cart into an order, paid by `tenders` (split tender allowed).

    The order completes only when approved tenders equal its total. A card tender whose
    terminal answer was lost (`status="unknown"`) leaves the order `pending`, seats still
    locked and no tickets, until `resolve_card_payment`. A group order may complete with a
    deposit and a `balance_due` date (status `deposit`), today or later in the venue's
    `zone`, and so may a window order sold `on_plan` (core.sales.plans; `group_sales`);
    a consignment order takes no tender (`on_account`). Comp price types and comp
    tenders need `comp`.
    Raises OrderError (`empty_cart`, `balance_not_zero`, `overpaid`, `seat_lost`,
    `no_customer`), TenderError, CartError, PermissionDenied.
    """
    station = clean_text(station, "station", required=True)
    if delivery not in ("print", "will_call"):
        raise OrderError("delivery is print or will_call", code="bad_delivery")
    if channel not in ("window", "group", "consignment", "subscription"):
        raise OrderError("channel is window, group, consignment or subscription",
                         code="bad_channel")
    if (channel == "group") != (group_id is not None):
        raise OrderError("a group order needs its group, and only a group order has one",
                         code="bad_group")
    if balance_due is not None and ((channel != "group" and not on_plan)
                                    or balance_due < now.astimezone(zone).date()):
        raise OrderError("a balance due date is for a group order or a payment plan, and "
                         "not in the past", code="bad_due_date")
    for tender in tenders:
        validate_tender(tender)
    def wants_comp(cart: CartView) -> bool:
        return any(t.kind == "comp" for t in tenders) or any(line.comp for line in cart.lines)

    # a supervisor's comp approval is asked (and journaled, even when refused) before the
    # sale's transaction; without one, the actor's own permission is checked inside it
    comp_approved = (authorize(db, actor, "comp", override=override)
                     if override is not None and wants_comp(view_cart(db, cart_id))
                     else None)
    with write(db):
        # what the sale will read anyway goes with its first round trip (PostgreSQL)
        read_open_shift_ahead(db, actor.id)
        journal.read_tail_ahead(db)
        read_cart_ahead(db, cart_id)
        read_sale_ahead(db, cart_id, len(tenders), customer_id)
        authorize(db, actor, "sell")
        cart = cart_to_sell(db, cart_id, now)
        if cart.empty:
            raise OrderError("the cart is empty", code="empty_cart")
        if customer_id is not None and not db.fetch(_CUSTOMER, [customer_id]):
            raise OrderError(f"there is no customer #{customer_id}", code="no_customer")
        if wants_comp(cart) and comp_approved is None:   # the cart changed meanwhile
            authorize(db, actor, "comp")
        if any(t.kind == "account" for t in tenders) and channel == "window":
            raise TenderError("on account is for group and consignment orders")
        spent = sum(t.amount_cents for t in tenders if t.kind == "credit")
        if spent:
            check_credit(db, customer_id, spent)
        total = cart.total_cents
        approved = sum(t.amount_cents for t in tenders if t.status == "approved")
        unknown = sum(t.amount_cents for t in tenders if t.status == "unknown")
        if channel == "group" or on_plan:
            authorize(db, actor, "group_sales")
        status = _order_status(db, actor, "group" if on_plan else channel, tenders, total,
                               approved, unknown, balance_due)
        order_id = db.new_ids("orders", 1)[0]
        number = f"{order_id + 100000}"
        db.execute_later(
            "INSERT INTO orders (id, number, customer_id, user_id, station, channel, "
            "group_id, cart_id, status, total_cents, balance_due_date, delivery, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [order_id, number, customer_id, actor.id, station, channel, group_id, cart_id,
             status, total, balance_due.isoformat() if balance_due else None, delivery,
             stamp(now)])
        payments = [payment_as_written(
                        insert_payment(db, actor, order_id, tender, station=station, now=now),
                        tender)
                    for tender in tenders]
        ticket_ids: list[int] = []
        goods: tuple[OrderGood, ...] = ()
        if status == "pending":
            db.execute("UPDATE carts SET status = 'pending', expires_at = ? WHERE id = ?",
                       [FOREVER, cart_id])
            db.execute("UPDATE seat_claims SET expires_at = ? WHERE cart_id = ?",
                       [FOREVER, cart_id])
        else:
            require_held(cart)
            ticket_ids = issue_tickets(db, order_id, cart, now, held_checked=True)
            if cart.goods:
                issue_goods(db, actor, order_id, cart_id, now)
                goods = order_goods(db, order_id)
        journal.append(db, actor=actor.username, action="order.create",
                       subject=f"order:{order_id}",
                       data={"number": number, "status": status, "total_cents": total,
                             "tickets": cart.ticket_count, "channel": channel,
                             "goods": {g.sku: g.quantity for g in cart.goods}})
    return _order_as_written(order_id, number, status, channel, customer_id, delivery, now,
                             cart, ticket_ids, payments, goods)


def _order_status(db: Database, actor: User, channel: str,
                  tenders: Sequence[Tender], total: int, approved: int, unknown: int,
                  balance_due: date | None) -> str:
    if channel == "consignment":
        authorize(db, actor, "consign")
        if tenders:
            raise OrderError("a consignment is paid when it is settled, not now",
                             code="consignment_tender")
        return "on_account"
    if approved + unknown > total:
        raise OrderError(f"the tenders come to {format_cents(approved + unknown)} but the order is "
                         f"{format_cents(total)}; for cash, enter what was handed over as tendered",
                         code="overpaid")
    if unknown:
        if approved + unknown != total:
            raise OrderError(f"still due: {format_cents(total - approved - unknown)}",
                             code="balance_not_zero")
        return "pending"
    if approved == total:
        return "complete"
    if channel == "group" and balance_due is not None and approved > 0:
        return "deposit"
    raise OrderError(f"still due: {format_cents(total - approved)} of {format_cents(total)}",
                     code="balance_not_zero")


def resolve_card_payment(db: Database, actor: User, payment_id: int, *,
                         approved: bool, approval_code: str | None, station: str,
                         now: datetime, hold: timedelta, release: bool = False,
                         override: Override | None = None) -> Order:
    """Settle a card payment whose terminal answer was lost, from the terminal's journal.

    Approved: the order completes and its tickets are issued. Declined: the order is
    cancelled and its cart reopens so the seller can take another tender, or, with
    `release` (settled later, from the order), the cart is cancelled and its seats go
    back on sale. Either way the card is charged at most once. Needs `override` (a
    supervisor: a seller passes their `override`). Raises OrderError `not_unknown`,
    TenderError, PermissionDenied, NotFound `unknown_payment`."""
    authorize(db, actor, "override", override=override)
    with write(db):
        row = db.execute("SELECT order_id, status, amount_cents FROM payments WHERE id = ?",
                         [payment_id]).fetchone()
        if row is None:
            raise NotFound(f"there is no payment {payment_id}", code="unknown_payment")
        order_id, status, amount = row
        if status != "unknown":
            raise OrderError(f"that payment is already {status}", code="not_unknown")
        if approved:
            refuse_card_numbers(approval_code=approval_code)
            if not (approval_code or "").isalnum():
                raise TenderError("enter the approval code from the terminal's journal",
                                  code="card_details")
            db.execute("UPDATE payments SET status = 'approved', approval_code = ? "
                       "WHERE id = ?", [approval_code, payment_id])
            record_money(db, actor, order_id, payment_id, "card", amount)
        else:
            db.execute("UPDATE payments SET status = 'declined' WHERE id = ?", [payment_id])
        journal.append(db, actor=actor.username, action="payment.resolve",
                       subject=f"order:{order_id}",
                       data={"payment_id": payment_id, "approved": approved})
        order = get_order(db, order_id)
        if order.status != "pending":
            if approved:   # the order was cancelled meanwhile: the charge goes back at once
                back = Tender("card", amount, reason="order no longer pending")
                insert_payment(db, actor, order_id, back, station=station, now=now,
                                amount_cents=-amount, refund_of=payment_id)
            return get_order(db, order_id)
        cart_id = db.execute("SELECT cart_id FROM orders WHERE id = ?",
                             [order_id]).fetchone()[0]
        still_unknown = any(p.status == "unknown" for p in order.payments)
        if approved and not still_unknown:
            cart = view_cart(db, cart_id)
            if order.paid_cents == cart.total_cents:
                issue_tickets(db, order_id, cart, now)
                # the card is charged: the goods are sold even if stock ran out meanwhile
                issue_goods(db, actor, order_id, cart_id, now, enforce=False)
                db.execute("UPDATE orders SET status = 'complete' WHERE id = ?", [order_id])
        elif not approved:
            reverse_payments(db, actor, order_id, station=station, now=now,
                              reason="card declined")
            db.execute("UPDATE orders SET status = 'cancelled' WHERE id = ?", [order_id])
            # the seats stay in the reopened cart for a fresh hold time
            until = stamp(now + hold)
            db.execute("UPDATE carts SET status = 'open', expires_at = ? WHERE id = ?",
                       [until, cart_id])
            db.execute("UPDATE seat_claims SET expires_at = ? WHERE cart_id = ?",
                       [until, cart_id])
            if release:
                cancel_cart(db, actor, cart_id, now)
        return get_order(db, order_id)


