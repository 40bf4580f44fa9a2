"""The gate screen as an online lane, against a real server process: ONLINE with its
queue in the heading, OFFLINE with a queue once the server is gone (the scan judged from
the pack), back ONLINE with the queue uploaded after the restart (F5 syncs at once)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from core.config import Config
from tests.gateserver.test_lanes_online import Event
from tests.support.constants import ZONE
from tests.support.gate_server import GateServer
from tests.support.lane_helpers import AT_GATE, scans_of
from tui.gate_app import GateApp
from tui.lane import LaneClient
from tui.screens.gate import GateScreen


async def test_the_lane_screen_shows_online_offline_and_its_queue(demo_path: Path,
                                                                   tmp_path: Path) -> None:
    event = Event(demo_path, tmp_path / "keys", 3, 1)
    server = GateServer(event.path, AT_GATE).start()
    lane = LaneClient(server.url, event.tokens[0], gate="North",
                      pack_path=tmp_path / "north.pack", timeout=1.0, zone=ZONE).connect()
    app = GateApp(lane.pack, Config(), lane.session, lane=lane, clock=lambda: AT_GATE)

    def heading() -> str:
        return str(app.screen.query_one("#heading", Static).content)

    def verdict() -> str:
        return app.screen.query_one("#verdict").word  # type: ignore[attr-defined]

    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert "ONLINE queue 0" in heading()
            await pilot.press(*event.codes[0], "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert verdict() == "ADMIT" and "ONLINE" in heading()

            server.kill()
            screen = app.screen
            assert isinstance(screen, GateScreen)
            screen.judge(event.codes[1])         # as the scanner's Enter does, sooner
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert verdict() == "ADMIT" and "OFFLINE queue 1" in heading()
            assert scans_of(event.db, "SELECT count(*) FROM scans") == 1

            server.start()
            await pilot.press("f5")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "ONLINE queue 0" in heading()
            assert scans_of(event.db, "SELECT count(*) FROM scans") == 2
    finally:
        server.kill()
        lane.close()
