"""Likely duplicate customers from the palette: side by side, merged after a yes, the
right one kept with s; the window never finds the merged record again."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from core.sales import customers
from core.store.db import Database
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.support.order_helpers import customer, sell
from tui.commands import window_commands
from tui.screens.dialogs import Confirm
from tui.screens.duplicates import DuplicatesScreen


async def open_duplicates(app: object, pilot: object) -> DuplicatesScreen:
    from textual.app import App
    from textual.pilot import Pilot

    assert isinstance(app, App) and isinstance(pilot, Pilot)
    command = next(c for c in window_commands(app, app.screen)  # type: ignore[arg-type]
                   if c.title.startswith("Customers: likely duplicates"))
    command.callback()
    await pilot.pause()
    assert isinstance(app.screen, DuplicatesScreen)
    return app.screen


async def test_merge_a_pair_from_the_palette(demo_db: Database, tmp_path: Path) -> None:
    keep = customer(demo_db, "Wilhelmina Ortiz", email="w@example.org")
    other = customer(demo_db, "wilhelmina  ortiz", phone="5550100")
    order = sell(demo_db, ["ORCH-B-101"], who=other)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        screen = await open_duplicates(app, pilot)
        table = screen.query_one(DataTable)
        assert table.row_count == 1
        assert [str(c) for c in table.get_row_at(0)][::2] == [
            f"#{keep.id} Wilhelmina Ortiz", f"#{other.id} wilhelmina ortiz", "same name"]
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")                      # not yet: nothing happens
        await pilot.pause()
        assert "Nothing merged" in text_of(app, "#info")
        await pilot.press("m", "y")
        await pilot.pause()
        assert "merged into" in text_of(app, "#info")
        assert "No likely duplicates left" in text_of(app, "#info")
    assert demo_db.execute("SELECT customer_id FROM orders WHERE id = ?",
                           [order.id]).fetchone()[0] == keep.id
    assert [c.id for c in customers.search_customers(demo_db, "5550100")] == [keep.id]


async def test_s_keeps_the_right_one(demo_db: Database, tmp_path: Path) -> None:
    older = customer(demo_db, "Ann Lee", email="ann@example.org")
    newer = customer(demo_db, "Ann Lee", email="ANN@example.org", phone="5550123")
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        await open_duplicates(app, pilot)
        await pilot.press("s", "y")
        await pilot.pause()
    assert [c.id for c in customers.search_customers(demo_db, "Ann Lee")] == [newer.id]
    assert older.id != newer.id
