"""Helpers shared by the selling tests: users, a clock, and quick carts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from core.people.models import User
from core.people.users import get_user
from core.sales import carts
from core.store.db import Database
from core.till import shifts
from core.venue import inventory
from core.venue.performances import set_on_sale_window
from tests.support.constants import FIXED_NOW

HOLD = timedelta(minutes=10)
STATION = "window-1"
# the float each demo user's shift opens with: 2 x $20, 4 x $5, 20 x $1 = $80.00
FLOAT = {2000: 2, 500: 4, 100: 20}
SHIFT_USERS = ("sam", "cora", "ada")


def open_shifts(db: Database, now: datetime, usernames: Iterable[str] = SHIFT_USERS) -> None:
    """Open a shift for each user (every payment needs the taker's open shift), each at
    its own station: window-1 for the first, then window-1-cora, ..."""
    for index, name in enumerate(usernames):
        station = STATION if index == 0 else f"{STATION}-{name}"
        shifts.open_shift(db, get_user(db, name), station=station, float_counts=FLOAT,
                          now=now)


def user(db: Database, name: str) -> User:
    return get_user(db, name)


def hall_performance(db: Database) -> int:
    return int(db.execute("SELECT p.id FROM performances p JOIN venues v ON v.id = p.venue_id "
                          "WHERE v.kind = 'hall' ORDER BY p.starts_at LIMIT 1").fetchone()[0])


def later_hall_performance(db: Database, days: int = 60) -> int:
    """The hall's first performance again, `days` after the pinned day (19:30 there)."""
    from core.venue.performances import copy_performance
    from tests.support.constants import ZONE
    from tests.support.dates import day_at

    return copy_performance(db, user(db, "cora"), hall_performance(db),
                            day_at(days, "19:30", ZONE))


def stadium_performance(db: Database) -> int:
    return int(db.execute("SELECT p.id FROM performances p JOIN venues v ON v.id = p.venue_id "
                          "WHERE v.kind = 'stadium' LIMIT 1").fetchone()[0])


def seat(db: Database, performance_id: int, label: str) -> int:
    """'ORCH-A-101' -> seat id."""
    section, row, number = label.rsplit("-", 2)
    return inventory.find_seat(db, performance_id, section, row, int(number))


def cart_with(db: Database, actor: User, performance_id: int, labels: list[str],
              now: datetime, price_type: str = "ADULT") -> int:
    cart_id = carts.open_cart(db, actor, STATION, now, HOLD)
    carts.add_seats(db, actor, cart_id, performance_id,
                    [seat(db, performance_id, label) for label in labels], price_type, now, HOLD)
    return cart_id


def keep_on_sale(db: Database, days: int = 400) -> None:
    """Keep every performance on sale until `days` after FIXED_NOW (as a coordinator
    would): tests whose clock runs past a performance's end (off sale ENDS_AFTER its start
    when no off-sale time is set) still sell it."""
    cora = get_user(db, "cora")
    for (performance_id,) in db.execute("SELECT id FROM performances").fetchall():
        set_on_sale_window(db, cora, performance_id, None, FIXED_NOW + timedelta(days=days))
