"""Renewals from the window at 80x24, keyboard only: the coordinator rolls a series
forward to next season (f on Subscriptions), writes the renewal letters, records a seat
change request, finds a subscriber and renews them, reads the rate by package and zone,
and after the deadline releases the unrenewed seats; a seller renews by finding the
customer instead of typing the code."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader
from textual.widgets import DataTable, Static

from core.sales import carts, renewals, subscriptions
from core.sales.customers import create_customer
from core.sales.renewal_lookup import customer_renewals
from core.sales.tenders import Tender
from core.store.db import Database
from core.venue.inventory import seat_states
from core.venue.performances import copy_performance
from core.venue.series import Series
from tests.support.app_helpers import (
    Clock,
    fill,
    make_app,
    pay_cash_in_full,
    screen_text,
    sign_in,
    text_of,
)
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.dates import day_at
from tests.support.selling_helpers import HOLD, STATION, keep_on_sale, seat, user
from tests.support.subscription_helpers import hall_series
from tests.tui.test_app_subscriptions import open_subscriptions
from tui.screens.admin_base import FormModal
from tui.screens.customers import CustomerPicker
from tui.screens.dialogs import AskText, Confirm
from tui.screens.payment import PaymentModal, SaleDone
from tui.screens.renewals import RenewalsScreen

DEADLINE = FIXED_NOW + timedelta(days=30)


def subscribed(db: Database) -> tuple[Series, list[int]]:
    """A 2-performance series with Ann in ORCH-A-101 and Ben in ORCH-A-102, and next
    season's two performances (not in a series yet)."""
    made, package = hall_series(db, 2)
    sam, cora = user(db, "sam"), user(db, "cora")
    for number, name in ((101, "Ann Early"), (102, "Ben Late")):
        person = create_customer(db, sam, name, phone=f"555010{number:04d}", now=FIXED_NOW)
        cart_id = carts.open_cart(db, sam, STATION, FIXED_NOW, HOLD)
        cart = subscriptions.add_package_seats(db, sam, cart_id, package.id,
                                               f"ORCH-A-{number}", "ADULT", FIXED_NOW, HOLD)
        subscriptions.sell_subscription(db, sam, cart_id, [Tender("cash", cart.total_cents)],
                                        customer_id=person.id, station=STATION,
                                        now=FIXED_NOW)
    shows = [copy_performance(db, cora, made.performance_ids[0],
                              day_at(200 + week * 7, "19:30", ZONE)) for week in range(2)]
    keep_on_sale(db, days=600)
    return made, shows


def rows(app_screen: RenewalsScreen, table: str) -> list[list[str]]:
    found = app_screen.query_one(table, DataTable)
    return [[str(cell) for cell in found.get_row_at(i)] for i in range(found.row_count)]


async def test_the_coordinator_runs_a_renewal_season_from_the_window(
        demo_db: Database, tmp_path: Path) -> None:
    made, shows = subscribed(demo_db)
    deadline = DEADLINE.astimezone(ZONE).strftime("%Y-%m-%d %H:%M")
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await open_subscriptions(pilot, app)
        assert "f Roll forward" in screen_text(app)
        await pilot.press("e")
        await pilot.pause()
        assert "has no renewals: f rolls it forward" in text_of(app, "#info")
        await pilot.press("f")
        await pilot.pause()
        # a deadline already past is refused, and nothing is made
        await fill(pilot, "Opera 2028", "2028", f"{shows[0]}, {shows[1]}",
                   FIXED_NOW.astimezone(ZONE).strftime("%Y-%m-%d %H:%M"))
        assert isinstance(app.screen, FormModal)
        assert "deadline must be in the future" in text_of(app, "#form-problem")
        assert len(renewals.list_renewals(demo_db, made.id + 1)) == 0
        await fill(pilot, "Opera 2028", "2028", f"{shows[0]}, {shows[1]}", deadline)
        screen = app.screen
        assert isinstance(screen, RenewalsScreen)
        new = screen.series_id
        assert [r[:6] for r in rows(screen, "#renewals")] == [
            ["RN1", "Ann Early", "FULL", "ORCH-A-101", "336.96", "offered"],
            ["RN2", "Ben Late", "FULL", "ORCH-A-102", "336.96", "offered"]]
        # the letters: one PDF, a page per subscriber, beside the database
        await pilot.press("l")
        await pilot.pause()
        assert "2 renewal letter(s) written to" in text_of(app, "#info")
        letters = Path(text_of(app, "#info").split(" to ", 1)[1].rstrip("."))
        pages = PdfReader(io.BytesIO(letters.read_bytes())).pages
        assert len(pages) == 2 and "RN2" in pages[1].extract_text()
        # Ben asks for another seat: recorded on his renewal, his seat stays held
        await pilot.press("down", "c")
        await pilot.pause()
        assert isinstance(app.screen, AskText)
        await pilot.press(*"an aisle seat", "enter")
        await pilot.pause()
        assert "RN2: change request recorded" in text_of(app, "#info")
        assert renewals.get_renewal(demo_db, 2).change_request == "an aisle seat"
        # Ann, found by name, renews in one step
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, CustomerPicker)
        await pilot.press(*"Ann Ea")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert [r[0] for r in rows(screen, "#renewals")] == ["RN1"]
        await pilot.press("w")
        await pilot.pause()
        await fill(pilot, "RN1", "will-call")
        await pay_cash_in_full(pilot)
        assert "RN1 renewed: subscription #3 for Ann Early" in text_of(app, "#info")
        await pilot.press("u")
        await pilot.pause()
        assert rows(screen, "#rates") == [
            ["FULL", "A", "2", "1", "1", "0", "0", "50.0%"]]
        # before the deadline there is nothing to release
        await pilot.press("d")
        await pilot.pause()
        assert "No open renewal is past its deadline" in text_of(app, "#info")
    assert renewals.get_renewal(demo_db, 1).status == "renewed"
    assert all(seat(demo_db, show, "ORCH-A-102") in seat_states(demo_db, show, FIXED_NOW)
               for show in shows)

    # after the deadline the coordinator releases Ben's seat with one key
    clock = Clock(DEADLINE + timedelta(hours=1))
    app = make_app(demo_db, tmp_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        app.push_screen(RenewalsScreen(new))
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
        assert "1 unrenewed subscription(s) released" in text_of(app, "#info")
        assert rows(app.screen, "#rates") == [  # type: ignore[arg-type]
            ["FULL", "A", "2", "1", "0", "1", "0", "50.0%"]]
    assert renewals.get_renewal(demo_db, 2).status == "released"
    assert not any(seat(demo_db, show, "ORCH-A-102") in seat_states(demo_db, show, clock.now)
                   for show in shows)


async def test_a_seller_renews_by_finding_the_subscriber(demo_db: Database,
                                                          tmp_path: Path) -> None:
    made, shows = subscribed(demo_db)
    renewals.roll_forward(demo_db, user(demo_db, "cora"), made.id, "Next", shows,
                          season="2028", deadline=DEADLINE, now=FIXED_NOW)
    ben = customer_renewals(demo_db, 2)
    assert [r.hold_code for r in ben] == ["RN2"]
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        await open_subscriptions(pilot, app)
        await pilot.press("w")
        await pilot.pause()
        await fill(pilot, "", "print")
        assert isinstance(app.screen, CustomerPicker)
        await pilot.press(*"Ben L")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PaymentModal)
        below = app.screen_stack[-2].query_one("#info", Static)
        assert "RN2: Ben Late, ORCH-A-102 (FULL), held until" in str(below.content)
        await pilot.press("c", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SaleDone)
        await pilot.press("enter")
        await pilot.pause()
        # renewed: Ben has no renewal open any more
        await pilot.press("w")
        await pilot.pause()
        await fill(pilot, "", "print")
        await pilot.press(*"Ben L")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "Ben Late has no renewal open" in text_of(app, "#info")
    assert customer_renewals(demo_db, 2) == []
    assert [r.status for r in customer_renewals(demo_db, 2, open_only=False)] == ["renewed"]
