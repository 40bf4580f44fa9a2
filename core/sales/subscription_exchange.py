"""Exchanges of a subscriber's ticket under its package's rules: a subscriber who cannot
come swaps one performance of their subscription for another performance of the same
series, through the core exchange (`core.sales.aftersale.exchange`: the old code
revoked, the old seat back on sale, the difference paid or paid back, journaled).

The package's rules:
- only to a performance of the package's series (`not_in_series`), on sale;
- a seat in the subscription's own zone costs what the given-up ticket cost (its share
  of the package); a seat in another zone costs that zone's share of the package for the
  subscription's price type, and the difference is paid (or, cheaper, paid back in
  cash, as any exchange); a zone without a package price is refused (`no_price`);
- the package's exchange fee (`packages.exchange_fee_cents`, set by `set_exchange_fee`)
  is added to the new ticket's fee, so the order, the settlement of the new
  performance and the receipt all carry it.

The new ticket stays the subscription's (`subscription_tickets`), so the subscription
keeps its count of live tickets and is renewed as before. Two steps, as a sale: `offer`
claims the new seat in a cart and says what is due; `exchange_ticket` takes the payment
and swaps, in one transaction (the caller cancels the cart when the subscriber
declines)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.errors import BoxOfficeError, NotFound
from core.people.models import User
from core.people.permissions import Override, authorize
from core.sales import aftersale
from core.sales.carts import add_best_available, add_seats, open_cart, view_cart
from core.sales.models import Order
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database, write
from core.venue.inventory import seats_by_label
from core.venue.performances import check_on_sale
from core.venue.series import get_package, get_series


class ExchangeError(BoxOfficeError):
    code = "subscription_exchange"


@dataclass(frozen=True)
class ExchangeOffer:
    """A new seat claimed in a cart for a subscriber's ticket, and what it costs."""

    cart_id: int
    item_id: int
    order_id: int
    ticket_id: int
    ticket_label: str            # the given-up seat
    from_performance_id: int
    subscription_id: int
    package_code: str
    performance_id: int          # the new performance
    seat_label: str
    zone: str
    same_zone: bool
    old_cents: int               # what the given-up ticket cost
    price: tuple[int, int, int]  # the new ticket's base, fee (with the exchange fee), tax
    exchange_fee_cents: int

    @property
    def new_cents(self) -> int:
        return sum(self.price)

    @property
    def due_cents(self) -> int:
        """What the subscriber pays (negative: what is paid back in cash)."""
        return self.new_cents - self.old_cents


def exchange_fee(db: Database, package_id: int) -> int:
    """A package's exchange fee in cents. Raises NotFound `unknown_package`."""
    row = db.execute("SELECT exchange_fee_cents FROM packages WHERE id = ?",
                     [package_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no package {package_id}", code="unknown_package")
    return int(row[0])


def set_exchange_fee(db: Database, actor: User, package_id: int, fee_cents: int) -> int:
    """Set what a subscriber of a fixed package pays to exchange one performance, on top
    of any difference in price (0: no fee). Needs `price_change`; journaled. Raises
    BoxOfficeError `bad_amount`, ExchangeError `not_fixed`, NotFound."""
    if fee_cents < 0:
        raise BoxOfficeError("an exchange fee cannot be negative", code="bad_amount")
    with write(db):
        authorize(db, actor, "price_change")
        package = get_package(db, package_id)
        if package.kind != "fixed":
            raise ExchangeError(f"package {package.code} is a flex pass: its admissions "
                                "go back to the pass instead", code="not_fixed")
        db.execute("UPDATE packages SET exchange_fee_cents = ? WHERE id = ?",
                   [fee_cents, package_id])
        journal.append(db, actor=actor.username, action="package.exchange_fee",
                       subject=f"package:{package_id}", data={"fee_cents": fee_cents})
    return fee_cents


def subscribed_tickets(db: Database, ticket_ids: Sequence[int]) -> set[int]:
    """Which of these tickets are a subscriber's (exchanged under the package's rules)."""
    if not ticket_ids:
        return set()
    marks = ",".join("?" * len(ticket_ids))
    return {row[0] for row in db.execute(
        f"SELECT ticket_id FROM subscription_tickets WHERE ticket_id IN ({marks})",
        list(ticket_ids))}


def _subscription_ticket(db: Database, ticket_id: int) -> tuple[Any, ...]:
    """(order, performance, status, subscription, package, zone, price type id, base,
    fee, tax, seat label) of a subscriber's ticket."""
    row = db.execute(
        "SELECT t.order_id, t.performance_id, t.status, x.subscription_id, s.package_id, "
        "s.zone, s.price_type_id, l.base_cents, l.fee_cents, l.tax_cents, "
        "c.code || ' ' || st.row_label || '-' || st.number "
        "FROM tickets t JOIN order_lines l ON l.ticket_id = t.id "
        "LEFT JOIN subscription_tickets x ON x.ticket_id = t.id "
        "LEFT JOIN subscriptions s ON s.id = x.subscription_id "
        "JOIN sections c ON c.id = t.section_id LEFT JOIN seats st ON st.id = t.seat_id "
        "WHERE t.id = ?", [ticket_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no ticket {ticket_id}", code="unknown_ticket")
    if row[3] is None:
        raise ExchangeError("this ticket is not a subscriber's: exchange it as any ticket",
                            code="not_a_subscription")
    if row[2] != "live":
        raise ExchangeError(f"the ticket is {row[2]}", code="not_live")
    return tuple(row)


def exchange_performances(db: Database, ticket_id: int) -> tuple[int, ...]:
    """The performances a subscriber's ticket may be exchanged to: its package's series,
    in start order. Raises ExchangeError `not_a_subscription`, `not_live`; NotFound."""
    package_id = _subscription_ticket(db, ticket_id)[4]
    return get_series(db, get_package(db, int(package_id)).series_id).performance_ids


def offer(db: Database, actor: User, ticket_id: int, performance_id: int, *,
          seat: str | None = None, station: str, now: datetime,
          hold: timedelta) -> ExchangeOffer:
    """Claim a seat at `performance_id` in a new cart for this subscriber's ticket and
    say what the exchange costs: `seat` names one (SECTION-ROW-NUMBER); without it, the
    best seat free in the subscription's zone. Needs `sell` (the exchange itself needs
    `exchange`). Raises ExchangeError `not_a_subscription`, `not_live`, `not_in_series`,
    `one_seat`; NotFound `no_price`, `unknown_seat`; SeatUnavailable; NotOnSale."""
    with write(db):
        authorize(db, actor, "sell")
        (order_id, from_show, _, subscription_id, package_id, zone, type_id, base, fee, tax,
         label) = _subscription_ticket(db, ticket_id)
        package = get_package(db, int(package_id))
        if performance_id not in get_series(db, package.series_id).performance_ids:
            raise ExchangeError(f"performance {performance_id} is not in the series of "
                                f"package {package.code}: a subscriber exchanges only to "
                                "another performance of their series", code="not_in_series")
        check_on_sale(db, performance_id, now)
        price_type = db.execute("SELECT code FROM price_types WHERE id = ?",
                                [type_id]).fetchone()[0]
        cart_id = open_cart(db, actor, station, now, hold)
        if seat:
            chosen = seats_by_label(db, performance_id, seat)
            if len(chosen) != 1:
                raise ExchangeError("a ticket is exchanged for one seat", code="one_seat")
            add_seats(db, actor, cart_id, performance_id, chosen, str(price_type), now, hold)
        else:
            add_best_available(db, actor, cart_id, performance_id, 1, str(price_type), now,
                               hold, zone=str(zone))
        db.execute("UPDATE cart_items SET package_id = ? WHERE cart_id = ?",
                   [package_id, cart_id])
        line = view_cart(db, cart_id).lines[0]      # its share: NotFound `no_price`
        fee_cents = exchange_fee(db, package.id)
        same = line.zone == zone
        price = ((int(base), int(fee) + fee_cents, int(tax)) if same else
                 (line.base_cents, line.fee_cents + fee_cents, line.tax_cents))
        return ExchangeOffer(cart_id, line.item_id, int(order_id), ticket_id, str(label),
                             int(from_show), int(subscription_id), package.code,
                             performance_id, line.label, line.zone, same,
                             int(base) + int(fee) + int(tax), price, fee_cents)


def exchange_ticket(db: Database, actor: User, offered: ExchangeOffer,
                    tenders: Sequence[Tender], *, reason: str, station: str,
                    now: datetime, override: Override | None = None) -> Order:
    """Swap the subscriber's ticket for the offered seat, through the core exchange, in
    one transaction: `tenders` pay what is due (none when nothing is; a cheaper seat's
    difference goes back in cash); the new ticket stays the subscription's. Needs
    `exchange` (or an override). Raises ExchangeError `price_changed` (the package's fee
    changed since the offer: offer again) and what `aftersale.exchange` raises
    (`balance_not_zero`, `overpaid`, `reason_required`, ...)."""
    with write(db):
        _subscription_ticket(db, offered.ticket_id)
        package_id = get_package(db, db.execute(
            "SELECT package_id FROM subscriptions WHERE id = ?",
            [offered.subscription_id]).fetchone()[0]).id
        if exchange_fee(db, package_id) != offered.exchange_fee_cents:
            raise ExchangeError("the package's exchange fee changed: offer the exchange "
                                "again", code="price_changed")
        before = {row[0] for row in db.execute("SELECT id FROM tickets WHERE order_id = ?",
                                               [offered.order_id])}
        order = aftersale.exchange(db, actor, offered.order_id, [offered.ticket_id],
                                   offered.cart_id, tenders, reason=reason, station=station,
                                   now=now, override=override,
                                   package_prices={offered.item_id: offered.price})
        new = [t.id for t in order.tickets if t.id not in before]
        for ticket_id in new:
            db.execute("INSERT INTO subscription_tickets (ticket_id, subscription_id) "
                       "VALUES (?, ?)", [ticket_id, offered.subscription_id])
        journal.append(db, actor=actor.username, action="subscription.exchange",
                       subject=f"order:{offered.order_id}",
                       data={"subscription_id": offered.subscription_id,
                             "old": offered.ticket_id, "new": new,
                             "performance_id": offered.performance_id,
                             "fee_cents": offered.exchange_fee_cents,
                             "due_cents": offered.due_cents})
        return order
