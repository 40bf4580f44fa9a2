"""Admin, Gate lanes: a coordinator issues a lane's token (shown once, stored hashed),
revokes it, and opens the live admissions dashboard, at 80x24 from the keyboard."""

from __future__ import annotations

import hashlib
from pathlib import Path

from textual.widgets import DataTable

from core.gate import lanes
from core.store.db import Database
from core.venue import performances
from tests.core.test_checkin import Box
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.support.constants import FIXED_NOW
from tests.support.lane_helpers import AT_GATE
from tests.support.selling_helpers import stadium_performance
from tests.tui.test_app_admin import open_section
from tui.screens.admin_lanes import LanesAdminScreen
from tui.screens.admissions import AdmissionsScreen
from tui.screens.dialogs import AskText, Confirm


async def test_a_coordinator_issues_and_revokes_a_lane_token_and_opens_the_dashboard(
        demo_db: Database, tmp_path: Path) -> None:
    match = stadium_performance(demo_db)
    box = Box(demo_db, tmp_path / "keys")
    tickets = box.sell(match, ["101-1-1", "101-1-2", "101-1-3"]).tickets
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await open_section(pilot, "lanes")
        assert isinstance(app.screen, LanesAdminScreen)
        shows = [show.id for show in app.screen.shows]
        await pilot.press(*["down"] * shows.index(match), "i")
        await pilot.pause()
        assert isinstance(app.screen, AskText)
        await pilot.press(*"North 3", "enter")
        await pilot.pause()
        info = text_of(app, "#info")
        assert "Token for North 3 (shown once" in info
        token = info.rsplit(": ", 1)[1].strip()
        stored = demo_db.execute("SELECT token_hash FROM lane_tokens").fetchone()[0]
        assert stored == hashlib.sha256(token.encode()).hexdigest()
        lane = lanes.authenticate_lane(demo_db, token, now=FIXED_NOW)
        assert "North 3" in str(app.screen.query_one("#lanes", DataTable).get_row_at(0))

        # a scan through the lane, then the dashboard shows it
        verdict, _ = lanes.judge(demo_db, lane, "North", "entry", box.code(tickets[0]),
                                 "north-00001", now=AT_GATE)
        assert verdict.admitted
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, AdmissionsScreen)
        summary = text_of(app, "#summary")
        assert "Inside 1/3" in summary and "To come 2" in summary
        assert "North 3" in str(app.screen.query_one("#admission-lanes",
                                                     DataTable).get_row_at(0))
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("tab", "x")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
        assert "token revoked" in text_of(app, "#info")
    assert not lanes.list_lanes(demo_db, match)[0].active
    assert performances.get_performance(demo_db, match).id == match


async def test_the_signs_are_written_from_the_lanes_screen(demo_db: Database,
                                                           tmp_path: Path) -> None:
    from pypdf import PdfReader

    from core.gate import planning

    match = stadium_performance(demo_db)
    venue = demo_db.execute("SELECT venue_id FROM performances WHERE id = ?",
                            [match]).fetchone()[0]
    planning.assign_sections(demo_db, Box(demo_db, tmp_path / "keys").cora, venue, ["101"],
                             "North", now=FIXED_NOW)
    app = make_app(demo_db, tmp_path)
    target = tmp_path / "signs.pdf"
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await open_section(pilot, "lanes")
        assert isinstance(app.screen, LanesAdminScreen)
        shows = [show.id for show in app.screen.shows]
        await pilot.press(*["down"] * shows.index(match), "s")
        await pilot.pause()
        assert isinstance(app.screen, AskText)
        await pilot.press("ctrl+u", *str(target), "enter")
        await pilot.pause()
        assert "Signs for 1 gate(s) written" in text_of(app, "#info")
    assert "GATE NORTH" in PdfReader(target).pages[0].extract_text()
