"""The window app, driven from the keyboard with the Pilot: what a seller would see."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from core.store.db import Database
from tests.support.app_helpers import make_app, sign_in
from tui.app import BoxOfficeApp
from tui.screens.login import LoginScreen
from tui.screens.overview import SellOverviewScreen as OverviewScreen
from tui.screens.performances import PerformancesScreen
from tui.screens.sell import SellScreen as MapScreen
from tui.widgets.overview import OverviewMap
from tui.widgets.seatmap import SeatMap


def info(app: BoxOfficeApp) -> str:
    return str(app.screen.query_one("#info", Static).content)


async def test_first_screen_signs_in_then_lists_performances(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        pins = str(app.screen.query_one("#demo-users", Static).content)
        assert "PIN 1111" in pins and "admin" in pins
        await sign_in(pilot)
        assert isinstance(app.screen, PerformancesScreen)
        assert app.user is not None and app.user.username == "sam"
        table = app.screen.query_one(DataTable)
        assert table.row_count == 3
        assert "Marriage of Figaro" in str(table.get_row_at(0)[1])


async def test_open_the_hall_move_the_cursor_and_read_the_seat(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        seat_map = app.screen.query_one(SeatMap)
        assert seat_map.has_focus
        start = seat_map.seat
        # the cursor starts on the best seat: the hall's ideal row F, Premium centre
        assert start is not None and (start.section, start.row) == ("ORCH", "F")
        assert "Row F" in info(app) and "Orchestra" in info(app)
        await pilot.press("down", "down")
        await pilot.pause()
        assert seat_map.seat.row == "H"
        assert f"Row H  Seat {seat_map.seat.number}" in info(app)
        before = seat_map.seat.number
        await pilot.press("right")
        await pilot.pause()
        assert seat_map.seat.row == "H" and seat_map.seat.number != before
        await pilot.press("end")
        await pilot.pause()
        assert seat_map.seat.x == max(s.x for s in seat_map.drawing.seats
                                      if s.y == seat_map.seat.y)


async def test_go_to_row_by_typing_its_label(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("g", "M", "enter")
        await pilot.pause()
        seat_map = app.screen.query_one(SeatMap)
        assert (seat_map.seat.section, seat_map.seat.row) == ("ORCH", "M")
        assert "Row M" in info(app)
        assert seat_map.has_focus
        await pilot.press("g", "Q", "Q", "enter")
        await pilot.pause()
        assert "no row 'QQ'" in info(app)
        assert seat_map.seat.row == "M"  # unchanged


async def test_escape_cancels_row_entry_then_goes_back(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("g")
        assert app.screen.query_one("#row-input", Input).display
        await pilot.press("escape")
        assert not app.screen.query_one("#row-input", Input).display
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PerformancesScreen)


async def test_stadium_overview_drills_into_a_section_and_back(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)
        assert "Section" in info(app) and "seats left" in info(app)
        await pilot.press("right")
        await pilot.pause()
        code = app.screen.query_one(OverviewMap).hotspot.code
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        seat_map = app.screen.query_one(SeatMap)
        assert {seat.section for seat in seat_map.drawing.seats} == {code}
        assert f"({code})" in info(app) and "Row 1 " in info(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)


async def test_the_field_is_general_admission_not_a_seat_map(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        overview = app.screen.query_one(OverviewMap)
        assert overview.select("FIELD")
        await pilot.pause()
        assert "general admission" in info(app) and "2,500" in info(app)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "GeneralAdmissionForm"  # sold by quantity


async def test_an_empty_database_says_what_to_do(db: Database) -> None:
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.screen.query_one("#demo-users").display
        assert "no users yet" in str(app.screen.query_one("#pin-message", Static).content)
        from core.people.accounts import create_first_admin

        create_first_admin(db, "boss", "Boss", "9999")
        await sign_in(pilot, "boss", "9999")
        table = app.screen.query_one(DataTable)
        assert "boxoffice demo" in str(table.get_row_at(0)[1])
        await pilot.press("enter")  # nothing to open: nothing happens
        assert isinstance(app.screen, PerformancesScreen)


def test_a_16_colour_terminal_gets_zone_colours_from_its_own_palette(
    db: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.setenv("TERM", "xterm-16color")
    app = make_app(db)
    assert app.console.color_system == "standard"
    assert app.ansi_color is True  # "yellow" stays the terminal's yellow
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")
    assert not make_app(db).ansi_color


async def test_a_training_window_says_training_on_every_screen(
    demo_db: Database, tmp_path: Path,
) -> None:
    from core.config import Config
    from tests.support.app_helpers import Clock

    app = BoxOfficeApp(demo_db, Config(), clock=Clock(), training=True,
                       key_dir=tmp_path / "keys")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "TRAINING" in str(app.screen.query_one("#training-mark", Static).content)
        await sign_in(pilot)
        for key in ("f3", "escape", "f2", "escape", "enter"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen.query("#training-mark"), type(app.screen).__name__
    plain = make_app(demo_db)
    async with plain.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not plain.screen.query("#training-mark")
