"""Subscriptions in the window, from the keyboard at 80x24: a coordinator defines a
series, its package and a price, then sells a subscription: the seats at every
performance, the subscriber, cash; a seat taken at one performance brings the form back
naming it, and nothing changes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.pilot import Pilot

from core.sales import carts, customers, flex, renewals, subscriptions
from core.sales.subscriptions import NewSubscriber
from core.sales.tenders import Tender
from core.store.db import Database
from core.venue.performances import copy_performance
from tests.support.app_helpers import fill, make_app, pay_cash_in_full, sign_in, text_of
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.dates import day_at
from tests.support.selling_helpers import HOLD, STATION, cart_with, keep_on_sale, user
from tests.support.subscription_helpers import hall_series
from tui.app import BoxOfficeApp
from tui.commands import window_commands
from tui.screens.admin_base import FormModal
from tui.screens.customers import CustomerPicker
from tui.screens.payment import SaleDone
from tui.screens.subscriptions import SubscriptionsScreen


async def open_subscriptions(pilot: Pilot[None], app: BoxOfficeApp) -> None:
    next(c for c in window_commands(app, app.screen)
         if c.title.startswith("Subscriptions")).callback()
    await pilot.pause()
    assert isinstance(app.screen, SubscriptionsScreen)


def claimed(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM seat_claims WHERE state != 'held'"
                          ).fetchone()[0])


async def test_a_series_defined_and_a_subscription_sold(demo_db: Database,
                                                         tmp_path: Path) -> None:
    jane = customers.create_customer(demo_db, user(demo_db, "sam"), "Jane Subscriber",
                                     phone="5550101234", now=FIXED_NOW)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await open_subscriptions(pilot, app)
        assert "No package yet" in text_of(app, "#info")
        await pilot.press("n")
        await pilot.pause()
        await fill(pilot, "Figaro pair", "2027", "1, 2")
        assert "Series #1 Figaro pair: 2 performance(s)" in text_of(app, "#info")
        await pilot.press("p")
        await pilot.pause()
        await fill(pilot, "1", "pair", "Both nights", "", "")
        assert "Package PAIR on series #1" in text_of(app, "#info")
        await pilot.press("dollar_sign")
        await pilot.pause()
        await fill(pilot, "A", "ADULT", "180.00", "", "")
        assert "PAIR zone A ADULT: 180.00" in text_of(app, "#info")
        # a seat taken at the second performance: the form comes back, naming it
        cart_with(demo_db, user(demo_db, "sam"), 2, ["ORCH-A-102"], FIXED_NOW)
        before = claimed(demo_db)
        await pilot.press("s")
        await pilot.pause()
        await fill(pilot, "ORCH-A-101..102", "ADULT", "print")
        assert isinstance(app.screen, FormModal)
        assert "ORCH A-102 is cart at #2" in text_of(app, "#form-problem")
        assert claimed(demo_db) == before
        await fill(pilot, "ORCH-A-103..104", "ADULT", "will-call")
        assert isinstance(app.screen, CustomerPicker)
        await pilot.press(*"Jane")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pay_cash_in_full(pilot)
        assert "1 subscription(s)" not in text_of(app, "#info")
        assert "2 subscription(s) for Jane Subscriber" in text_of(app, "#info")
    sold = subscriptions.list_subscriptions(demo_db, customer_id=jane.id)
    assert [(s.seat_label, s.live_tickets) for s in sold] == [("ORCH-A-103", 2),
                                                             ("ORCH-A-104", 2)]
    order = demo_db.execute("SELECT channel, delivery, total_cents FROM orders").fetchone()
    assert tuple(order) == ("subscription", "will_call", 2 * 18000)


async def test_a_flex_pass_sold_redeemed_and_an_admission_returned(
        demo_db: Database, tmp_path: Path) -> None:
    customers.create_customer(demo_db, user(demo_db, "sam"), "Flex Fan",
                              phone="5550109999", now=FIXED_NOW)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await open_subscriptions(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        await fill(pilot, "Figaro pair", "2027", "1 2")
        await pilot.press("p")
        await pilot.pause()
        await fill(pilot, "1", "flex2", "Any two", "2", "1")
        assert "Package FLEX2 on series #1" in text_of(app, "#info")
        await pilot.press("dollar_sign")
        await pilot.pause()
        await fill(pilot, "ANY", "ADULT", "150.00", "")
        await pilot.press("s")
        await pilot.pause()
        await fill(pilot, "ADULT")
        assert isinstance(app.screen, CustomerPicker)
        await pilot.press(*"Flex")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("c", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SaleDone)
        await pilot.press("enter")
        await pilot.pause()
        assert "Pass #1 for Flex Fan: 2 admissions" in text_of(app, "#info")
        # two at one performance is one too many for this pass: the form comes back
        await pilot.press("r")
        await pilot.pause()
        await fill(pilot, "1", "1", "ORCH-C-101..102")
        assert isinstance(app.screen, FormModal)
        assert "at most 1 at one performance" in text_of(app, "#form-problem")
        await fill(pilot, "1", "1", "ORCH-C-101")
        assert "ORCH C-101 at #1; 1 admission(s) left" in text_of(app, "#info")
        serial = flex.list_passes(demo_db)[0]
        ticket = demo_db.execute("SELECT serial FROM tickets").fetchone()[0]
        await pilot.press("x")
        await pilot.pause()
        await fill(pilot, "1", ticket, "cannot come")
        assert f"{ticket} back to pass #1" in text_of(app, "#info")
        assert "2 admission(s) left" in text_of(app, "#info")
    assert serial.used == 1 and flex.get_pass(demo_db, 1).left == 2
    payments = demo_db.execute("SELECT sum(amount_cents) FROM payments").fetchone()[0]
    assert payments == 15000


async def test_a_renewal_at_the_window_by_its_code(demo_db: Database,
                                                    tmp_path: Path) -> None:
    made, package = hall_series(demo_db, 2)
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    cart_id = carts.open_cart(demo_db, sam, STATION, FIXED_NOW, HOLD)
    cart = subscriptions.add_package_seats(demo_db, sam, cart_id, package.id, "ORCH-A-101",
                                           "ADULT", FIXED_NOW, HOLD)
    subscriptions.sell_subscription(demo_db, sam, cart_id, [Tender("cash", cart.total_cents)],
                                    customer_id=NewSubscriber("Ann Early"), station=STATION,
                                    now=FIXED_NOW)
    shows = [copy_performance(demo_db, cora, made.performance_ids[0],
                              day_at(200 + week * 7, "19:30", ZONE)) for week in range(2)]
    keep_on_sale(demo_db, days=600)
    renewals.roll_forward(demo_db, cora, made.id, "Next season", shows, season="2028",
                          deadline=FIXED_NOW + timedelta(days=30), now=FIXED_NOW)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        await open_subscriptions(pilot, app)
        await pilot.press("w")
        await pilot.pause()
        await fill(pilot, "RN9", "print")
        assert isinstance(app.screen, FormModal)
        assert "there is no renewal 9" in text_of(app, "#form-problem")
        await fill(pilot, "rn1", "print")
        await pay_cash_in_full(pilot)
        assert "RN1 renewed" in text_of(app, "#info")
        await pilot.press("w")
        await pilot.pause()
        await fill(pilot, "RN1", "print")
        assert "RN1 is renewed, not open for renewal" in text_of(app, "#form-problem")
    assert renewals.get_renewal(demo_db, 1).status == "renewed"
    renewed = [s for s in subscriptions.list_subscriptions(demo_db)
               if s.series_id != made.id]
    assert [(s.customer_name, s.seat_label, s.live_tickets) for s in renewed] == [
        ("Ann Early", "ORCH-A-101", 2)]
