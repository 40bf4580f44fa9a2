"""After the sale: refunds, voids, exchanges and reprints. Each reverses money on its own
tender through the seller's shift, retires and revokes tickets, and is journaled."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from core.errors import NotFound
from core.gate import keys
from core.money import TenderError, format_cents
from core.people.models import User
from core.people.permissions import Override, authorize
from core.sales.card_provider import CardProvider
from core.sales.card_refunds import paid_online, refund_online
from core.sales.carts import require_open, view_cart
from core.sales.checkout import issue_tickets
from core.sales.flex import is_flex_ticket
from core.sales.goods import issue_goods, return_goods
from core.sales.models import Order, Ticket
from core.sales.orders import (
    OrderError,
    get_order,
    refresh_total,
    require_issued,
    require_reason,
    retire_tickets,
)
from core.sales.payments import insert_payment, pay_back
from core.sales.tenders import Tender, validate_tender
from core.store import journal
from core.store.db import Database, write

UTC_ZONE = ZoneInfo("UTC")


def refuse_flex_admissions(db: Database, ticket_ids: Sequence[int]) -> None:
    """A ticket redeemed on a flex pass is not refunded or exchanged for money: it goes
    back to its pass (`core.sales.flex.return_admission`). Raises OrderError
    `flex_admission`."""
    if is_flex_ticket(db, ticket_ids):
        raise OrderError("a ticket redeemed on a flex pass goes back to its pass (return "
                         "the admission), not for money", code="flex_admission")


def refund(db: Database, actor: User, order_id: int, *, reason: str,
           station: str, now: datetime, ticket_ids: Sequence[int] | None = None,
           goods: Mapping[int, int] | None = None, to: str = "original",
           override: Override | None = None, provider: CardProvider | None = None,
           zone: ZoneInfo = UTC_ZONE) -> Order:
    """Refund some or all of an order, to the original tenders (newest first), in cash,
    or (`to="credit"`) as the customer's account credit. With neither `ticket_ids` nor
    `goods`, everything still live; otherwise just those tickets and `goods` (order goods
    line id -> how many). Seats go back on sale, codes are revoked and goods go back into
    stock. An order paid online by card is
    refunded through `provider` (card_refunds.refund_online; refused without one).
    Needs `refund` (or an override). Raises OrderError (`reason_required`, `not_live`,
    `nothing_to_refund`, `paid_online`, `no_customer`, `flex_admission`), StockError,
    PaymentFailed."""
    if to not in ("original", "cash", "credit"):
        raise OrderError("refund to 'original', 'cash' or 'credit'", code="bad_refund_target")
    if to == "original" and paid_online(db, order_id):
        if provider is None or goods:
            raise OrderError("this order was paid online by card: its refund goes back "
                             "through the card provider, which is not set up here "
                             "([payments] in the config)", code="paid_online")
        return refund_online(db, actor, order_id, provider, reason=reason, now=now,
                             zone=zone, ticket_ids=ticket_ids, override=override)
    require_reason(reason)
    # outside the sale's transaction, so a refused override stays in the journal
    approver = authorize(db, actor, "refund", override=override)
    with write(db):
        order = get_order(db, order_id)
        if to == "credit" and order.customer_id is None:
            raise OrderError("account credit is kept for a customer: put the customer on "
                             "the order first", code="no_customer")
        live = [t.id for t in order.tickets if t.status == "live"]
        everything = ticket_ids is None and goods is None
        chosen = live if everything else list(ticket_ids or ())
        goods_back = ({g.id: g.kept for g in order.goods if g.kept} if everything
                      else {k: v for k, v in (goods or {}).items() if v})
        if not chosen and not goods_back:
            raise OrderError("there is nothing left to refund", code="nothing_to_refund")
        refuse_flex_admissions(db, chosen)
        value = retire_tickets(db, order_id, chosen, "refunded", reason, now,
                                actor=actor.username)
        value += return_goods(db, actor, order_id, goods_back, "refund", reason, now)
        # pay back only what was paid beyond the tickets that remain (a deposit order
        # may owe more than it has paid)
        amount = max(0, min(value, order.paid_cents - (order.value_cents - value)))
        pay_back(db, actor, order_id, amount, to=to, station=station, now=now, reason=reason)
        refresh_total(db, order_id)
        journal.append(db, actor=actor.username, action="order.refund",
                       subject=f"order:{order_id}",
                       data={"tickets": chosen, "amount_cents": amount, "to": to,
                             "goods": goods_back, "reason": reason, "approved_by": approver})
        return get_order(db, order_id)


def void(db: Database, actor: User, order_id: int, *, reason: str, station: str,
         now: datetime, zone: ZoneInfo, override: Override | None = None) -> Order:
    """Cancel an order sold today (the venue's day): every payment is reversed on its own
    tender, every ticket voided and revoked, the seats back on sale. Needs `void`.
    Raises OrderError `not_today`, `already_voided`."""
    require_reason(reason)
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
        if paid_online(db, order_id):
            raise OrderError("this order was paid online by card: refund it, and the "
                             "money goes back to the card", code="paid_online")
        live = [t.id for t in order.tickets if t.status == "live"]
        retire_tickets(db, order_id, live, "voided", reason, now, actor=actor.username)
        return_goods(db, actor, order_id, None, "void", reason, now)
        # what is still paid, net of earlier refunds, goes back on the original tenders
        amount = order.paid_cents
        pay_back(db, actor, order_id, amount, to="original", station=station, now=now,
                  reason=reason)
        db.execute("UPDATE orders SET status = 'voided' WHERE id = ?", [order_id])
        refresh_total(db, order_id)
        journal.append(db, actor=actor.username, action="order.void",
                       subject=f"order:{order_id}",
                       data={"tickets": live, "amount_cents": amount, "reason": reason,
                             "approved_by": approver})
        return get_order(db, order_id)


def refuse_subscription_tickets(db: Database, ticket_ids: Sequence[int]) -> None:
    """A subscriber's ticket is exchanged under its package's rules and fee
    (`core.sales.subscription_exchange`), not as a single ticket. Raises OrderError
    `subscription_ticket`."""
    if not ticket_ids:
        return
    marks = ",".join("?" * len(ticket_ids))
    if db.execute(f"SELECT 1 FROM subscription_tickets WHERE ticket_id IN ({marks})",
                  list(ticket_ids)).fetchone() is not None:
        raise OrderError("a subscriber's ticket is exchanged under its package's rules "
                         "and fee (the order's x on that ticket, or `boxoffice subscription "
                         "exchange`)", code="subscription_ticket")


def exchange(db: Database, actor: User, order_id: int, ticket_ids: Sequence[int],
             new_cart_id: int, tenders: Sequence[Tender], *, reason: str, station: str,
             now: datetime, override: Override | None = None,
             package_prices: Mapping[int, tuple[int, int, int]] | None = None) -> Order:
    """Swap tickets for the seats in another cart (another performance or other seats).
    A dearer exchange is paid by `tenders`; a cheaper one is refunded in cash. The old
    codes are revoked and the old seats go back on sale. Needs `exchange`.
    `package_prices` (cart line id -> base, fee, tax) prices the new seats by a
    package's rules instead of their cart price: only
    `core.sales.subscription_exchange` passes it, and a subscriber's ticket is refused
    without it (`subscription_ticket`).
    Raises OrderError (`balance_not_zero`, `not_live`, `flex_admission`,
    `subscription_ticket`, ...), CartError."""
    require_reason(reason)
    for tender in tenders:
        validate_tender(tender)
    if not ticket_ids:
        raise OrderError("choose the tickets to exchange", code="nothing_to_exchange")
    approver = authorize(db, actor, "exchange", override=override)
    comp_approved = (authorize(db, actor, "comp", override=override) if any(
        line.comp for line in view_cart(db, new_cart_id).lines) else None)
    with write(db):
        refuse_flex_admissions(db, ticket_ids)
        if package_prices is None:
            refuse_subscription_tickets(db, ticket_ids)
        require_open(db, new_cart_id, now)
        cart = view_cart(db, new_cart_id)
        if package_prices is not None:
            cart = replace(cart, lines=tuple(
                replace(line, base_cents=package_prices[line.item_id][0],
                        fee_cents=package_prices[line.item_id][1],
                        tax_cents=package_prices[line.item_id][2])
                if line.item_id in package_prices else line for line in cart.lines))
        if cart.empty:
            raise OrderError("the new seats' cart is empty", code="empty_cart")
        if comp_approved is None and any(line.comp for line in cart.lines):
            authorize(db, actor, "comp")   # the cart changed meanwhile
        before = get_order(db, order_id)
        old_value = retire_tickets(db, order_id, ticket_ids, "exchanged", reason, now,
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
        new_ids = issue_tickets(db, order_id, cart, now)
        issue_goods(db, actor, order_id, new_cart_id, now)
        refresh_total(db, order_id)
        journal.append(db, actor=actor.username, action="order.exchange",
                       subject=f"order:{order_id}",
                       data={"old": list(ticket_ids), "new": new_ids,
                             "difference_cents": difference, "reason": reason,
                             "approved_by": approver})
        return get_order(db, order_id)


def reprint(db: Database, actor: User, ticket_id: int, *, reason: str,
            now: datetime, override: Override | None = None) -> Ticket:
    """Issue a new code generation for a live ticket and revoke the old one; the ticket
    is unprinted until the printer takes it. Needs `reprint`. Raises OrderError
    (`not_live`, `reason_required`, `too_many_reprints`, `not_issued`: its payment plan
    issues the tickets when paid in full)."""
    require_reason(reason)
    approver = authorize(db, actor, "reprint", override=override)
    with write(db):
        row = db.execute("SELECT order_id, status, generation FROM tickets WHERE id = ?",
                         [ticket_id]).fetchone()
        if row is None:
            raise NotFound(f"there is no ticket {ticket_id}", code="unknown_ticket")
        order_id, status, generation = row
        if status != "live":
            raise OrderError(f"the ticket is {status}", code="not_live")
        require_issued(db, order_id)
        if generation >= 255:
            raise OrderError("this ticket has been reprinted too often", code="too_many_reprints")
        keys.revoke(db, ticket_id, generation, f"reprint: {reason}", actor=actor.username,
                      at=now)
        db.execute("UPDATE tickets SET generation = ?, printed_at = NULL WHERE id = ?",
                   [generation + 1, ticket_id])
        journal.append(db, actor=actor.username, action="ticket.reprint",
                       subject=f"ticket:{ticket_id}",
                       data={"order_id": order_id, "generation": generation + 1,
                             "reason": reason, "approved_by": approver})
        tickets = {t.id: t for t in get_order(db, order_id).tickets}
        return tickets[ticket_id]
