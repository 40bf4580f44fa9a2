"""A web reservation paid at the window: found in order lookup like any order, its seats,
total and deadline on the screen, paid with the usual tenders, its tickets printed."""

from __future__ import annotations

from pathlib import Path

from core.config import WebConfig
from core.sales import online, orders, reservations
from core.sales.reservations import Contact
from core.store.db import Database
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import hall_performance, seat
from tests.tui.test_app_orders import look_up
from tui.screens.order_detail import OrderDetailScreen


def _reserve(db: Database) -> reservations.WebOrder:
    show = hall_performance(db)
    rules = online.OnlineRules.from_config(WebConfig())
    cart_id = online.add_seats(db, None, show, [seat(db, show, "ORCH-F-107"),
                                                 seat(db, show, "ORCH-F-108")], rules, FIXED_NOW)
    return reservations.reserve(db, cart_id, Contact("Rosa Diaz", "rosa@example.org"),
                                WebConfig(), FIXED_NOW)


async def test_a_seller_takes_cash_for_a_reservation_and_its_tickets_print(
        demo_db: Database, tmp_path: Path) -> None:
    reserved = _reserve(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await look_up(pilot, reserved.number)
        assert isinstance(app.screen, OrderDetailScreen)
        state = text_of(app, "#state")
        assert "Reserved online for Rosa Diaz: ORCH F-107, ORCH F-108; 276.48" in state
        assert "y takes payment" in state
        await pilot.press("v")                       # a reservation is not voided
        await pilot.pause()
        assert isinstance(app.screen, OrderDetailScreen)
        await pilot.press("y", "c", *"300", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert "COMPLETE" in text_of(app, "#heading")
    order = orders.find_order(demo_db, reserved.number)
    assert order.status == "complete" and len(order.tickets) == 2
    assert order.paid_cents == 27648 and order.change_cents == 2352
    assert len(list((tmp_path / "prints").glob("*.png"))) >= 1


async def test_a_seller_takes_a_payment_plans_next_instalment(demo_db: Database,
                                                              tmp_path: Path) -> None:
    from datetime import timedelta

    from core.sales import plans
    from core.sales.tenders import Tender
    from tests.support.constants import ZONE
    from tests.support.order_helpers import customer
    from tests.support.selling_helpers import cart_with, user

    cora = user(demo_db, "cora")
    today = FIXED_NOW.astimezone(ZONE).date()
    cart_id = cart_with(demo_db, cora, hall_performance(demo_db), ["ORCH-F-107", "ORCH-F-108"],
                        FIXED_NOW)
    plan = plans.sell_on_plan(demo_db, cora, cart_id, [Tender("cash", 7648)],
                              [(today + timedelta(days=10), 10000),
                               (today + timedelta(days=20), 10000)],
                              customer_id=customer(demo_db, "Rosa Diaz").id,
                              station="window-1-cora", now=FIXED_NOW, zone=ZONE)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await look_up(pilot, plan.order_number)
        assert isinstance(app.screen, OrderDetailScreen)
        assert "plan: 100.00 due" in text_of(app, "#state")
        await pilot.press("y", "c", *"100", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert "plan: 100.00 due" in text_of(app, "#state")
        assert "(1 instalment(s) left)" in text_of(app, "#state")
    after = plans.get_plan(demo_db, plan.order_id)
    assert after.instalments[0].settled and not after.instalments[1].settled
