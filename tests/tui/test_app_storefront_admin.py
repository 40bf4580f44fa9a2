"""Admin, Storefront, at 80x24 from the keyboard: a coordinator takes a performance off
the web and gives another an online fee (a bad limit is refused in the form), writes an
information page in Markdown, and a seller may not."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from core.admin import site
from core.sales import online_settings
from core.store.db import Database
from core.venue import performances
from tests.support.app_helpers import make_app, sign_in, text_of
from tui.screens.admin_base import FormModal
from tui.screens.admin_storefront import PageEditor, PagesScreen, StorefrontAdminScreen


async def _open(pilot: Pilot[None]) -> None:
    await pilot.press("f4")
    await pilot.pause()
    await pilot.press(*["down"] * 7, "enter")
    await pilot.pause()


async def test_a_coordinator_sets_online_sales_and_writes_a_page(demo_db: Database,
                                                                 tmp_path: Path) -> None:
    shows = [p for p in performances.list_performances(demo_db) if p.status != "cancelled"]
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333", float_twenties=None)
        await _open(pilot)
        assert isinstance(app.screen, StorefrontAdminScreen)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        await pilot.press("backspace", "backspace", "backspace", *"no", "enter",
                          "enter", "enter", "enter", *"999", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)       # shown again with the problem
        assert online_settings.online_settings(demo_db, shows[0].id).enabled
        await pilot.press(*["backspace"] * 3, *"4", "enter", *"1.25", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StorefrontAdminScreen)
        assert "online settings saved" in text_of(app, "#info")
        saved = online_settings.online_settings(demo_db, shows[0].id)
        assert (saved.enabled, saved.max_tickets, saved.fee_cents) == (False, 4, 125)

        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PagesScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PageEditor)
        await pilot.press(*"faq", "enter", *"Questions", "enter", *"# Questions",
                          "enter", *"Doors open an hour before.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PagesScreen)
        page = site.get_page(demo_db, "faq")
        assert page.title == "Questions" and "Doors open" in page.body


async def test_a_seller_cannot_change_the_storefront(demo_db: Database,
                                                     tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111", float_twenties=None)
        await _open(pilot)
        assert isinstance(app.screen, StorefrontAdminScreen)
        await pilot.press("o")
        await pilot.pause()
        assert not isinstance(app.screen, FormModal)
        assert "needs the 'event_setup' permission" in text_of(app, "#info")


async def test_a_coordinator_turns_the_waiting_line_on(demo_db: Database,
                                                       tmp_path: Path) -> None:
    from core.sales import waiting_room

    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333", float_twenties=None)
        await _open(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        await pilot.press(*["backspace"] * 2, *"yes", "enter", *["backspace"] * 3, *"0",
                          "enter", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)           # 0 buyers: refused in the form
        assert not waiting_room.queue_settings(demo_db).enabled
        # the form comes back with the capacity field focused
        await pilot.press(*["backspace"] * 3, *"150", "enter", *["backspace"] * 3,
                          *"30", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StorefrontAdminScreen)
        saved = waiting_room.queue_settings(demo_db)
        assert (saved.enabled, saved.capacity, saved.per_minute) == (True, 150, 30)
