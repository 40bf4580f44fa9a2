"""Subscriptions: a fixed package sold at the window, one seat for every performance of a
series (see core/venue/series.py for series, packages and the allocation of the price).

Selling is a cart and a checkout, as a single ticket is: `add_package_seats` claims the
chosen seat at every performance of the series in one write transaction, all or none (a
seat taken at any performance is named with the performance, and nothing changes);
`add_package_best` finds seats free at every performance; `sell_subscription` checks
the cart out through `core.sales.checkout` on the channel `subscription` for a customer,
so tenders, the shift, ticket codes and the journal are the same as for any order, and
records one subscription per seat in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.errors import BoxOfficeError, NotFound
from core.people.models import User
from core.people.permissions import authorize
from core.sales.carts import (
    MAX_ITEMS,
    CartError,
    item_count,
    push_expiry,
    require_open,
    venue_index,
    view_cart,
)
from core.sales.checkout import checkout
from core.sales.customers import create_customer
from core.sales.models import CartView, Order
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database, insert, write
from core.times import stamp
from core.venue.inventory import (
    SeatUnavailable,
    claim_available,
    find_seat,
    seat_states,
    seats_by_label,
    sweep_expired_carts,
)
from core.venue.performances import check_on_sale, get_performance
from core.venue.pricing import price_type_id
from core.venue.series import get_package, get_package_price, get_series

SeatName = tuple[str, str, int]          # section, row, number: stable across venues


class SubscriptionError(BoxOfficeError):
    code = "subscription"


@dataclass(frozen=True)
class NewSubscriber:
    """A subscriber not yet on file, made a customer in the same transaction as the sale."""

    name: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Subscription:
    id: int
    package_id: int
    package_code: str
    series_id: int
    customer_id: int
    customer_name: str
    order_id: int
    order_number: str
    section: str
    row: str
    number: int
    zone: str
    price_type: str
    live_tickets: int
    created_at: datetime

    @property
    def seat_label(self) -> str:
        return f"{self.section}-{self.row}-{self.number}"


def _seat_names(db: Database, seat_ids: Sequence[int]) -> list[SeatName]:
    marks = ",".join("?" * len(seat_ids))
    found = {row[0]: (row[1], row[2], row[3]) for row in db.execute(
        f"SELECT s.id, c.code, s.row_label, s.number FROM seats s JOIN sections c ON "
        f"c.id = s.section_id WHERE s.id IN ({marks})", list(seat_ids))}
    return [found[seat_id] for seat_id in seat_ids]


def _runs(where: list[str]) -> str:
    """['sold at #1', 'sold at #2', 'held at #5'] -> 'sold at #1, #2, held at #5'."""
    words: list[str] = []
    last = ""
    for item in where:
        state, _, number = item.rpartition(" ")
        words.append(number if state == last else item)
        last = state
    return ", ".join(words)


def _claim_everywhere(db: Database, actor: User, cart_id: int, package_id: int,
                      names: Sequence[SeatName], price_type: str, now: datetime,
                      hold: timedelta) -> None:
    """Inside a write: the named seats at every performance of the package's series."""
    package = get_package(db, package_id)
    if package.kind != "fixed":
        raise SubscriptionError(f"package {package.code} is a flex pass: sell it as a pass",
                                code="not_fixed")
    series = get_series(db, package.series_id)
    type_id, _ = price_type_id(db, price_type)
    if item_count(db, cart_id) + len(names) * len(series.performance_ids) > MAX_ITEMS:
        raise CartError(f"a cart holds at most {MAX_ITEMS} tickets", code="cart_full")
    sweep_expired_carts(db, now)
    per_show: dict[int, list[int]] = {}
    zones: dict[SeatName, str] = {}
    taken: dict[SeatName, list[str]] = {}
    for performance_id in series.performance_ids:
        check_on_sale(db, performance_id, now)
        ids = [find_seat(db, performance_id, *name) for name in names]
        per_show[performance_id] = ids
        states = claims_of(db, performance_id, ids)
        for name, seat_id, zone in zip(names, ids, _zones(db, ids), strict=True):
            if zones.setdefault(name, zone) != zone:
                raise SubscriptionError(
                    f"{name[0]} {name[1]}-{name[2]} is in zone {zones[name]} at one "
                    f"performance and {zone} at another: choose another seat",
                    code="zone_differs")
            if seat_id in states:
                taken.setdefault(name, []).append(f"{states[seat_id]} at #{performance_id}")
    if taken:
        said = [f"{n[0]} {n[1]}-{n[2]} is " + _runs(where) for n, where in taken.items()]
        raise SeatUnavailable("not free at every performance of the series: "
                              + "; ".join(said[:4])
                              + (f"; and {len(said) - 4} more seats" if len(said) > 4 else ""))
    for name in names:
        get_package_price(db, package_id, zones[name], type_id)   # a price must exist
    until = now + hold
    for performance_id, ids in per_show.items():
        claim_available(db, performance_id, ids, "cart", now, cart_id=cart_id,
                        expires_at=until, swept=True)
        db.executemany(
            "INSERT INTO cart_items (cart_id, performance_id, section_id, seat_id, quantity, "
            "price_type_id, package_id) SELECT ?, ?, section_id, id, 1, ?, ? FROM seats "
            "WHERE id = ?", [(cart_id, performance_id, type_id, package_id, seat_id)
                             for seat_id in ids])
    push_expiry(db, cart_id, now, hold)


def claims_of(db: Database, performance_id: int, seat_ids: Sequence[int]) -> dict[int, str]:
    """Inside a write, after the sweep of expired carts: the state of each of these seats
    that is not available (read for these seats only, not the whole house)."""
    marks = ",".join("?" * len(seat_ids))
    return dict(db.execute(
        f"SELECT seat_id, state FROM seat_claims WHERE performance_id = ? AND seat_id IN "
        f"({marks})", [performance_id, *seat_ids]).fetchall())


def _venue_names(db: Database, performance_id: int) -> dict[int, SeatName]:
    """Every active seat of the performance's venue by id, with its name."""
    return {row[0]: (row[1], row[2], row[3]) for row in db.execute(
        "SELECT s.id, c.code, s.row_label, s.number FROM seats s JOIN sections c ON "
        "c.id = s.section_id JOIN performances p ON p.venue_id = c.venue_id WHERE "
        "p.id = ? AND s.active = 1", [performance_id])}


def _free_names(db: Database, performance_id: int, now: datetime) -> set[SeatName]:
    """The names of the seats free at a performance (its venue's active seats)."""
    taken = set(seat_states(db, performance_id, now))
    return {name for seat_id, name in _venue_names(db, performance_id).items()
            if seat_id not in taken}


def _zones(db: Database, seat_ids: Sequence[int]) -> list[str]:
    marks = ",".join("?" * len(seat_ids))
    found = dict(db.execute(
        f"SELECT s.id, z.code FROM seats s JOIN price_zones z ON z.id = s.zone_id "
        f"WHERE s.id IN ({marks})", list(seat_ids)).fetchall())
    return [found[seat_id] for seat_id in seat_ids]


def add_package_seats(db: Database, actor: User, cart_id: int, package_id: int,
                      seats: str, price_type: str, now: datetime,
                      hold: timedelta) -> CartView:
    """Put the seats named in `seats` (SECTION-ROW-NUMBER, ranges as FIRST..LAST, as at
    the window) in the cart for every performance of the package's series, priced at
    their share of the package: one write, all or none. Needs `sell`. Raises
    SeatUnavailable naming each seat and performance where it is not free,
    SubscriptionError `zone_differs`, `not_fixed`, NotFound (`unknown_seat`, `no_price`,
    `unknown_package`), NotOnSale (`performance_cancelled`, `off_sale`, ...),
    CartError, BoxOfficeError `bad_seat`."""
    with write(db):
        authorize(db, actor, "sell")
        require_open(db, cart_id, now)
        first = get_series(db, get_package(db, package_id).series_id).performance_ids[0]
        names = _seat_names(db, seats_by_label(db, first, seats))
        _claim_everywhere(db, actor, cart_id, package_id, names, price_type, now, hold)
    return view_cart(db, cart_id)


def add_package_best(db: Database, actor: User, cart_id: int, package_id: int,
                     quantity: int, price_type: str, now: datetime, hold: timedelta, *,
                     zone: str | None = None) -> CartView:
    """Put the best `quantity` adjacent seats that are free at every performance of the
    series in the cart, as `add_package_seats` does. Raises SeatUnavailable `no_block`
    when no such block exists, CartError `bad_quantity`, and what `add_package_seats`
    raises."""
    if not 1 <= quantity <= 20:
        raise CartError("choose 1 to 20 seats", code="bad_quantity")
    with write(db):
        authorize(db, actor, "sell")
        require_open(db, cart_id, now)
        sweep_expired_carts(db, now)
        series = get_series(db, get_package(db, package_id).series_id)
        first = series.performance_ids[0]
        index, seat_ids = venue_index(db, first)
        free = set(seat_ids) - set(seat_states(db, first, now))
        first_venue = get_performance(db, first).venue_id
        for performance_id in series.performance_ids[1:]:
            if get_performance(db, performance_id).venue_id == first_venue:
                free -= set(seat_states(db, performance_id, now))
            else:     # another venue: the same seat by its name, if it has one
                there = _free_names(db, performance_id, now)
                names = _venue_names(db, first)
                free = {s for s in free if names.get(s) in there}
        chosen = index.find(free, quantity, zone=zone)
        if chosen is None:
            where = f" in zone {zone}" if zone else ""
            raise SeatUnavailable(f"there are no {quantity} seats together{where} free at "
                                  f"all {len(series.performance_ids)} performances",
                                  code="no_block")
        _claim_everywhere(db, actor, cart_id, package_id, _seat_names(db, chosen),
                          price_type, now, hold)
    return view_cart(db, cart_id)


def sell_subscription(db: Database, actor: User, cart_id: int, tenders: Sequence[Tender],
                      *, customer_id: int | NewSubscriber, station: str, now: datetime,
                      delivery: str = "print") -> tuple[Order, list[int]]:
    """Check out a cart of package seats for a subscriber: one order on the channel
    `subscription` (paid by the usual tenders in the seller's open shift, with a ticket
    and its own code for every performance) and one subscription per seat, in one
    transaction (with the customer too when `customer_id` is a NewSubscriber: a refused
    sale leaves no customer behind). Returns the order and the new subscription ids. Raises
    SubscriptionError `not_a_package_cart` (a cart with anything but package seats),
    `card_unknown` (settle a lost terminal answer before selling a subscription), NotFound
    `no_customer`, and what `checkout` raises."""
    if any(t.status != "approved" for t in tenders):
        raise SubscriptionError("a subscription is sold on approved tenders only: settle "
                                "a lost card terminal answer first", code="card_unknown")
    with write(db):
        cart = view_cart(db, cart_id)
        if cart.goods or any(line.package_id is None for line in cart.lines):
            raise SubscriptionError("this cart holds more than package seats: sell single "
                                    "tickets and goods on their own order",
                                    code="not_a_package_cart")
        if isinstance(customer_id, NewSubscriber):
            customer_id = create_customer(db, actor, customer_id.name,
                                          phone=customer_id.phone, email=customer_id.email,
                                          now=now).id
        elif db.execute("SELECT 1 FROM customers WHERE id = ?",
                        [customer_id]).fetchone() is None:
            raise NotFound(f"there is no customer #{customer_id}", code="no_customer")
        order = checkout(db, actor, cart_id, tenders, station=station, now=now,
                         customer_id=customer_id, delivery=delivery, channel="subscription")
        made: dict[tuple[int, SeatName], int] = {}
        for ticket_id, seat_id, package_id, type_id in db.execute(
                "SELECT t.id, t.seat_id, i.package_id, t.price_type_id "
                "FROM tickets t JOIN cart_items i ON i.cart_id = ? AND i.performance_id = "
                "t.performance_id AND i.seat_id = t.seat_id WHERE t.order_id = ? "
                "ORDER BY t.id", [cart_id, order.id]).fetchall():
            name = _seat_names(db, [seat_id])[0]
            key = (package_id, name)
            if key not in made:
                made[key] = insert(db,
                    "INSERT INTO subscriptions (package_id, customer_id, order_id, section, "
                    "row_label, number, zone, price_type_id, created_at) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [package_id, customer_id, order.id, *name, _zones(db, [seat_id])[0],
                     type_id, stamp(now)])
            db.execute("INSERT INTO subscription_tickets (ticket_id, subscription_id) "
                       "VALUES (?, ?)", [ticket_id, made[key]])
        journal.append(db, actor=actor.username, action="subscription.sell",
                       subject=f"order:{order.id}",
                       data={"customer_id": customer_id,
                             "subscriptions": sorted(made.values()),
                             "seats": sorted(f"{n[0]}-{n[1]}-{n[2]}" for _, n in made)})
    return order, sorted(made.values())


_SELECT = """
    SELECT s.id, s.package_id, p.code, p.series_id, s.customer_id, c.name, s.order_id,
           o.number, s.section, s.row_label, s.number, s.zone, t.code,
           (SELECT count(*) FROM subscription_tickets x JOIN tickets k ON k.id = x.ticket_id
            WHERE x.subscription_id = s.id AND k.status = 'live'), s.created_at
    FROM subscriptions s JOIN packages p ON p.id = s.package_id
    JOIN customers c ON c.id = s.customer_id JOIN orders o ON o.id = s.order_id
    JOIN price_types t ON t.id = s.price_type_id
"""


def list_subscriptions(db: Database, *, package_id: int | None = None,
                       customer_id: int | None = None) -> list[Subscription]:
    """Subscriptions, of one package and/or one customer, by seat."""
    where, args = [], []
    if package_id is not None:
        where.append("s.package_id = ?")
        args.append(package_id)
    if customer_id is not None:
        where.append("s.customer_id = ?")
        args.append(customer_id)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    return [Subscription(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7],
                         row[8], row[9], row[10], row[11], row[12], row[13],
                         datetime.fromisoformat(row[14])) for row in db.execute(
        sql + " ORDER BY s.package_id, s.section, s.row_label, s.number, s.id", args)]
