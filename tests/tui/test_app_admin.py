"""The admin screens (F4), from the keyboard: users, performances, the price grid and hold
codes. Each test presses keys as an admin (ada) or a seller (sam) would, then checks the
database and the screen."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from core.config import Config
from core.people import users
from core.store.db import Database
from core.venue import performances, pricing
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.support.dates import day_at, typed
from tui.screens.admin import SECTIONS, AdminScreen, HoldCodesScreen
from tui.screens.admin_base import FormModal
from tui.screens.admin_events import PerformancesAdminScreen
from tui.screens.admin_prices import PriceGridScreen
from tui.screens.admin_users import UsersScreen
from tui.screens.dialogs import AskText, Confirm


async def open_section(pilot: Pilot[None], name: str) -> None:
    """F4, then the admin menu's section `name` (users, roles, performances, ...)."""
    await pilot.press("f4")
    await pilot.pause()
    assert isinstance(pilot.app.screen, AdminScreen)
    index = [section for section, _ in SECTIONS].index(name)
    await pilot.press(*["down"] * index, "enter")
    await pilot.pause()


async def type_line(pilot: Pilot[None], text: str) -> None:
    """Replace the focused input's text and press Enter."""
    await pilot.press("ctrl+u", *text, "enter")
    await pilot.pause()


async def test_an_admin_makes_a_user_who_can_sign_in(demo_db: Database,
                                                     tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        await open_section(pilot, "users")
        assert isinstance(app.screen, UsersScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        for value in ("nell", "Nell New", "coordinator", "9876"):
            await type_line(pilot, value)
        assert isinstance(app.screen, UsersScreen)
        assert "nell can sign in now" in text_of(app, "#info")
        assert "Nell New" in str(app.screen.query_one("#users").get_row("nell"))  # type: ignore[attr-defined]
    user = users.authenticate(demo_db, "nell", "9876")
    assert (user.display_name, user.role) == ("Nell New", "coordinator")


async def test_a_seller_is_refused_a_new_user(demo_db: Database,
                                              tmp_path: Path) -> None:
    before = len(users.list_users(demo_db, include_inactive=True))
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        await open_section(pilot, "users")
        assert isinstance(app.screen, UsersScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)      # no form to fill in
        assert "may not do this" in text_of(app, "#info")
        assert "user_admin" in text_of(app, "#info")
    assert len(users.list_users(demo_db, include_inactive=True)) == before


async def open_performances(pilot: Pilot[None]) -> PerformancesAdminScreen:
    await open_section(pilot, "performances")
    screen = pilot.app.screen
    assert isinstance(screen, PerformancesAdminScreen)
    return screen


async def test_copying_a_performance_to_a_typed_time(demo_db: Database,
                                                     tmp_path: Path) -> None:
    zone = Config().zone
    first = performances.list_performances(demo_db)[0]
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        await open_performances(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, AskText)
        await type_line(pilot, typed(day_at(43, "19:30", zone)))
        assert isinstance(app.screen, PerformancesAdminScreen)
        assert f"at {typed(day_at(43, '19:30', zone))}" in text_of(app, "#info")
    copies = [perf for perf in performances.list_performances(demo_db)
              if perf.starts_at == day_at(43, "19:30", zone)]
    assert len(copies) == 1
    assert copies[0].event_id == first.event_id and copies[0].id != first.id
    assert pricing.price_list(demo_db, copies[0].id) != []


async def test_a_bad_time_changes_nothing(demo_db: Database,
                                          tmp_path: Path) -> None:
    count = len(performances.list_performances(demo_db))
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        await open_performances(pilot)
        await pilot.press("c")
        await pilot.pause()
        await type_line(pilot, "next tuesday")
        assert "is not a time such as" in text_of(app, "#info")
    assert len(performances.list_performances(demo_db)) == count


async def test_editing_a_price_cell(demo_db: Database, tmp_path: Path) -> None:
    first = performances.list_performances(demo_db)[0]
    grid = pricing.price_grid(demo_db, first.id)
    zone, price_type = grid.zones[0][0], grid.price_types[0][0]
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        await open_performances(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PriceGridScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        await type_line(pilot, "123.45")
        await pilot.press("enter", "enter")           # fee and tax as they were
        await pilot.pause()
        assert isinstance(app.screen, PriceGridScreen)
        assert f"{zone} {price_type}: base 123.45 + fee" in text_of(app, "#info")
    before = grid.get(zone, price_type)
    price = pricing.price_grid(demo_db, first.id).get(zone, price_type)
    assert before is not None and price is not None and price.base_cents == 12345
    assert (price.fee_cents, price.tax_basis_points) == (before.fee_cents,
                                                         before.tax_basis_points)


async def test_cancelling_a_performance(demo_db: Database,
                                        tmp_path: Path) -> None:
    first = performances.list_performances(demo_db)[0]
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        screen = await open_performances(pilot)
        await pilot.press("x")
        await pilot.pause()
        await type_line(pilot, "storm")
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
        assert f"Performance {first.id} is cancelled" in text_of(app, "#info")
        # a cancelled performance cannot be cancelled again: the key is hidden
        assert screen.check_action("cancel_performance", ()) is False
    assert performances.get_performance(demo_db, first.id).status == "cancelled"


async def test_a_hold_code_made_and_removed(demo_db: Database,
                                            tmp_path: Path) -> None:
    from core.venue import inventory

    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        await open_section(pilot, "holds")
        assert isinstance(app.screen, HoldCodesScreen)
        await pilot.press("n")
        await pilot.pause()
        await type_line(pilot, "PROMO7")
        await type_line(pilot, "Radio promo")
        for _ in range(3):
            await pilot.press("enter")
        await pilot.pause()
        assert "Hold code PROMO7 made" in text_of(app, "#info")
        assert "PROMO7" in [hold.code for hold in inventory.list_hold_codes(demo_db)]
        codes = [hold.code for hold in app.screen.holds]
        await pilot.press(*["down"] * codes.index("PROMO7"), "d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert "PROMO7" not in [hold.code for hold in inventory.list_hold_codes(demo_db)]


async def test_an_on_sale_window_typed_in_the_venue_zone(demo_db: Database,
                                                         tmp_path: Path) -> None:
    zone = Config().zone
    first = performances.list_performances(demo_db)[0]
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        await open_performances(pilot)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        await type_line(pilot, typed(day_at(-19, "10:00", zone)))
        await type_line(pilot, "")
        on_sale = typed(day_at(-19, "10:00", zone))
        assert f"sells from {on_sale} until no end" in text_of(app, "#info")
    perf = performances.get_performance(demo_db, first.id)
    assert perf.on_sale_at == day_at(-19, "10:00", zone)
    assert perf.off_sale_at is None


async def test_a_seat_map_with_problems_lists_them_by_line_and_column(
        demo_db: Database, tmp_path: Path) -> None:
    from core.venue import venues

    bad = tmp_path / "bad.toml"
    bad.write_text('[venue]\ncode = "X"\nname = \n', encoding="utf-8")
    before = venues.list_venues(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        await open_section(pilot, "seatmaps")
        await pilot.press("i")
        await pilot.pause()
        await type_line(pilot, str(bad))
        report = text_of(app, "#seatmap-report")
        assert "problem(s)" in report and "  3:" in report
        assert "nothing was imported" in text_of(app, "#info")
    assert venues.list_venues(demo_db) == before


async def test_a_valid_seat_map_is_validated_then_imported(demo_db: Database,
                                                           tmp_path: Path) -> None:
    from core.venue import venues
    from tests.support.seatmap_samples import HEAD

    hall = tmp_path / "test-hall.toml"
    hall.write_text(HEAD + '[[section]]\ncode = "ORCH"\nname = "Orchestra"\n'
                    "rows = '''\nA: AAoA\nB: wcBB\n'''\n", encoding="utf-8")
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        await open_section(pilot, "seatmaps")
        await pilot.press("v")
        await pilot.pause()
        await type_line(pilot, str(hall))
        assert "is valid: venue T, 8 seats" in text_of(app, "#seatmap-report")
        assert "T" not in [venue.code for venue in venues.list_venues(demo_db)]
        await pilot.press("i")
        await pilot.pause()
        await type_line(pilot, str(hall))
        assert "8 seats added" in text_of(app, "#info")
        assert "Test Hall" in text_of(app, "#seatmap-report")
    assert "T" in [venue.code for venue in venues.list_venues(demo_db)]


async def test_a_refused_new_user_keeps_what_was_typed(demo_db: Database,
                                                       tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        await open_section(pilot, "users")
        await pilot.press("n")
        await pilot.pause()
        for value in ("nell", "Nell New", "coordinator", "12"):     # a PIN too short
            await type_line(pilot, value)
        assert isinstance(app.screen, FormModal)                   # back, not closed
        assert "Nobody was made" in text_of(app, "#form-problem")
        assert app.screen.query_one("#f-display_name", Input).value == "Nell New"
        await pilot.press("enter", "enter", "enter")               # name, display, role kept
        await type_line(pilot, "9876")
        assert isinstance(app.screen, UsersScreen)
    assert users.authenticate(demo_db, "nell", "9876").role == "coordinator"
