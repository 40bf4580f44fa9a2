"""What the window shows stays right: the price grid after an edit, the lock screen that
hides the customer, lists that refresh themselves."""

from __future__ import annotations

import re
from pathlib import Path

from textual.pilot import Pilot

from core.store.db import Database
from tests.support.app_helpers import make_app, screen_text, settled_text, sign_in
from tests.support.constants import FIXED_NOW
from tests.tui.test_app_admin import type_line
from tests.tui.test_app_admin_prices import open_grid


async def test_the_price_grid_shows_whole_money_after_an_edit(
        demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        await open_grid(pilot)
        before = screen_text(app)
        assert "125.00" in before
        await pilot.press("enter")
        await pilot.pause()
        for value in ("99.50", "", ""):
            await type_line(pilot, value)
        await pilot.pause()
        after = screen_text(app)
        assert "99.50" in after
        # every price on the grid keeps its cents
        grid = after.split("Prices", 1)[1]
        cut = re.findall(r"(?<![\d.])\d+\.\d(?!\d)", grid)
        assert not cut, (cut, grid)


async def test_the_lock_screen_hides_the_customer(demo_db: Database,
                                                  tmp_path: Path) -> None:
    from tests.support.order_helpers import customer
    from tests.tui.test_app_selling import open_hall

    who = customer(demo_db, "Wilhelmina Private", phone="555 013 2468",
                   email="wp@example.org")
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        screen = await open_hall(pilot)
        await pilot.press("space")
        app.sale.customer = who
        screen.refresh_sale()
        await pilot.pause()
        assert "Wilhelmina Private" in await settled_text(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        locked = screen_text(app)
        assert "Locked." in locked
        assert "Wilhelmina" not in locked and "ORCH" not in locked


async def test_the_performance_list_shows_what_changed_on_return(
        demo_db: Database, tmp_path: Path) -> None:
    from datetime import timedelta

    from core.venue import performances
    from tests.support.app_helpers import Clock
    from tests.support.selling_helpers import user

    clock = Clock()
    app = make_app(demo_db, tmp_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        assert "Late Show" not in screen_text(app)
        # meanwhile an admin at another window adds a performance
        ada = user(demo_db, "ada")
        event = performances.create_event(demo_db, ada, "Late Show")
        hall = demo_db.execute("SELECT id FROM venues WHERE kind = 'hall'").fetchone()[0]
        performances.create_performance(demo_db, ada, event, hall,
                                        clock() + timedelta(days=2))
        clock.advance(minutes=48)
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        shown = await settled_text(pilot)
        assert "Late Show" in shown
        local = clock().astimezone(app.config.zone)
        assert f"{local:%H:%M}" in shown.splitlines()[0]     # the clock moved too


async def test_clearing_a_filter_that_matched_nothing_keeps_every_column(
        demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        header = screen_text(app).splitlines()[2]
        assert header.split() == ["When", "Event", "Venue", "Note"]
        await pilot.press(*"fig10")
        assert "Nothing matches 'fig10'" in await settled_text(pilot)
        await pilot.press("ctrl+u")
        rows = (await settled_text(pilot)).splitlines()
        assert rows[2] == header                      # Note still there, nothing cut
        assert any("Aldridge Hall" in row for row in rows[3:])


async def come_back(pilot: Pilot[None]) -> None:
    """Another screen over this one, then back: what a seller does a hundred times."""
    from tui.screens.dialogs import Confirm

    pilot.app.push_screen(Confirm("a moment"))
    await pilot.pause()
    pilot.app.pop_screen()
    await pilot.pause()


async def test_stock_orders_and_shifts_show_other_windows_changes_on_return(
        demo_db: Database, tmp_path: Path) -> None:
    from core.concessions import stock
    from core.sales import aftersale
    from core.till import shifts
    from tests.support.order_helpers import sell
    from tests.support.selling_helpers import STATION, user
    from tests.tui.test_app_orders import look_up
    from tests.tui.test_app_stock import open_stock_at
    from tui.screens.shift_close import AllShiftsScreen

    ada = user(demo_db, "ada")
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        # stock: another window receives 40 scarves
        screen = await open_stock_at(pilot, "SCARF")
        before = screen.item
        assert before is not None
        stock.receive(demo_db, ada, "SCARF", 40, 900, FIXED_NOW)
        await come_back(pilot)
        after = screen.item
        assert after is not None and after.sku == "SCARF"       # the cursor kept
        assert after.on_hand == before.on_hand + 40
        assert f"{after.on_hand}" in await settled_text(pilot)
        await pilot.press("escape")
        await pilot.pause()
        # orders: one listed as paid is refunded at another window
        order = sell(demo_db, ["ORCH-B-101"])
        await look_up(pilot, order.number)
        await pilot.press("escape")                 # from the order back to the list
        await pilot.pause()
        assert "COMPLETE" in await settled_text(pilot)
        aftersale.refund(demo_db, user(demo_db, "cora"), order.id, reason="wrong night",
                         station=STATION, now=FIXED_NOW)
        await come_back(pilot)
        assert "REFUNDED" in await settled_text(pilot)
        await pilot.press("escape")
        await pilot.pause()
        # shifts: a seller opens one at another window
        await pilot.press("f2", "a")
        await pilot.pause()
        assert isinstance(app.screen, AllShiftsScreen)
        assert "window-7" not in screen_text(app)
        from core.people.accounts import create_user

        sue = create_user(demo_db, ada, "sue", "Sue Seller", "seller", "5555")
        shifts.open_shift(demo_db, sue, station="window-7", float_counts={2000: 5},
                          now=FIXED_NOW)
        await come_back(pilot)
        assert "window-7" in await settled_text(pilot)
