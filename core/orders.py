"""Orders: checkout from a cart with one or more tenders, and what follows a sale.

An order is committed before its tickets print. Every money movement is a `payments` row
and a `money` journal entry with the same amount, so reports computed from the journal
agree with the orders. Refund, void, exchange and reprint need their permission or a
supervisor's override, record a reason, and revoke the old ticket codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import sqlite_utils

from core import journal, tokens

# loaded with the orders, not inside the first sale's write transaction (payments
# imports it late, as core.shifts reads payments): a fresh process's first sale
# paid 50-70 ms for it while holding the lock
from core import shifts as _shifts  # noqa: F401
from core.carts import CartView, _open, view_cart
from core.db import write
from core.errors import BoxOfficeError, NotFound
from core.goods import OrderGood, issue_goods, order_goods, return_goods
from core.inventory import stamp
from core.payments import format_cents, insert_payment, pay_back, record_money, reverse_payments
from core.permissions import Override, authorize
from core.tenders import Tender, TenderError, refuse_card_numbers, validate_tender
from core.users import User

FLAG_COMP = tokens.COMP              # the flag bits carried in the ticket's code
FLAG_WHEELCHAIR = tokens.WHEELCHAIR
FOREVER = "9999-12-31T00:00:00+00:00"


class OrderError(BoxOfficeError):
    code = "order"


@dataclass(frozen=True)
class Payment:
    id: int
    tender: str
    amount_cents: int
    status: str
    change_cents: int
    card_brand: str | None
    card_last4: str | None
    approval_code: str | None
    reason: str | None


@dataclass(frozen=True)
class Ticket:
    id: int
    serial: str
    performance_id: int
    section: str
    row: str | None
    number: int | None
    price_type: str
    status: str
    generation: int
    flags: int
    printed: bool
    base_cents: int
    fee_cents: int
    tax_cents: int

    @property
    def label(self) -> str:
        if self.row is None:
            return f"{self.section} general admission"
        return f"{self.section} {self.row}-{self.number}"


@dataclass(frozen=True)
class Order:
    id: int
    number: str
    status: str
    channel: str
    customer_id: int | None
    delivery: str
    created_at: datetime
    tickets: tuple[Ticket, ...]
    payments: tuple[Payment, ...]
    goods: tuple[OrderGood, ...] = ()     # concessions and merchandise

    @property
    def value_cents(self) -> int:
        """What the order's live tickets and kept goods are worth."""
        return sum(t.base_cents + t.fee_cents + t.tax_cents for t in self.tickets
                   if t.status == "live") + sum(g.value_cents for g in self.goods)

    @property
    def paid_cents(self) -> int:
        return sum(p.amount_cents for p in self.payments if p.status == "approved")

    @property
    def balance_cents(self) -> int:
        return self.value_cents - self.paid_cents

    @property
    def change_cents(self) -> int:
        return sum(p.change_cents for p in self.payments if p.status == "approved")


def _issue_tickets(db: sqlite_utils.Database, order_id: int, cart: CartView,
                   now: datetime) -> list[int]:
    """Inside a write: tickets and order lines for every cart line; seats become sold."""
    comp_types = {row[0] for row in db.execute("SELECT code FROM price_types WHERE "
                                               "kind = 'comp'")}
    ids: list[int] = []
    for line in cart.lines:
        type_id = db.execute("SELECT id FROM price_types WHERE code = ?",
                             [line.price_type]).fetchone()[0]
        flags = (FLAG_COMP if line.price_type in comp_types else 0) | (
            FLAG_WHEELCHAIR if line.wheelchair else 0)
        for _ in range(line.quantity):
            ticket_id = db.execute(
                "INSERT INTO tickets (order_id, performance_id, section_id, seat_id, "
                "price_type_id, serial, flags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [order_id, line.performance_id, line.section_id, line.seat_id, type_id,
                 f"pending-{order_id}-{len(ids)}", flags, stamp(now)]).lastrowid
            assert ticket_id is not None
            db.execute("UPDATE tickets SET serial = ? WHERE id = ?",
                       [f"T{ticket_id:08d}", ticket_id])
            db.execute("INSERT INTO order_lines (order_id, ticket_id, description, base_cents, "
                       "fee_cents, tax_cents) VALUES (?, ?, ?, ?, ?, ?)",
                       [order_id, ticket_id, f"{line.label} {line.price_type}",
                        line.base_cents, line.fee_cents, line.tax_cents])
            if line.seat_id is not None:
                claimed = db.execute(
                    "UPDATE seat_claims SET state = 'sold', ticket_id = ?, cart_id = NULL, "
                    "expires_at = NULL WHERE performance_id = ? AND seat_id = ? AND "
                    "cart_id = ?", [ticket_id, line.performance_id, line.seat_id,
                                    cart.id]).rowcount
                if claimed != 1:
                    raise OrderError("a seat in the cart was lost before checkout",
                                     code="seat_lost")
            ids.append(ticket_id)
    db.execute("UPDATE carts SET status = 'ordered' WHERE id = ?", [cart.id])
    return ids


def checkout(db: sqlite_utils.Database, actor: User, cart_id: int, tenders: Sequence[Tender],
             *, station: str, now: datetime, customer_id: int | None = None,
             delivery: str = "print", channel: str = "window", group_id: int | None = None,
             balance_due: date | None = None, zone: tzinfo = UTC,
             override: Override | None = None) -> Order:
    """Turn a cart into an order, paid by `tenders` (split tender allowed).

    The order completes only when approved tenders equal its total. A card tender whose
    terminal answer was lost (`status="unknown"`) leaves the order `pending`, seats still
    locked and no tickets, until `resolve_card_payment`. A group order may complete with a
    deposit and a `balance_due` date (status `deposit`), today or later in the venue's
    `zone`; a consignment order takes no
    tender (`on_account`). Comp price types and comp tenders need `comp`.
    Raises OrderError (`empty_cart`, `balance_not_zero`, `overpaid`, `seat_lost`),
    TenderError, CartError, PermissionDenied.
    """
    if delivery not in ("print", "will_call"):
        raise OrderError("delivery is print or will_call", code="bad_delivery")
    if channel not in ("window", "group", "consignment"):
        raise OrderError("channel is window, group or consignment", code="bad_channel")
    if (channel == "group") != (group_id is not None):
        raise OrderError("a group order needs its group, and only a group order has one",
                         code="bad_group")
    if balance_due is not None and (channel != "group"
                                    or balance_due < now.astimezone(zone).date()):
        raise OrderError("a balance due date is for a group order, and not in the past",
                         code="bad_due_date")
    for tender in tenders:
        validate_tender(tender)
    comp_types = {row[0] for row in db.execute(
        "SELECT code FROM price_types WHERE kind = 'comp'")}

    def wants_comp(cart: CartView) -> bool:
        return any(line.price_type in comp_types for line in cart.lines) or any(
            t.kind == "comp" for t in tenders)

    # a supervisor's comp approval is asked (and journaled, even when refused) first
    comp_approved = (authorize(db, actor, "comp", override=override)
                     if wants_comp(view_cart(db, cart_id)) else None)
    with write(db):
        authorize(db, actor, "sell")
        _open(db, cart_id, now)
        cart = view_cart(db, cart_id)
        if cart.empty:
            raise OrderError("the cart is empty", code="empty_cart")
        if wants_comp(cart) and comp_approved is None:   # the cart changed meanwhile
            authorize(db, actor, "comp")
        if any(t.kind == "account" for t in tenders) and channel == "window":
            raise TenderError("on account is for group and consignment orders")
        total = cart.total_cents
        approved = sum(t.amount_cents for t in tenders if t.status == "approved")
        unknown = sum(t.amount_cents for t in tenders if t.status == "unknown")
        if channel == "group":
            authorize(db, actor, "group_sales")
        status = _order_status(db, actor, channel, tenders, total, approved, unknown,
                               balance_due)
        order_id = db.execute(
            "INSERT INTO orders (number, customer_id, user_id, station, channel, group_id, "
            "cart_id, status, total_cents, balance_due_date, delivery, created_at) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [f"pending-{cart_id}", customer_id, actor.id, station, channel, group_id, cart_id,
             status, total, balance_due.isoformat() if balance_due else None, delivery,
             stamp(now)]).lastrowid
        assert order_id is not None
        number = f"{order_id + 100000}"
        db.execute("UPDATE orders SET number = ? WHERE id = ?", [number, order_id])
        for tender in tenders:
            insert_payment(db, actor, order_id, tender, station=station, now=now)
        if status == "pending":
            db.execute("UPDATE carts SET status = 'pending', expires_at = ? WHERE id = ?",
                       [FOREVER, cart_id])
            db.execute("UPDATE seat_claims SET expires_at = ? WHERE cart_id = ?",
                       [FOREVER, cart_id])
        else:
            _issue_tickets(db, order_id, cart, now)
            issue_goods(db, actor, order_id, cart_id, now)
        journal.append(db, actor=actor.username, action="order.create",
                       subject=f"order:{order_id}",
                       data={"number": number, "status": status, "total_cents": total,
                             "tickets": cart.ticket_count, "channel": channel,
                             "goods": {g.sku: g.quantity for g in cart.goods}})
        return get_order(db, order_id)


def _order_status(db: sqlite_utils.Database, actor: User, channel: str,
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


def resolve_card_payment(db: sqlite_utils.Database, actor: User, payment_id: int, *,
                         approved: bool, approval_code: str | None, station: str,
                         now: datetime, hold: timedelta) -> Order:
    """Settle a card payment whose terminal answer was lost, from the terminal's journal.

    Approved: the order completes and its tickets are issued. Declined: the order is
    cancelled and its cart reopens so the seller can take another tender. Either way the
    card is charged at most once. Raises OrderError `not_unknown`, TenderError."""
    with write(db):
        authorize(db, actor, "sell")
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
                _issue_tickets(db, order_id, cart, now)
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
        return get_order(db, order_id)


def _retire_tickets(db: sqlite_utils.Database, order_id: int, ticket_ids: Sequence[int],
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
        tokens.revoke(db, ticket_id, row[1], f"{status}: {reason}", actor=actor, at=now)
        if row[3] is not None:
            db.execute("DELETE FROM seat_claims WHERE performance_id = ? AND seat_id = ? AND "
                       "ticket_id = ?", [row[2], row[3], ticket_id])
        value += row[4]
    return value


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise OrderError("give a reason", code="reason_required")
    refuse_card_numbers(reason=reason)


def _refresh_total(db: sqlite_utils.Database, order_id: int) -> None:
    db.execute("UPDATE orders SET total_cents = (SELECT coalesce(sum(base_cents + fee_cents "
               "+ tax_cents), 0) FROM order_lines WHERE order_id = ? AND status = 'active') "
               "+ (SELECT coalesce(sum((price_cents + tax_cents) * (quantity - returned)), 0) "
               "FROM order_goods WHERE order_id = ?) WHERE id = ?",
               [order_id, order_id, order_id])


def refund(db: sqlite_utils.Database, actor: User, order_id: int, *, reason: str,
           station: str, now: datetime, ticket_ids: Sequence[int] | None = None,
           goods: Mapping[int, int] | None = None, to: str = "original",
           override: Override | None = None) -> Order:
    """Refund some or all of an order, to the original tenders (newest first) or in
    cash. With neither `ticket_ids` nor `goods`, everything still live; otherwise just
    those tickets and `goods` (order goods line id -> how many). Seats go back on sale,
    codes are revoked and goods go back into stock. Needs `refund` (or an override).
    Raises OrderError (`reason_required`, `not_live`, `nothing_to_refund`), StockError."""
    if to not in ("original", "cash"):
        raise OrderError("refund to 'original' or 'cash'", code="bad_refund_target")
    _require_reason(reason)
    # outside the sale's transaction, so a refused override stays in the journal
    approver = authorize(db, actor, "refund", override=override)
    with write(db):
        order = get_order(db, order_id)
        live = [t.id for t in order.tickets if t.status == "live"]
        everything = ticket_ids is None and goods is None
        chosen = live if everything else list(ticket_ids or ())
        goods_back = ({g.id: g.kept for g in order.goods if g.kept} if everything
                      else {k: v for k, v in (goods or {}).items() if v})
        if not chosen and not goods_back:
            raise OrderError("there is nothing left to refund", code="nothing_to_refund")
        value = _retire_tickets(db, order_id, chosen, "refunded", reason, now,
                                actor=actor.username)
        value += return_goods(db, actor, order_id, goods_back, "refund", reason, now)
        # pay back only what was paid beyond the tickets that remain (a deposit order
        # may owe more than it has paid)
        amount = max(0, min(value, order.paid_cents - (order.value_cents - value)))
        pay_back(db, actor, order_id, amount, to=to, station=station, now=now, reason=reason)
        _refresh_total(db, order_id)
        journal.append(db, actor=actor.username, action="order.refund",
                       subject=f"order:{order_id}",
                       data={"tickets": chosen, "amount_cents": amount, "to": to,
                             "goods": goods_back, "reason": reason, "approved_by": approver})
        return get_order(db, order_id)


def void(db: sqlite_utils.Database, actor: User, order_id: int, *, reason: str, station: str,
         now: datetime, zone: ZoneInfo, override: Override | None = None) -> Order:
    """Cancel an order sold today (the venue's day): every payment is reversed on its own
    tender, every ticket voided and revoked, the seats back on sale. Needs `void`.
    Raises OrderError `not_today`, `already_voided`."""
    _require_reason(reason)
    approver = authorize(db, actor, "void", override=override)
    with write(db):
        order = get_order(db, order_id)
        if order.status in ("voided", "cancelled"):
            raise OrderError(f"the order is already {order.status}", code="already_voided")
        if order.status == "pending":
            raise OrderError("a card payment on this order is waiting for the terminal's "
                             "answer: resolve it first", code="pending")
        if order.created_at.astimezone(zone).date() != now.astimezone(zone).date():
            raise OrderError("only an order sold today can be voided; refund it instead",
                             code="not_today")
        live = [t.id for t in order.tickets if t.status == "live"]
        _retire_tickets(db, order_id, live, "voided", reason, now, actor=actor.username)
        return_goods(db, actor, order_id, None, "void", reason, now)
        # what is still paid, net of earlier refunds, goes back on the original tenders
        amount = order.paid_cents
        pay_back(db, actor, order_id, amount, to="original", station=station, now=now,
                  reason=reason)
        db.execute("UPDATE orders SET status = 'voided' WHERE id = ?", [order_id])
        _refresh_total(db, order_id)
        journal.append(db, actor=actor.username, action="order.void",
                       subject=f"order:{order_id}",
                       data={"tickets": live, "amount_cents": amount, "reason": reason,
                             "approved_by": approver})
        return get_order(db, order_id)


def exchange(db: sqlite_utils.Database, actor: User, order_id: int, ticket_ids: Sequence[int],
             new_cart_id: int, tenders: Sequence[Tender], *, reason: str, station: str,
             now: datetime, override: Override | None = None) -> Order:
    """Swap tickets for the seats in another cart (another performance or other seats).
    A dearer exchange is paid by `tenders`; a cheaper one is refunded in cash. The old
    codes are revoked and the old seats go back on sale. Needs `exchange`.
    Raises OrderError (`balance_not_zero`, `not_live`, ...), CartError."""
    _require_reason(reason)
    for tender in tenders:
        validate_tender(tender)
    if not ticket_ids:
        raise OrderError("choose the tickets to exchange", code="nothing_to_exchange")
    approver = authorize(db, actor, "exchange", override=override)
    comp_types = {row[0] for row in db.execute(
        "SELECT code FROM price_types WHERE kind = 'comp'")}
    comp_approved = (authorize(db, actor, "comp", override=override) if any(
        line.price_type in comp_types for line in view_cart(db, new_cart_id).lines) else None)
    with write(db):
        _open(db, new_cart_id, now)
        cart = view_cart(db, new_cart_id)
        if cart.empty:
            raise OrderError("the new seats' cart is empty", code="empty_cart")
        if comp_approved is None and any(line.price_type in comp_types for line in cart.lines):
            authorize(db, actor, "comp")   # the cart changed meanwhile
        before = get_order(db, order_id)
        old_value = _retire_tickets(db, order_id, ticket_ids, "exchanged", reason, now,
                                    actor=actor.username)
        difference = cart.total_cents - old_value
        paid = sum(t.amount_cents for t in tenders if t.status == "approved")
        if any(t.status != "approved" for t in tenders):
            raise TenderError("an exchange takes approved tenders only")
        if difference > 0 and paid != difference:
            raise OrderError(f"the exchange costs {format_cents(difference)} more; tenders come to "
                             f"{format_cents(paid)}", code="balance_not_zero")
        if difference <= 0 and tenders:
            raise OrderError("nothing is due on this exchange", code="overpaid")
        for tender in tenders:
            insert_payment(db, actor, order_id, tender, station=station, now=now)
        if difference < 0:
            # never more than was paid beyond what the remaining tickets are worth (an
            # order on account or on a deposit may not have been paid at all)
            owed_back = max(0, min(-difference, before.paid_cents
                                   - (before.value_cents - old_value)))
            pay_back(db, actor, order_id, owed_back, to="cash", station=station, now=now,
                      reason=reason)
        new_ids = _issue_tickets(db, order_id, cart, now)
        issue_goods(db, actor, order_id, new_cart_id, now)
        _refresh_total(db, order_id)
        journal.append(db, actor=actor.username, action="order.exchange",
                       subject=f"order:{order_id}",
                       data={"old": list(ticket_ids), "new": new_ids,
                             "difference_cents": difference, "reason": reason,
                             "approved_by": approver})
        return get_order(db, order_id)


def reprint(db: sqlite_utils.Database, actor: User, ticket_id: int, *, reason: str,
            now: datetime, override: Override | None = None) -> Ticket:
    """Issue a new code generation for a live ticket and revoke the old one; the ticket
    is unprinted until the printer takes it. Needs `reprint`. Raises OrderError
    (`not_live`, `reason_required`, `too_many_reprints`)."""
    _require_reason(reason)
    approver = authorize(db, actor, "reprint", override=override)
    with write(db):
        row = db.execute("SELECT order_id, status, generation FROM tickets WHERE id = ?",
                         [ticket_id]).fetchone()
        if row is None:
            raise NotFound(f"there is no ticket {ticket_id}", code="unknown_ticket")
        order_id, status, generation = row
        if status != "live":
            raise OrderError(f"the ticket is {status}", code="not_live")
        if generation >= 255:
            raise OrderError("this ticket has been reprinted too often", code="too_many_reprints")
        tokens.revoke(db, ticket_id, generation, f"reprint: {reason}", actor=actor.username,
                      at=now)
        db.execute("UPDATE tickets SET generation = ?, printed_at = NULL WHERE id = ?",
                   [generation + 1, ticket_id])
        journal.append(db, actor=actor.username, action="ticket.reprint",
                       subject=f"ticket:{ticket_id}",
                       data={"order_id": order_id, "generation": generation + 1,
                             "reason": reason, "approved_by": approver})
        tickets = {t.id: t for t in get_order(db, order_id).tickets}
        return tickets[ticket_id]


def ticket_code(signer: tokens.Signer, ticket: Ticket) -> str:
    """The signed code printed on (and scanned from) the ticket's current generation."""
    return signer.sign(ticket.id, ticket.performance_id, ticket.generation, ticket.flags)


def mark_printed(db: sqlite_utils.Database, ticket_ids: Sequence[int], now: datetime) -> None:
    """Record that the printer took these tickets' job."""
    if not ticket_ids:
        return
    with write(db):
        marks = ",".join("?" * len(ticket_ids))
        db.execute(f"UPDATE tickets SET printed_at = ? WHERE id IN ({marks})",
                   [stamp(now), *ticket_ids])


def get_order(db: sqlite_utils.Database, order_id: int) -> Order:
    """An order with its tickets and payments. Raises NotFound `unknown_order`."""
    row = db.execute("SELECT id, number, status, channel, customer_id, delivery, created_at "
                     "FROM orders WHERE id = ?", [order_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no order {order_id}", code="unknown_order")
    tickets = tuple(Ticket(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10] is not None,
        r[11], r[12], r[13]) for r in db.execute(
        "SELECT t.id, t.serial, t.performance_id, c.code, s.row_label, s.number, p.code, "
        "t.status, t.generation, t.flags, t.printed_at, l.base_cents, l.fee_cents, "
        "l.tax_cents FROM tickets t JOIN sections c ON c.id = t.section_id "
        "LEFT JOIN seats s ON s.id = t.seat_id JOIN price_types p ON p.id = t.price_type_id "
        "JOIN order_lines l ON l.ticket_id = t.id WHERE t.order_id = ? ORDER BY t.id",
        [order_id]))
    payments = tuple(Payment(*r) for r in db.execute(
        "SELECT id, tender, amount_cents, status, coalesce(change_cents, 0), card_brand, "
        "card_last4, approval_code, reason FROM payments WHERE order_id = ? ORDER BY id",
        [order_id]))
    return Order(row[0], row[1], row[2], row[3], row[4], row[5],
                 datetime.fromisoformat(row[6]), tickets, payments, order_goods(db, order_id))


def find_order(db: sqlite_utils.Database, number: str) -> Order:
    """An order by its number. Raises NotFound `unknown_order`."""
    row = db.execute("SELECT id FROM orders WHERE number = ?", [number.strip()]).fetchone()
    if row is None:
        raise NotFound(f"there is no order {number}", code="unknown_order")
    return get_order(db, row[0])
