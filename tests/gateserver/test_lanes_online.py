"""Online lanes against a real check-in server process on 127.0.0.1: eight lanes scanning
the same tickets at once admit each exactly once; a server killed mid-burst leaves the
lanes judging offline and their queues upload after the restart with nothing lost or
counted twice; a reprinted code is refused online at once and offline after a pull; a
revoked token stops its lane within one request."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from core.errors import BoxOfficeError
from core.gate import lanes
from core.gate.checkin import counters
from core.sales import aftersale, models
from core.store.db import Database
from core.store.schema import open_database
from tests.core.test_checkin import Box
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.gate_server import GateServer
from tests.support.lane_helpers import AT_GATE, at, scans_of, stadium_labels
from tests.support.selling_helpers import stadium_performance
from tui.lane import LaneClient, LaneStopped


class Event:
    """The demo database with `tickets` stadium tickets sold and `lanes` tokens issued."""

    def __init__(self, path: Path, keys: Path, tickets: int, lane_count: int) -> None:
        self.path = path
        db = open_database(path)
        box = Box(db, keys)
        self.box = box
        self.match = stadium_performance(db)
        labels = stadium_labels(tickets)
        self.tickets: list[models.Ticket] = []
        for start in range(0, len(labels), 20):
            self.tickets += box.sell(self.match, labels[start:start + 20]).tickets
        self.codes = [box.code(ticket) for ticket in self.tickets]
        self.tokens = [lanes.issue_lane_token(db, box.cora, self.match, f"Lane {n}",
                                              now=FIXED_NOW).token
                       for n in range(1, lane_count + 1)]
        self.db: Database = db

    def lane(self, server: str, n: int, folder: Path, *, timeout: float = 1.0) -> LaneClient:
        return LaneClient(server, self.tokens[n], gate=f"Gate {1 + n % 2}",
                          pack_path=folder / f"lane-{n}.pack", timeout=timeout,
                          zone=ZONE).connect()


@pytest.fixture
def event(demo_path: Path, tmp_path: Path) -> Event:
    return Event(demo_path, tmp_path / "keys", 500, 8)


def admitted_per_ticket(db: Database, match: int) -> Counter[int]:
    return Counter(row[0] for row in db.execute(
        "SELECT ticket_id FROM scans WHERE performance_id = ? AND verdict = 'ADMIT' AND "
        "direction = 'entry' AND conflict = 0", [match]))


def test_eight_lanes_scanning_the_same_500_tickets_admit_each_once(event: Event,
                                                                   tmp_path: Path) -> None:
    with GateServer(event.path, AT_GATE) as server:
        clients = [event.lane(server.url, n, tmp_path, timeout=5.0) for n in range(8)]
        verdicts: list[list[str]] = [[] for _ in clients]
        online: list[bool] = []
        start = threading.Barrier(len(clients))

        def run(n: int) -> None:
            order = list(event.codes)
            random.Random(n).shuffle(order)
            start.wait()
            for i, code in enumerate(order):
                judged = clients[n].judge(code, at(AT_GATE, i))
                verdicts[n].append(judged.verdict.code)
                online.append(judged.online)

        threads = [threading.Thread(target=run, args=(n,)) for n in range(len(clients))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        for client in clients:
            client.close()
    assert all(online) and len(online) == 8 * 500
    assert sum(v.count("ADMIT") for v in verdicts) == 500
    assert {code for v in verdicts for code in v} == {"ADMIT", "ALREADY_IN"}
    per_ticket = admitted_per_ticket(event.db, event.match)
    assert len(per_ticket) == 500 and set(per_ticket.values()) == {1}
    assert scans_of(event.db, "SELECT count(*) FROM scans WHERE conflict = 1") == 0


@pytest.mark.serial
def test_a_server_killed_mid_burst_lanes_go_offline_keep_judging_and_upload_after(
        event: Event, tmp_path: Path) -> None:
    server = GateServer(event.path, AT_GATE).start()
    timeout = 1.0
    clients = [event.lane(server.url, n, tmp_path, timeout=timeout) for n in range(4)]
    codes = event.codes[:200]
    killed = threading.Event()
    results: list[list[tuple[str, bool, float]]] = [[] for _ in clients]

    def run(n: int) -> None:
        order = list(codes)
        random.Random(n).shuffle(order)
        for i, code in enumerate(order):
            if i == 60 and n == 0:
                server.kill()
                killed.set()
            begun = time.monotonic()
            judged = clients[n].judge(code, at(AT_GATE, i))
            results[n].append((judged.verdict.code, judged.online, time.monotonic() - begun))
            if i == 40 and n != 0:
                killed.wait(30)     # the others meet the kill mid-burst too

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    # every lane fell back, and no scan waited much longer than the timeout
    assert all(not client.online for client in clients)
    assert max(took for lane in results for _, _, took in lane) < timeout + 1.0
    offline = sum(1 for lane in results for _, was_online, _ in lane if not was_online)
    assert offline > 0
    queued = sum(client.queue_length for client in clients)
    assert queued == offline

    server.start()                                  # the same database, the same port
    try:
        assert all(client.sync() for client in clients)
        assert sum(client.queue_length for client in clients) == 0
        total = scans_of(event.db, "SELECT count(*) FROM scans WHERE device LIKE 'lane:%'")
        assert total == 4 * len(codes)             # nothing lost, nothing counted twice
        per_ticket = admitted_per_ticket(event.db, event.match)
        assert len(per_ticket) == len(codes) and set(per_ticket.values()) == {1}
        conflicts = scans_of(event.db, "SELECT count(*) FROM scans WHERE conflict = 1")
        local_admits = sum(1 for lane in results for code, _, _ in lane if code == "ADMIT")
        assert conflicts == local_admits - len(codes)
        figures = counters(event.db, event.match, "Gate 1", at(AT_GATE, 600))
        assert figures.inside == len(codes)
        # the same nonces again change nothing
        queued_again = clients[0].pack.execute(
            "SELECT nonce, ticket_id, generation, gate, direction, verdict, reason, detail, "
            "scanned_at FROM scans WHERE device = 'lane:Lane 1' LIMIT 50").fetchall()
        names = ("nonce", "ticket_id", "generation", "gate", "direction", "verdict",
                 "reason", "detail", "scanned_at")
        again = httpx.post(f"{server.url}/v1/uploads", json={
            "scans": [dict(zip(names, row, strict=True)) for row in queued_again]},
            headers={"Authorization": f"Bearer {event.tokens[0]}"}, timeout=10)
        assert again.status_code == 200 and again.json()["added"] == 0
        assert scans_of(event.db, "SELECT count(*) FROM scans WHERE device LIKE 'lane:%'") \
            == total
    finally:
        server.kill()
        for client in clients:
            client.close()


def test_a_reprinted_code_is_refused_online_at_once_and_offline_after_a_pull(
        event: Event, tmp_path: Path) -> None:
    with GateServer(event.path, AT_GATE) as server:
        online = event.lane(server.url, 0, tmp_path, timeout=5.0)
        offline = event.lane(server.url, 1, tmp_path, timeout=5.0)
        old_online, old_offline = event.codes[0], event.codes[1]
        for ticket in event.tickets[:2]:
            aftersale.reprint(event.db, event.box.cora, ticket.id, reason="torn",
                              now=FIXED_NOW)
        assert online.judge(old_online, AT_GATE).verdict.code == "REVOKED"
        offline.online = False                      # as if the network had dropped
        assert offline.judge(old_offline, AT_GATE).verdict.code == "ADMIT"  # stale pack
        assert offline.sync()                       # back: uploads, pulls the reprint
        offline.online = False
        assert offline.judge(old_offline, at(AT_GATE, 5)).verdict.code == "REVOKED"
        online.close()
        offline.close()


def test_a_token_revoked_mid_event_stops_the_lane_within_one_request(
        event: Event, tmp_path: Path) -> None:
    with GateServer(event.path, AT_GATE) as server:
        lane = event.lane(server.url, 0, tmp_path, timeout=5.0)
        assert lane.judge(event.codes[0], AT_GATE).verdict.admitted
        before = scans_of(event.db, "SELECT count(*) FROM scans")
        revoked = next(one for one in lanes.list_lanes(event.db, event.match)
                       if one.name == "Lane 1")
        lanes.revoke_lane_token(event.db, event.box.cora, revoked.id, now=FIXED_NOW)
        with pytest.raises(LaneStopped):
            lane.judge(event.codes[1], at(AT_GATE, 3))
        with pytest.raises(LaneStopped):
            lane.judge(event.codes[2], at(AT_GATE, 6))   # no offline judging either
        assert scans_of(event.db, "SELECT count(*) FROM scans") == before
        assert lane.queue_length == 0
        lane.close()


def test_a_lane_starts_offline_from_its_pack_and_uploads_when_the_server_comes(
        event: Event, tmp_path: Path) -> None:
    server = GateServer(event.path, AT_GATE)
    with pytest.raises(BoxOfficeError) as nothing:
        event.lane(server.url, 0, tmp_path)        # no server and no pack yet
    assert nothing.value.code == "no_pack"
    server.start()
    event.lane(server.url, 0, tmp_path).close()      # fetches its pack
    server.kill()
    lane = event.lane(server.url, 0, tmp_path)       # a restart with the server away
    try:
        assert not lane.online and lane.name == "Lane 1"
        judged = lane.judge(event.codes[0], AT_GATE)
        assert judged.verdict.admitted and not judged.online and lane.queue_length == 1
        server.start()
        assert lane.sync() and lane.queue_length == 0 and lane.online
        assert scans_of(event.db, "SELECT count(*) FROM scans WHERE device = 'lane:Lane 1'"
                        ) == 1
    finally:
        lane.close()
        server.kill()
