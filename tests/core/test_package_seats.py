"""A fixed package's seat map (issue 20): a seat is free for the package only when it is
free at every performance of the series; the plan says where it is not, and a package
seat is given back at every performance at once."""

from __future__ import annotations

import pytest

from core.errors import NotFound
from core.sales import carts, package_seats, subscriptions
from core.store.db import Database
from core.venue.inventory import hold_seats, kill_seats, seat_states
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import HOLD, STATION, cart_with, seat, user
from tests.support.subscription_helpers import hall_series

NOW = FIXED_NOW


def test_the_plan_names_every_performance_where_a_seat_is_taken(demo_db: Database) -> None:
    made, package = hall_series(demo_db, 3)
    first, second, third = made.performance_ids
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    cart_with(demo_db, cora, second, ["ORCH-F-110"], NOW)                 # another cart
    kill_seats(demo_db, cora, third, [seat(demo_db, third, "ORCH-F-110")], "camera", NOW)
    hold_seats(demo_db, cora, third, [seat(demo_db, third, "ORCH-F-111")], "HOUSE", NOW)
    mine = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    subscriptions.add_package_seats(demo_db, sam, mine, package.id, "ORCH-F-105", "ADULT",
                                    NOW, HOLD)
    plan = package_seats.package_plan(demo_db, package.id, NOW, cart_id=mine)
    assert plan[("ORCH", "F", 110)] == [(second, "cart"), (third, "killed")]
    assert plan[("ORCH", "F", 111)] == [(third, "held")]
    assert plan[("ORCH", "F", 105)] == [(first, "mine"), (second, "mine"), (third, "mine")]
    assert ("ORCH", "F", 109) not in plan                       # free at all three
    # another window sees the same seat as in another cart at every performance
    other = package_seats.package_plan(demo_db, package.id, NOW)
    assert [state for _, state in other[("ORCH", "F", 105)]] == ["cart"] * 3
    # given back at every performance in one step
    view = package_seats.remove_package_seat(demo_db, sam, mine, "ORCH", "F", 105, NOW)
    assert view.lines == ()
    assert all(seat(demo_db, show, "ORCH-F-105") not in seat_states(demo_db, show, NOW)
               for show in made.performance_ids)
    with pytest.raises(NotFound):
        package_seats.remove_package_seat(demo_db, sam, mine, "ORCH", "F", 105, NOW)
