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
