"""Buying a season's fixed package online: the storefront's side of
`core.sales.subscriptions`.

A patron chooses the seat once (on the first performance's map, or the best seats free
at every performance) and the package claims it at every performance of the series in
one write, all or none, into their ordinary web cart (`add_package_seats`,
`add_package_best` by the storefront's own account). The cart is checked out like any
web cart, by card or reserved to pay at the box office; when it is paid the
subscription is recorded with the tickets (`core.sales.package_orders.record_packages`).
A package line's price type is chosen when it is added, and its seat leaves the cart at
every performance together (`core.sales.online.remove`), never one performance alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.errors import BoxOfficeError, NotFound
from core.sales.carts import open_cart
from core.sales.online import STATION, OnlineError, OnlineRules, live_cart, web_account
from core.sales.online_settings import online_status
from core.sales.subscriptions import add_package_best, add_package_seats
from core.store.db import Database, write
from core.venue.series import (
    Package,
    PackagePrice,
    Series,
    get_package,
    get_series,
    list_packages,
    list_series,
    package_prices,
)

WHY = {"not_on_sale_yet": "not on sale yet", "online_later": "not on sale online yet",
       "not_online": "at the box office only", "performance_cancelled":
       "a performance is cancelled", "off_sale": "off sale", "online_closed":
       "online sales have closed"}


@dataclass(frozen=True)
class PackageOffer:
    package: Package
    series: Series
    prices: tuple[PackagePrice, ...]     # the price types sold online
    why_not: str                          # '' when it may be bought online now


def _online_prices(db: Database, package: Package, rules: OnlineRules
                   ) -> tuple[PackagePrice, ...]:
    comps = {row[0] for row in db.execute(
        "SELECT code FROM price_types WHERE kind = 'comp' OR (kind = 'group' AND ? = 0)",
        [len(rules.price_types)])}
    return tuple(p for p in package_prices(db, package.id) if p.price_type not in comps
                 and (not rules.price_types or p.price_type in rules.price_types))


def package_offer(db: Database, package_id: int, rules: OnlineRules,
                  now: datetime) -> PackageOffer:
    """A fixed package as the storefront shows it: its series, its prices sold online,
    and whether it may be bought now (every performance sold online now). Raises
    NotFound `unknown_package` (also for a flex package)."""
    package = get_package(db, package_id)
    if package.kind != "fixed":
        raise NotFound(f"there is no season package {package_id}", code="unknown_package")
    series = get_series(db, package.series_id)
    prices = _online_prices(db, package, rules)
    why = "" if prices else "no price is set for it online"
    for performance_id in series.performance_ids:
        status = online_status(db, performance_id, now)
        if status and not why:
            why = WHY.get(status, status.replace("_", " "))
    return PackageOffer(package, series, prices, why)


def packages_online(db: Database, rules: OnlineRules, now: datetime) -> list[PackageOffer]:
    """Every fixed package with a price sold online whose first performance is still to
    come, newest series first."""
    found = []
    for series in list_series(db):
        if not series.performance_ids:
            continue
        first = db.execute("SELECT starts_at FROM performances WHERE id = ?",
                           [series.performance_ids[0]]).fetchone()[0]
        if datetime.fromisoformat(first) <= now:
            continue
        for package in list_packages(db, series.id):
            if package.kind == "fixed":
                offer = package_offer(db, package.id, rules, now)
                if offer.prices:
                    found.append(offer)
    return found


def add_package(db: Database, cart_id: int | None, package_id: int, price_type: str,
                rules: OnlineRules, now: datetime, *, seat_keys: Sequence[str] = (),
                best: int = 0, zone: str | None = None) -> int:
    """The chosen seats (SECTION-ROW-NUMBER, as on the first performance's map) or the
    best `best` together, for every performance of the package's series, in the
    patron's cart (opened if needed), all or none; returns the cart. At most
    `[web] max_tickets` seats of a package at once. Raises OnlineError `not_online`,
    `not_online_type`, `too_many_tickets`; SeatUnavailable naming where a seat is
    taken; and what `add_package_seats` raises."""
    count = best or len(seat_keys)
    if count < 1:
        raise OnlineError("choose at least one seat first", code="bad_quantity")
    if count > rules.max_tickets:
        raise OnlineError(f"one order can have at most {rules.max_tickets} subscriptions",
                          code="too_many_tickets")
    if any("," in key or len(key) > 40 for key in seat_keys):
        raise BoxOfficeError("that is not a seat", code="bad_seat")
    account = web_account(db)
    with write(db):       # one transaction: a refusal leaves no new cart behind
        offer = package_offer(db, package_id, rules, now)
        if offer.why_not:
            raise OnlineError(f"this package cannot be bought online now: {offer.why_not}",
                              code="not_online")
        if price_type.upper() not in {p.price_type for p in offer.prices}:
            raise OnlineError(f"'{price_type[:20]}' is not a price of this package sold "
                              "online", code="not_online_type")
        cart_id = live_cart(db, cart_id, now) or open_cart(db, account, STATION, now,
                                                           rules.hold)
        if best:
            add_package_best(db, account, cart_id, package_id, best, price_type, now,
                             rules.hold, zone=zone or None)
        else:
            add_package_seats(db, account, cart_id, package_id, ",".join(seat_keys),
                              price_type, now, rules.hold)
    return cart_id

