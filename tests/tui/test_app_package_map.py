"""Selling a fixed package on the seat map at 80x24, keyboard only: a seat free at the
first performance but sold at the second looks taken and says where; space on it offers
the nearest seat free at every performance; space takes that one at every performance,
`b` the best two together; Enter goes on to the subscriber and the payment. Esc lets
every seat go."""

from __future__ import annotations

from pathlib import Path

from core.sales import carts, checkout, customers, subscriptions
from core.sales.tenders import Tender
from core.store.db import Database
from tests.support.app_helpers import fill, make_app, pay_cash_in_full, sign_in, text_of
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import STATION, cart_with, user
from tests.support.subscription_helpers import hall_series
from tests.tui.test_app_subscriptions import open_subscriptions
from tui.screens.customers import CustomerPicker
from tui.screens.package_map import PackageMapScreen
from tui.screens.subscriptions import SubscriptionsScreen
from tui.widgets.seatmap import SeatMap


def open_carts(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM carts WHERE status = 'open'").fetchone()[0])


async def test_a_package_sold_on_the_map_free_at_every_performance(
        demo_db: Database, tmp_path: Path) -> None:
    made, _ = hall_series(demo_db, 2)
    first, second = made.performance_ids
    sam = user(demo_db, "sam")
    single = cart_with(demo_db, sam, second, ["ORCH-F-110"], FIXED_NOW)
    due = carts.view_cart(demo_db, single).total_cents
    checkout.checkout(demo_db, sam, single, [Tender("cash", due)], station=STATION,
                      now=FIXED_NOW)
    customers.create_customer(demo_db, sam, "Jane Subscriber", phone="5550101234",
                              now=FIXED_NOW)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await open_subscriptions(pilot, app)
        await pilot.press("s")
        await pilot.pause()
        await fill(pilot, "", "ADULT", "print")       # no seats typed: the map
        screen = app.screen
        assert isinstance(screen, PackageMapScreen)
        seat_map = screen.query_one(SeatMap)
        # free at the first performance, sold at the second: taken for the package
        assert seat_map.states[("ORCH", "F", 110)] == ("sold", None)
        assert ("ORCH", "F", 109) not in seat_map.states
        seat_map.select_seat("ORCH", "F", 110)
        await pilot.pause()
        assert f"NOT FREE: sold at #{second}" in text_of(app, "#info")
        await pilot.press("space")
        await pilot.pause()
        info = text_of(app, "#info")
        assert "ORCH F-110 is not free at every performance" in info
        assert "Offered instead: ORCH F-1" in info
        offered = seat_map.seat
        assert offered is not None and offered.key not in screen.plan
        assert offered.zone == "A" and offered.row == "F"
        await pilot.press("space")                    # the seat offered, taken
        await pilot.pause()
        assert "held at all 2 performances" in text_of(app, "#info")
        assert seat_map.states[offered.key] == ("mine", None)
        await pilot.press("b")
        await pilot.pause()
        await fill(pilot, "2", "A")
        assert "2 seat(s) together" in text_of(app, "#info")
        assert "3 seat(s) x 2 performances" in text_of(app, "#chosen")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CustomerPicker)
        await pilot.press(*"Jane")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pay_cash_in_full(pilot)
        assert isinstance(app.screen, SubscriptionsScreen)
        assert "3 subscription(s) for Jane Subscriber" in text_of(app, "#info")
    sold = subscriptions.list_subscriptions(demo_db)
    assert len(sold) == 3 and all(s.live_tickets == 2 for s in sold)
    assert f"ORCH-F-{offered.number}" in {s.seat_label for s in sold}
    assert "ORCH-F-110" not in {s.seat_label for s in sold}
    assert first != second


async def test_esc_on_the_map_lets_every_seat_go(demo_db: Database, tmp_path: Path) -> None:
    hall_series(demo_db, 2)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await open_subscriptions(pilot, app)
        await pilot.press("s")
        await pilot.pause()
        await fill(pilot, "", "NOSUCH", "print")
        assert "Price type" in text_of(app, "#form-problem")
        await fill(pilot, "ADULT", "print")          # the price type field has the focus
        assert isinstance(app.screen, PackageMapScreen)
        await pilot.press("space")
        await pilot.pause()
        assert open_carts(demo_db) == 1
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SubscriptionsScreen)
        assert "Nothing sold" in text_of(app, "#info")
    assert open_carts(demo_db) == 0
    assert demo_db.execute("SELECT count(*) FROM seat_claims WHERE state = 'cart'"
                           ).fetchone()[0] == 0
