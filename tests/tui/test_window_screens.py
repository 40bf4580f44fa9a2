"""What the window shows stays right: the price grid after an edit, the lock screen that
hides the customer, lists that refresh themselves."""

from __future__ import annotations

import re
from pathlib import Path

from core.store.db import Database
from tests.support.app_helpers import make_app, screen_text, sign_in
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
        assert "Wilhelmina Private" in screen_text(app)
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
        shown = screen_text(app)
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
        await pilot.pause()
        assert "Nothing matches 'fig10'" in screen_text(app)
        await pilot.press("ctrl+u")
        await pilot.pause()
        rows = screen_text(app).splitlines()
        assert rows[2] == header                      # Note still there, nothing cut
        assert any("Aldridge Hall" in row for row in rows[3:])
