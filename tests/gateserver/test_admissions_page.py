"""The live admissions page a real check-in server serves to the LAN: figures, lanes
(one offline with its queue), refusals and the SVG arrival curve, without a token."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.gateserver.test_lanes_online import Event
from tests.support.gate_server import GateServer
from tests.support.lane_helpers import AT_GATE, at


def test_the_page_shows_inside_against_sold_lanes_refusals_and_the_curve(
        demo_path: Path, tmp_path: Path) -> None:
    event = Event(demo_path, tmp_path / "keys", 40, 3)
    with GateServer(event.path, AT_GATE) as server:
        north = event.lane(server.url, 0, tmp_path, timeout=5.0)
        south = event.lane(server.url, 1, tmp_path, timeout=5.0)
        for i, code in enumerate(event.codes[:12]):
            assert north.judge(code, at(AT_GATE, i)).verdict.admitted
        assert south.judge(event.codes[0], AT_GATE).verdict.code == "ALREADY_IN"
        south.online = False                         # its network drops: it queues
        assert south.judge(event.codes[20], AT_GATE).verdict.admitted
        south.close()
        north.close()
        index = httpx.get(f"{server.url}/", timeout=5)
        assert index.status_code == 200 and f"/admissions/{event.match}" in index.text
        page = httpx.get(f"{server.url}/admissions/{event.match}", timeout=5)
        missing = httpx.get(f"{server.url}/admissions/999999", timeout=5)
    assert page.status_code == 200, page.text
    text = page.text
    assert "Inside<b>12 / 40</b>" in text
    assert "Still to come<b>28</b>" in text
    assert "ALREADY IN" in text and "<svg" in text and "start" in text
    assert "Lane 1" in text and "Lane 3" in text
    assert missing.status_code == 404
