"""A fixed package's seat map: which seats are free at EVERY performance of its series.

Selling a package on the map, a seat is only worth offering when it is free at all the
series' performances: one sold at the fourth performance must look taken on the map,
and say where. `package_plan` reads, for every seat of the first performance's venue
(by section, row and number, the identity that holds across venues), where it is not
free; `remove_package_seat` takes a seat out of a package cart at every performance.
Claiming is `core.sales.subscriptions.add_package_seats` (all or nothing)."""

from __future__ import annotations

from datetime import datetime

from core.errors import NotFound
from core.people.models import User
from core.people.permissions import authorize
from core.sales.carts import remove_item, require_open, view_cart
from core.sales.models import CartView
from core.store.db import Database, write
from core.venue.inventory import seat_states
from core.venue.performances import get_performance
from core.venue.seat_plan import CART, MINE, SeatIndex, SeatKey, seat_index
from core.venue.series import get_package, get_series

MISSING = "missing"      # no such seat at that performance's venue


def package_plan(db: Database, package_id: int, now: datetime, *,
                 cart_id: int | None = None,
                 index: SeatIndex | None = None) -> dict[SeatKey, list[tuple[int, str]]]:
    """Every seat of the first performance's venue that is not free at every performance
    of the package's series: seat -> [(performance, state there)], in start order.
    States: sold, held, killed, cart (another window's), mine (in `cart_id`), missing
    (the venue of that performance has no such seat). A seat free everywhere is absent.
    `index` is the first performance's seat index when the caller keeps it (a stadium's
    takes most of the time to read). Reads only. Raises NotFound `unknown_package`."""
    series = get_series(db, get_package(db, package_id).series_id)
    first = series.performance_ids[0]
    first_venue = get_performance(db, first).venue_id
    here = index if index is not None else seat_index(db, first)
    plan: dict[SeatKey, list[tuple[int, str]]] = {}
    for performance_id in series.performance_ids:
        if get_performance(db, performance_id).venue_id == first_venue:
            there = here
        else:
            there = seat_index(db, performance_id)
            for key in here.ids.keys() - there.ids.keys():
                plan.setdefault(key, []).append((performance_id, MISSING))
        for seat_id, state in seat_states(db, performance_id, now).items():
            found = there.keys.get(seat_id)
            if found is None or found not in here.ids:
                continue
            key = found
            word = state.state
            if word == CART:
                word = MINE if cart_id is not None and state.cart_id == cart_id else CART
            plan.setdefault(key, []).append((performance_id, word))
    for where in plan.values():
        where.sort(key=lambda item: series.performance_ids.index(item[0]))
    return plan


def remove_package_seat(db: Database, actor: User, cart_id: int, section: str, row: str,
                        number: int, now: datetime) -> CartView:
    """Take a package seat out of the cart at every performance, in one write; it goes
    back on sale. Needs `sell`. Raises NotFound `unknown_item` when the cart does not
    hold it, CartError."""
    with write(db):
        authorize(db, actor, "sell")
        require_open(db, cart_id, now)
        items = [line.item_id for line in view_cart(db, cart_id).lines
                 if (line.section, line.row, line.number) == (section, row, number)
                 and line.package_id is not None]
        if not items:
            raise NotFound(f"{section} {row}-{number} is not in the cart",
                           code="unknown_item")
        for item_id in items:
            remove_item(db, actor, cart_id, item_id, now)
    return view_cart(db, cart_id)
