"""The customer picker: find a customer from what the seller types, or create one, without
leaving the sale; a banned customer cannot be missed."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable

from core.sales.customers import Customer, get_customer, search_customers
from core.store.db import Database
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.support.order_helpers import customer, sell
from tui.app import BoxOfficeApp
from tui.screens.customer_form import CustomerForm
from tui.screens.customers import CustomerPicker
from tui.screens.dialogs import Confirm

Picked = list[Customer | None]


async def open_picker(app: BoxOfficeApp, pilot: Pilot[None]) -> Picked:
    """Push the picker as the sell screen does; the list gets what it returns."""
    picked: Picked = []
    app.push_screen(CustomerPicker(), picked.append)
    await pilot.pause()
    return picked


def rows(app: BoxOfficeApp) -> list[list[str]]:
    table = app.screen.query_one("#customers", DataTable)
    return [[str(cell) for cell in table.get_row_at(r)] for r in range(table.row_count)]


async def test_search_by_name_or_phone_digits_and_choose(demo_db: Database, tmp_path: Path) -> None:
    ana = customer(demo_db, "Ana Ruiz", phone="+1 555 019 9123", email="ana@example.org",
                   flags=("accessibility",))
    ben = customer(demo_db, "Ben Ruiz", phone="555 777 0000")
    sell(demo_db, ["ORCH-A-101"], who=ana)
    sell(demo_db, ["ORCH-A-102"], who=ana)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        picked = await open_picker(app, pilot)
        await pilot.press(*"ruiz")
        await pilot.pause()
        assert sorted(row[0] for row in rows(app)) == ["Ana Ruiz", "Ben Ruiz"]
        ana_row = next(row for row in rows(app) if row[0] == "Ana Ruiz")
        assert ana_row[1:] == ["+15550199123", "ana@example.org", " ACCESS", "2"]
        await pilot.press("ctrl+u", *"(555) 777")
        await pilot.pause()
        assert [row[0] for row in rows(app)] == ["Ben Ruiz"]
        await pilot.press("enter")
        await pilot.pause()
        assert picked == [ben]
        assert not isinstance(app.screen, CustomerPicker)


async def test_nothing_found_then_escape_returns_none(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        picked = await open_picker(app, pilot)
        await pilot.press(*"zed", "enter")
        await pilot.pause()
        assert "No customer matches 'zed'. Ctrl+N creates one." in text_of(
            app, "#customer-info")
        assert isinstance(app.screen, CustomerPicker) and picked == []
        await pilot.press("escape")
        await pilot.pause()
        assert picked == [None]


async def test_create_a_customer_from_the_picker(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        picked = await open_picker(app, pilot)
        await pilot.press(*"Dee Okafor", "ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, CustomerForm)
        # the search is the name; a phone with letters is refused inline, nothing written
        await pilot.press("tab", *"555-01x9", "enter")
        await pilot.pause()
        assert "is not a phone number" in text_of(app, "#form-error")
        assert search_customers(demo_db, "okafor") == []
        await pilot.press("ctrl+u", *"555 0134", "tab", *"dee@example.org", "tab", "tab",
                          "space")  # accessibility skipped, VIP ticked
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(picked) == 1 and picked[0] is not None
        created = get_customer(demo_db, picked[0].id)
        assert (created.name, created.phone, created.email, created.flags) == (
            "Dee Okafor", "5550134", "dee@example.org", frozenset({"vip"}))
        assert not isinstance(app.screen, CustomerForm | CustomerPicker)
        assert demo_db.execute("SELECT count(*) FROM journal WHERE action = "
                               "'customer.create'").fetchone()[0] == 1


async def test_a_banned_customer_is_unmistakable_and_needs_a_yes(
    demo_db: Database, tmp_path: Path,
) -> None:
    cy = customer(demo_db, "Cy Banner", phone="555 300 1000", flags=("banned", "vip"))
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        picked = await open_picker(app, pilot)
        await pilot.press(*"banner")
        await pilot.pause()
        assert "BANNED" in rows(app)[0][3]
        assert "Cy Banner is BANNED" in text_of(app, "#customer-info")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, CustomerPicker) and picked == []
        await pilot.press("enter", "y")
        await pilot.pause()
        assert picked == [cy]


async def test_a_flag_box_differs_in_shape_set_or_not(demo_db: Database,
                                                      tmp_path: Path) -> None:
    from tui.screens.customer_form import FlagBox

    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        app.push_screen(CustomerForm("Ana"))
        await pilot.pause()
        banned = app.screen.query_one("#flag-banned", FlagBox)
        assert "X" not in banned.render().plain          # not set: no mark at all
        banned.value = True
        await pilot.pause()
        assert "X" in banned.render().plain
