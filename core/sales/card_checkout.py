"""Paying a web order by card through the payment provider (core.sales.card_provider).

1. `start` turns the patron's cart into an order `pending` (channel `web`) whose seats
   stay claimed for `[web] payment_minutes`, and asks the provider for a payment intent
   under an idempotency key of its own (`attempt`): the browser confirms it with the
   provider's script; card data never reaches us.
2. Only the provider's word marks it paid: its signed webhook (`handle_event`, the event
   id recorded so a replay changes nothing) or our own server-side `check` of the
   intent. Never the browser's return.
3. `settle`: the payment lands in the web drawer (the storefront account's shift for the
   day, opened and closed by the system with its own Z report) and the tickets are
   issued. A payment that succeeds after the seats' hold ran out re-claims the same seats
   if they are still free; otherwise the order is cancelled and the money refunded
   through the provider: paid but no ticket must not happen.
4. A declined card leaves the order pending: `retry` starts a new attempt, with a new key.

The provider is called outside our write transactions (a network call never holds the
database's lock); what it answered is recorded in the next one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.config import WebConfig
from core.errors import BoxOfficeError, NotFound
from core.sales.card_provider import CardProvider, ProviderError, ProviderEvent
from core.sales.carts import require_open, view_cart
from core.sales.checkout import issue_tickets
from core.sales.online import ACCOUNT, STATION, web_account
from core.sales.orders import OrderError
from core.sales.package_orders import reclaim_renewal_seat, record_packages
from core.sales.payments import insert_payment
from core.sales.reservations import (
    Contact,
    WebOrder,
    check_contact,
    customer_for,
    new_web_order,
    web_order,
)
from core.sales.tenders import Tender
from core.sales.web_drawer import web_shift
from core.store import journal
from core.store.db import Database, write
from core.times import stamp
from core.venue.inventory import SeatUnavailable, area_count, claim_available


class PaymentFailed(BoxOfficeError):
    code = "payment_failed"


@dataclass(frozen=True)
class Attempt:
    id: int
    order_id: int
    intent_id: str
    client_secret: str
    amount_cents: int


@dataclass(frozen=True)
class Settled:
    """What `settle` did: `issued` tickets, or `refunded` the money (seats gone), or
    nothing new (`already`: an event replayed, or settled by the other path first)."""

    order: WebOrder
    outcome: str            # issued, refunded, already, failed


def start(db: Database, cart_id: int, contact: Contact, provider: CardProvider,
          web: WebConfig, now: datetime, *, currency: str) -> Attempt:
    """The patron's cart as a pending web order, and the first payment attempt. Raises
    PaymentFailed `provider_unavailable` (the cart is given back, nothing else changed),
    CartError `cart_expired`, OrderError `empty_cart`, and a bad contact's refusals."""
    contact = check_contact(contact)
    account = web_account(db)
    until = now + timedelta(minutes=web.payment_minutes)
    with write(db):
        require_open(db, cart_id, now)
        cart = view_cart(db, cart_id)
        if cart.empty:
            raise OrderError("your cart is empty", code="empty_cart")
        previous = db.execute("SELECT expires_at FROM carts WHERE id = ?",
                              [cart_id]).fetchone()[0]
        customer_id = customer_for(db, account, contact, now)
        order_id = new_web_order(db, account, cart, customer_id, "pending", now)
        db.execute("UPDATE carts SET status = 'pending', expires_at = ? WHERE id = ?",
                   [stamp(until), cart_id])
        db.execute("UPDATE seat_claims SET expires_at = ? WHERE cart_id = ?",
                   [stamp(until), cart_id])
        journal.append(db, actor=account.username, action="order.card_start",
                       subject=f"order:{order_id}",
                       data={"total_cents": cart.total_cents, "pay_within": stamp(until)})
    try:
        return attempt(db, order_id, provider, now, currency=currency)
    except PaymentFailed:
        with write(db):      # give the patron their cart back as it was
            db.execute("UPDATE orders SET status = 'cancelled' WHERE id = ?", [order_id])
            db.execute("UPDATE carts SET status = 'open', expires_at = ? WHERE id = ?",
                       [previous, cart_id])
            db.execute("UPDATE seat_claims SET expires_at = ? WHERE cart_id = ?",
                       [previous, cart_id])
            journal.append(db, actor=ACCOUNT, action="order.card_abandoned",
                           subject=f"order:{order_id}", data={"why": "provider"})
        raise


def attempt(db: Database, order_id: int, provider: CardProvider, now: datetime, *,
            currency: str) -> Attempt:
    """A new payment attempt for a pending web order (the first, or a retry after a
    decline), under its own idempotency key. Raises PaymentFailed, OrderError
    `not_pending`."""
    with write(db):
        order = web_order(db, order_id)
        if order.status != "pending":
            raise OrderError(f"order {order.number} is {order.status}: nothing to pay",
                             code="not_pending")
        number = db.execute("SELECT count(*) + 1 FROM payment_attempts WHERE order_id = ?",
                            [order_id]).fetchone()[0]
        key = f"order-{order.number}-attempt-{number}"
        attempt_id = db.execute(
            "INSERT INTO payment_attempts (order_id, provider, idempotency_key, amount_cents, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [order_id, provider.name, key, order.total_cents, stamp(now),
             stamp(now)]).fetchone()[0]
    try:
        intent = provider.create_intent(order.total_cents, currency, idempotency_key=key,
                                        metadata={"order": order.number,
                                                  "attempt": str(attempt_id)})
    except ProviderError as error:
        with write(db):
            db.execute("UPDATE payment_attempts SET status = 'failed', detail = ?, "
                       "updated_at = ? WHERE id = ?", [error.message[:200], stamp(now),
                                                       attempt_id])
        raise PaymentFailed("card payments are not available just now: try again in a "
                            "moment, or reserve and pay at the box office",
                            code="provider_unavailable") from error
    with write(db):
        db.execute("UPDATE payment_attempts SET intent_id = ?, updated_at = ? WHERE id = ?",
                   [intent.id, stamp(now), attempt_id])
    return Attempt(attempt_id, order_id, intent.id, intent.client_secret, order.total_cents)


def current_attempt(db: Database, order_id: int) -> tuple[int, str] | None:
    """(attempt id, intent id) of the order's newest attempt with an intent."""
    row = db.execute("SELECT id, intent_id FROM payment_attempts WHERE order_id = ? AND "
                     "intent_id IS NOT NULL ORDER BY id DESC LIMIT 1", [order_id]).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def check(db: Database, order_id: int, provider: CardProvider, now: datetime, *,
          zone: ZoneInfo) -> Settled:
    """Ask the provider how the order's payments stand (the patron came back from
    paying) and settle any that succeeded. Raises PaymentFailed when the provider
    cannot be reached (nothing changes; the webhook will still come)."""
    intents = [row[0] for row in db.execute(
        "SELECT intent_id FROM payment_attempts WHERE order_id = ? AND intent_id IS NOT NULL "
        "AND status = 'started' ORDER BY id", [order_id])]
    outcome = Settled(web_order(db, order_id), "already")
    for intent_id in intents:
        try:
            intent = provider.retrieve(intent_id)
        except ProviderError as error:
            raise PaymentFailed("we could not ask the card provider just now: your "
                                "payment is not lost; this page will show it shortly",
                                code="provider_unavailable") from error
        if intent.succeeded:
            outcome = settle(db, provider, intent.id, intent.amount_cents, now, zone=zone)
        elif intent.status == "canceled":
            _mark(db, intent.id, "failed", "canceled at the provider", now)
    return outcome


def handle_event(db: Database, provider: CardProvider, raw_body: bytes, signature: str,
                 now: datetime, *, zone: ZoneInfo) -> Settled | None:
    """The provider's webhook: verified on the raw body (ForgedEvent otherwise, nothing
    changed), handled once per event id (a replay returns None). A success settles the
    order; a failure marks the attempt failed (the patron may try again)."""
    event = provider.parse_event(raw_body, signature)
    with write(db):
        fresh = db.execute(
            "INSERT INTO provider_events (event_id, type, intent_id, received_at) VALUES "
            "(?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING", [event.id, event.type,
                                                               event.intent_id,
                                                               stamp(now)]).rowcount
    if not fresh:
        return None
    return _apply(db, provider, event, now, zone)


def _apply(db: Database, provider: CardProvider, event: ProviderEvent, now: datetime,
           zone: ZoneInfo) -> Settled | None:
    if db.execute("SELECT 1 FROM payment_attempts WHERE intent_id = ?",
                  [event.intent_id]).fetchone() is None:
        return None                                   # not one of ours (another system)
    if event.type == "payment_intent.succeeded":
        return settle(db, provider, event.intent_id, event.amount_cents, now, zone=zone)
    if event.type in ("payment_intent.payment_failed", "payment_intent.canceled"):
        _mark(db, event.intent_id, "failed", event.failure_code or event.type, now)
    return None


def _mark(db: Database, intent_id: str, status: str, detail: str, now: datetime) -> None:
    with write(db):
        db.execute("UPDATE payment_attempts SET status = ?, detail = ?, updated_at = ? "
                   "WHERE intent_id = ? AND status = 'started'",
                   [status, detail[:200], stamp(now), intent_id])


def settle(db: Database, provider: CardProvider, intent_id: str, amount_cents: int,
           now: datetime, *, zone: ZoneInfo) -> Settled:
    """A payment the provider says succeeded: in the web drawer, and the tickets issued
    (the seats re-claimed if their hold ran out); or, when the seats went to someone
    else, the order cancelled and the money refunded through the provider. Idempotent."""
    account = web_account(db)
    with write(db):
        row = db.execute("SELECT id, order_id, status, amount_cents FROM payment_attempts "
                         "WHERE intent_id = ?", [intent_id]).fetchone()
        if row is None:
            raise NotFound("no payment attempt has that intent", code="unknown_intent")
        attempt_id, order_id, status, expected = row
        if status in ("succeeded", "refunded"):
            return Settled(web_order(db, order_id), "already")
        order = web_order(db, order_id)
        web_shift(db, now, zone)
        payment_id = insert_payment(db, account, order_id, Tender(
            "card", amount_cents, approval_code=intent_id, terminal_ref=intent_id),
            station=STATION, now=now)
        db.execute("UPDATE payment_attempts SET status = 'succeeded', payment_id = ?, "
                   "updated_at = ? WHERE id = ?", [payment_id, stamp(now), attempt_id])
        paid_twice = order.status == "complete"
        if not paid_twice and amount_cents == expected and _seats_still_ours(db, order, now):
            issue_tickets(db, order_id, order.cart, now)
            record_packages(db, account.username, order_id, order.cart.id, now)
            db.execute("UPDATE orders SET status = 'complete' WHERE id = ?", [order_id])
            journal.append(db, actor=account.username, action="order.card_paid",
                           subject=f"order:{order_id}",
                           data={"number": order.number, "total_cents": amount_cents,
                                 "intent": intent_id})
            return Settled(web_order(db, order_id), "issued")
        if not paid_twice:
            db.execute("UPDATE orders SET status = 'cancelled' WHERE id = ?", [order_id])
            db.execute("UPDATE carts SET status = 'expired' WHERE id = ?", [order.cart.id])
            db.execute("DELETE FROM seat_claims WHERE cart_id = ? AND state = 'cart'",
                       [order.cart.id])
        journal.append(db, actor=account.username, action="order.card_refund_due",
                       subject=f"order:{order_id}",
                       data={"number": order.number, "intent": intent_id,
                             "why": "paid twice" if paid_twice else "seats gone"})
    refund(db, provider, attempt_id, now)
    return Settled(web_order(db, order_id), "refunded")


def _seats_still_ours(db: Database, order: WebOrder, now: datetime) -> bool:
    """Inside a write: the cart's seats still claimed by it, or free again and claimed
    back now (its hold ran out); general-admission places still there."""
    cart = order.cart
    for line in cart.lines:
        if line.seat_id is None:
            held = db.execute("SELECT expires_at > ? FROM carts WHERE id = ?",
                              [stamp(now), cart.id]).fetchone()[0]
            if not held and area_count(db, line.performance_id, line.section_id,
                                       now).available < line.quantity:
                return False
            continue
        ours = db.execute("SELECT 1 FROM seat_claims WHERE performance_id = ? AND "
                          "seat_id = ? AND cart_id = ? AND state = 'cart'",
                          [line.performance_id, line.seat_id, cart.id]).fetchone()
        if ours is not None or reclaim_renewal_seat(db, cart.id, line.performance_id,
                                                    line.seat_id, now,
                                                    now + timedelta(minutes=5)):
            continue
        try:
            claim_available(db, line.performance_id, [line.seat_id], "cart", now,
                            cart_id=cart.id, expires_at=now + timedelta(minutes=5))
        except SeatUnavailable:
            return False
    return True


def refund(db: Database, provider: CardProvider, attempt_id: int, now: datetime) -> None:
    """Give a settled attempt's money back through the provider and record it in the web
    drawer (a negative card payment). Raises PaymentFailed when the provider cannot be
    reached: the attempt stays `succeeded` with its refund due, to be tried again."""
    row = db.execute("SELECT order_id, intent_id, amount_cents, payment_id, status FROM "
                     "payment_attempts WHERE id = ?", [attempt_id]).fetchone()
    order_id, intent_id, amount, payment_id, status = row
    if status == "refunded":
        return
    try:
        refund_id = provider.refund(intent_id, amount,
                                    idempotency_key=f"refund-attempt-{attempt_id}")
    except ProviderError as error:
        raise PaymentFailed(f"the refund of {intent_id} could not be made: {error.message}",
                            code="refund_failed") from error
    account = web_account(db)
    with write(db):
        db.execute("UPDATE payment_attempts SET status = 'refunded', detail = ?, "
                   "updated_at = ? WHERE id = ?", [refund_id, stamp(now), attempt_id])
        insert_payment(db, account, order_id, Tender(
            "card", amount, approval_code=refund_id, terminal_ref=refund_id,
            reason="refunded online"), station=STATION, now=now, amount_cents=-amount,
            refund_of=payment_id)
        journal.append(db, actor=account.username, action="order.card_refunded",
                       subject=f"order:{order_id}",
                       data={"intent": intent_id, "refund": refund_id, "amount_cents": amount})


def pending_refunds(db: Database) -> list[int]:
    """Attempts whose money must still go back (the provider was down when it was due)."""
    return [row[0] for row in db.execute(
        "SELECT a.id FROM payment_attempts a JOIN orders o ON o.id = a.order_id WHERE "
        "a.status = 'succeeded' AND o.status = 'cancelled'")]


def attempts(db: Database, order_id: int) -> list[tuple[str, str]]:
    """(status, detail) of each payment attempt of the order, oldest first."""
    return [(row[0], row[1]) for row in db.execute(
        "SELECT status, detail FROM payment_attempts WHERE order_id = ? ORDER BY id",
        [order_id])]


def refunded(db: Database, order_id: int) -> bool:
    """Whether the order's card payment was given back (the seats had gone)."""
    return db.execute("SELECT 1 FROM payment_attempts WHERE order_id = ? AND "
                      "status = 'refunded'", [order_id]).fetchone() is not None
