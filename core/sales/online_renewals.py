"""Renewing online with the renewal code: the storefront's side of `core.sales.renewals`.

A patron names their renewal by its code (RN12, on the letter and in the email) and the
email or phone the box office has for them (codes are numbered, so the code alone would
let anyone read another subscriber's seat); the emailed notice carries a signed link
instead (`renewal_key`). Renewing is one step paid by card through the storefront's own
card checkout (`core.sales.card_checkout`): the held seats move into a web cart (each
line keeps its renewal hold code, so a payment that never comes puts them back in the
hold) and become a pending web order for the same subscriber; when the provider's word
arrives, `card_checkout.settle` issues the tickets and records the new season's
subscription (`core.sales.package_orders.record_packages`) in one transaction, as a
renewal at the window does. All or nothing: a renewal after its deadline, renewed,
released or unseated is refused and nothing changes.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.config import WebConfig
from core.errors import BoxOfficeError, NotFound
from core.sales.card_checkout import Attempt, PaymentFailed, attempt
from core.sales.card_provider import CardProvider
from core.sales.carts import open_cart, view_cart
from core.sales.customers import normalise_phone
from core.sales.online import ACCOUNT, STATION, web_account
from core.sales.renewals import Renewal, RenewalError, find_renewal, get_renewal, request_change
from core.sales.reservations import new_web_order
from core.store import journal
from core.store.db import Database, write
from core.times import stamp
from core.venue.inventory import find_seat
from core.venue.pricing import price_type_id
from core.venue.series import get_package, get_series

MISS = "no renewal has that code with that email or phone: check both, or call the box office"


def renewal_key(secret: str, code: str) -> str:
    """The key in a renewal's link (the emailed notice): whoever has the link may see the
    renewal and renew it."""
    return hmac.new(secret.encode(), f"renewal:{code.upper()}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def renewal_key_ok(secret: str, code: str, key: str) -> bool:
    return hmac.compare_digest(renewal_key(secret, code), key)


def same_contact(email: str, phone: str, typed: str) -> bool:
    """Whether `typed` is this email (any case) or this phone (any punctuation)."""
    typed = typed.strip()
    if not typed:
        return False
    if "@" in typed:
        return bool(email) and email.lower() == typed.lower()
    try:
        digits = normalise_phone(typed)
    except BoxOfficeError:        # what the patron typed is not a phone number
        return False
    return bool(phone) and bool(digits) and normalise_phone(phone) == digits


def find_for_patron(db: Database, code: str, contact: str) -> Renewal:
    """The renewal with this code whose subscriber has this email or phone. The same
    answer for a wrong code as for a wrong contact. Raises NotFound `unknown_renewal`."""
    try:
        found = find_renewal(db, code)
    except NotFound:
        raise NotFound(MISS, code="unknown_renewal") from None
    if found.hold_code is None and found.status == "unseated":
        # an unseated renewal has no code on any letter
        raise NotFound(MISS, code="unknown_renewal")
    if not same_contact(found.customer_email, found.customer_phone, contact):
        raise NotFound(MISS, code="unknown_renewal")
    return found


@dataclass(frozen=True)
class RenewalOffer:
    """A renewal as its subscriber sees it online."""

    renewal: Renewal
    series_name: str
    season: str
    package_name: str
    performance_ids: tuple[int, ...]
    open: bool                  # may be renewed now
    why_not: str                # when not: in words
    paying_order: str | None    # a card payment under way: the order's number
    renewed_order: str | None   # renewed online: the order's number


def offer(db: Database, renewal_id: int, now: datetime) -> RenewalOffer:
    """What the renewal page shows. Raises NotFound `unknown_renewal`."""
    renewal = get_renewal(db, renewal_id)
    series = get_series(db, renewal.series_id)
    package = get_package(db, renewal.package_id)
    _, why = _why_not(renewal, now)
    paying = db.execute(
        "SELECT o.number FROM orders o JOIN cart_items i ON i.cart_id = o.cart_id "
        "JOIN seat_claims c ON c.cart_id = o.cart_id AND c.seat_id = i.seat_id AND "
        "c.performance_id = i.performance_id WHERE i.hold_code_id = ? AND "
        "o.status = 'pending' AND o.channel = 'web' AND c.state = 'cart' AND "
        "c.expires_at > ? ORDER BY o.id DESC LIMIT 1",
        [_hold_id(db, renewal), stamp(now)]).fetchone() if renewal.hold_code else None
    renewed = db.execute(
        "SELECT o.number FROM renewals r JOIN subscriptions s ON s.id = "
        "r.renewed_subscription_id JOIN orders o ON o.id = s.order_id WHERE r.id = ? AND "
        "o.channel = 'web'", [renewal_id]).fetchone()
    return RenewalOffer(renewal, series.name, series.season, package.name,
                        series.performance_ids, not why and paying is None, why,
                        paying[0] if paying else None, renewed[0] if renewed else None)


def _hold_id(db: Database, renewal: Renewal) -> int | None:
    row = db.execute("SELECT id FROM hold_codes WHERE code = ?",
                     [renewal.hold_code]).fetchone()
    return None if row is None else int(row[0])


def _why_not(renewal: Renewal, now: datetime) -> tuple[str, str]:
    """(code, words) of why the renewal cannot be renewed now; ('', '') when it can."""
    if renewal.status == "renewed":
        return "not_offered", "this subscription is already renewed"
    if renewal.status == "released" or (renewal.status == "offered"
                                        and now >= renewal.deadline):
        return "past_deadline", ("the renewal deadline has passed and the seat is no longer "
                                 "held: call the box office, which may still sell it to you "
                                 "if it is free")
    if renewal.status != "offered" or renewal.hold_code is None:
        return "not_offered", "this renewal has no seat held to renew: call the box office"
    if renewal.price_cents is None:
        return "no_price", ("the new season's price for your seat is not set yet: call the "
                            "box office")
    return "", ""


def _refuse(renewal: Renewal, now: datetime) -> None:
    code, why = _why_not(renewal, now)
    if code:
        raise RenewalError(why, code=code)


def start_renewal(db: Database, renewal_id: int, provider: CardProvider, web: WebConfig,
                  now: datetime, *, currency: str) -> Attempt:
    """Renew online in one step, by card: the held seats move from the renewal's hold into
    a web cart kept `[web] payment_minutes` (never past the deadline) and become a pending
    web order for the subscriber, with its first payment attempt. The provider's word
    completes it (`card_checkout.settle`: tickets and the new subscription together).
    Raises RenewalError `not_offered`, `past_deadline`, `no_price`, `seat_lost`;
    PaymentFailed `provider_unavailable` (the seats are back in the hold, nothing
    else changed)."""
    account = web_account(db)
    until = now + timedelta(minutes=web.payment_minutes)
    with write(db):
        renewal = get_renewal(db, renewal_id)
        _refuse(renewal, now)
        until = min(until, renewal.deadline)
        cart_id = open_cart(db, account, STATION, now, until - now)
        type_id, _ = price_type_id(db, renewal.price_type)
        section, row, number = renewal.seat_label.rsplit("-", 2)
        for performance_id in get_series(db, renewal.series_id).performance_ids:
            seat_id = find_seat(db, performance_id, section, row, int(number))
            moved = db.execute(
                "UPDATE seat_claims SET state = 'cart', hold_code_id = NULL, cart_id = ?, "
                "expires_at = ? WHERE performance_id = ? AND seat_id = ? AND state = 'held' "
                "AND hold_code_id = (SELECT id FROM hold_codes WHERE code = ?)",
                [cart_id, stamp(until), performance_id, seat_id,
                 renewal.hold_code]).rowcount
            if moved != 1:
                raise RenewalError(f"{renewal.seat_label} is no longer held for this renewal: "
                                   "call the box office", code="seat_lost")
            # the hold code stays on the line: an unpaid cart puts the seat back in the hold
            db.execute("INSERT INTO cart_items (cart_id, performance_id, section_id, "
                       "seat_id, quantity, price_type_id, hold_code_id, package_id) SELECT "
                       "?, ?, section_id, id, 1, ?, (SELECT id FROM hold_codes WHERE "
                       "code = ?), ? FROM seats WHERE id = ?",
                       [cart_id, performance_id, type_id, renewal.hold_code,
                        renewal.package_id, seat_id])
        cart = view_cart(db, cart_id)
        order_id = new_web_order(db, account, cart, renewal.customer_id, "pending", now)
        db.execute("UPDATE carts SET status = 'pending', expires_at = ? WHERE id = ?",
                   [stamp(until), cart_id])
        journal.append(db, actor=account.username, action="renewal.card_start",
                       subject=f"order:{order_id}",
                       data={"renewal_id": renewal_id, "total_cents": cart.total_cents,
                             "pay_within": stamp(until)})
    try:
        return attempt(db, order_id, provider, now, currency=currency)
    except PaymentFailed:
        with write(db):          # the seats go back to the renewal's hold at once
            db.execute("UPDATE orders SET status = 'cancelled' WHERE id = ?", [order_id])
            db.execute("UPDATE seat_claims SET state = 'held', cart_id = NULL, "
                       "expires_at = NULL, hold_code_id = (SELECT id FROM hold_codes WHERE "
                       "code = ?) WHERE cart_id = ? AND state = 'cart'",
                       [renewal.hold_code, cart_id])
            db.execute("UPDATE carts SET status = 'cancelled' WHERE id = ?", [cart_id])
            journal.append(db, actor=ACCOUNT, action="order.card_abandoned",
                           subject=f"order:{order_id}", data={"why": "provider"})
        raise


def request_change_online(db: Database, renewal_id: int, text: str,
                          now: datetime) -> Renewal:
    """A seat change request from the renewal page, recorded for the coordinator (the
    held seat does not move), while the renewal is open. Raises RenewalError
    `not_offered`, `past_deadline`; TextError for an empty or bad text."""
    renewal = get_renewal(db, renewal_id)
    code, why = _why_not(renewal, now)
    if code and code != "no_price":        # a request needs no price
        raise RenewalError(why, code=code)
    return request_change(db, web_account(db), renewal_id, text)
