"""Online gate lanes in core: device tokens (issued once, stored hashed, revoked), judging
for a lane (checkin's verdicts, a revocation refused at once), uploads folded like a gate
pack merge, and the changes feed that keeps an offline lane's pack fresh."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core.errors import NotFound
from core.gate import feed, lanes
from core.gate.checkin import counters, session_for
from core.gate.gatepack import open_pack
from core.gate.lanes import LaneAuthError, LaneError
from core.people.permissions import PermissionDenied
from core.sales import aftersale
from core.store.db import Database
from tests.core.test_checkin import Box
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.lane_helpers import AT_GATE, at, scans_of
from tests.support.selling_helpers import STATION, stadium_performance


@pytest.fixture
def box(demo_db: Database, tmp_path: Path) -> Box:
    return Box(demo_db, tmp_path / "keys")


def test_a_token_is_shown_once_stored_hashed_and_stops_working_when_revoked(box: Box) -> None:
    match = stadium_performance(box.db)
    issued = lanes.issue_lane_token(box.db, box.cora, match, "  North   3 ", now=FIXED_NOW)
    assert issued.lane.name == "North 3" and issued.lane.active
    stored = box.db.execute("SELECT token_hash FROM lane_tokens").fetchone()[0]
    assert stored == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in str(box.db.execute("SELECT * FROM journal").fetchall())
    assert lanes.authenticate_lane(box.db, issued.token, now=FIXED_NOW).id == issued.lane.id
    with pytest.raises(LaneError) as twice:
        lanes.issue_lane_token(box.db, box.cora, match, "North 3", now=FIXED_NOW)
    assert twice.value.code == "lane_exists"
    with pytest.raises(PermissionDenied):
        lanes.issue_lane_token(box.db, box.gia, match, "North 4", now=FIXED_NOW)
    with pytest.raises(PermissionDenied):
        lanes.revoke_lane_token(box.db, box.gia, issued.lane.id, now=FIXED_NOW)

    revoked = lanes.revoke_lane_token(box.db, box.cora, issued.lane.id, now=FIXED_NOW)
    assert revoked.revoked_at is not None
    seen = box.db.execute("SELECT last_seen_at FROM lane_tokens").fetchone()[0]
    for token, code in ((issued.token, "revoked_token"), ("nonsense", "unknown_token"),
                        ("", "unknown_token")):
        with pytest.raises(LaneAuthError) as refused:
            lanes.authenticate_lane(box.db, token, now=FIXED_NOW + timedelta(minutes=1),
                                    queue_length=9)
        assert refused.value.code == code
    assert box.db.execute("SELECT last_seen_at, queue_length FROM lane_tokens"
                          ).fetchone() == (seen, 0)
    # the name is free again, and the list shows both
    lanes.issue_lane_token(box.db, box.cora, match, "North 3", now=FIXED_NOW)
    assert [lane.active for lane in lanes.list_lanes(box.db, match)] == [False, True]
    with pytest.raises(NotFound):
        lanes.issue_lane_token(box.db, box.cora, 99999, "Nowhere", now=FIXED_NOW)
    with pytest.raises(LaneError):
        lanes.issue_lane_token(box.db, box.cora, match, " ", now=FIXED_NOW)


def test_judging_for_a_lane_is_checkins_verdict_and_a_nonce_replays(box: Box) -> None:
    match = stadium_performance(box.db)
    ticket = box.sell(match, ["101-1-1"]).tickets[0]
    lane = lanes.issue_lane_token(box.db, box.cora, match, "North 1", now=FIXED_NOW).lane
    first, row = lanes.judge(box.db, lane, "North", "entry", box.code(ticket), "nonce-0001",
                             now=AT_GATE, zone=ZONE)
    assert first.code == "ADMIT" and row is not None and row["device"] == "lane:North 1"
    again, _ = lanes.judge(box.db, lane, "North", "entry", box.code(ticket), "nonce-0001",
                           now=at(AT_GATE, 5), zone=ZONE)
    assert again.replayed and again.code == "ADMIT"
    second, _ = lanes.judge(box.db, lane, "South", "entry", box.code(ticket), "nonce-0002",
                            now=at(AT_GATE, 9), zone=ZONE)
    assert second.code == "ALREADY_IN"
    with pytest.raises(LaneError):
        lanes.judge(box.db, lane, "North", "entry", box.code(ticket), "short", now=AT_GATE)


def test_a_reprint_is_refused_online_at_once(box: Box) -> None:
    match = stadium_performance(box.db)
    ticket = box.sell(match, ["101-1-2"]).tickets[0]
    lane = lanes.issue_lane_token(box.db, box.cora, match, "North 1", now=FIXED_NOW).lane
    old = box.code(ticket)
    aftersale.reprint(box.db, box.cora, ticket.id, reason="torn", now=FIXED_NOW)
    verdict, _ = lanes.judge(box.db, lane, "North", "entry", old, "nonce-0003", now=AT_GATE)
    assert verdict.code == "REVOKED"


def test_an_upload_is_a_gate_pack_merge(box: Box) -> None:
    match = stadium_performance(box.db)
    ticket = box.sell(match, ["101-1-3"]).tickets[0]
    lane = lanes.issue_lane_token(box.db, box.cora, match, "South 2", now=FIXED_NOW).lane
    lanes.judge(box.db, lane, "North", "entry", box.code(ticket), "online-0001", now=AT_GATE)
    offline = {"nonce": "offline-0001", "ticket_id": ticket.id, "generation": 1,
               "performance_id": 1, "gate": "South", "device": "x", "actor": "x",
               "direction": "entry", "verdict": "ADMIT", "reason": "entry",
               "detail": "101 1-3", "scanned_at": at(AT_GATE, 30).isoformat()}
    done = lanes.upload(box.db, lane, [offline], now=AT_GATE)
    assert (done.added, done.conflicts, done.already_recorded) == (1, 1, 0)
    replay = lanes.upload(box.db, lane, [offline], now=AT_GATE)
    assert (replay.added, replay.already_recorded) == (0, 1)
    row = box.db.execute("SELECT performance_id, device, conflict FROM scans WHERE nonce = "
                         "'offline-0001'").fetchone()
    assert row == (match, "lane:South 2", 1)
    assert counters(box.db, match, "South", at(AT_GATE, 60)).inside == 1
    before = scans_of(box.db, "SELECT count(*) FROM scans")
    bad: Any
    for bad in ({**offline, "nonce": "offline-0002", "verdict": "MAYBE"},
                {**offline, "nonce": "offline-0003", "scanned_at": "yesterday"},
                {**offline, "nonce": "offline-0004", "ticket_id": -1}, "not a scan"):
        with pytest.raises(LaneError) as refused:
            lanes.upload(box.db, lane, [{**offline, "nonce": "offline-0005"}, bad],
                         now=AT_GATE)
        assert refused.value.code == "bad_scan" and "scan 2" in refused.value.message
    assert scans_of(box.db, "SELECT count(*) FROM scans") == before


def test_a_lane_pack_pulls_changes_and_judges_them_offline(box: Box, tmp_path: Path) -> None:
    match = stadium_performance(box.db)
    first, third = box.sell(match, ["101-2-1", "101-2-3"]).tickets
    refunded = box.sell(match, ["101-2-2"])
    second = refunded.tickets[0]
    lane = lanes.issue_lane_token(box.db, box.cora, match, "East 1", now=FIXED_NOW).lane
    info = lanes.lane_pack(box.db, lane, tmp_path / "east.pack", now=FIXED_NOW)
    assert info.gate_users == 0 and info.tickets == 3
    # after the pack: a reprint, a refund... and a sale, and another lane's admission
    aftersale.reprint(box.db, box.cora, first.id, reason="torn", now=FIXED_NOW)
    aftersale.refund(box.db, box.cora, refunded.id, reason="ill", station=STATION,
                     now=FIXED_NOW)
    fourth = box.sell(match, ["101-2-4"]).tickets[0]
    other = lanes.issue_lane_token(box.db, box.cora, match, "West 1", now=FIXED_NOW).lane
    assert lanes.judge(box.db, other, "West", "entry", box.code(third), "west-00001",
                       now=AT_GATE)[0].admitted

    pack = open_pack(tmp_path / "east.pack")
    session = session_for(pack, match, "East", mode="entry", actor=lane.device, zone=ZONE)

    def offline(code: str, nonce: str) -> str:
        return feed.judge_offline(pack, session, code, now=AT_GATE, nonce=nonce,
                                  device=lane.device).code

    # before the pull the snapshot admits the old copy
    assert offline(box.code(first), "east-00001") == "ADMIT"
    cursor = feed.lane_cursor(pack)
    changes = feed.changes_since(box.db, match, cursor, page=2)
    assert changes.more
    while True:
        feed.apply_changes(pack, changes)
        if not changes.more:
            break
        changes = feed.changes_since(box.db, match, changes.cursor, page=2)
    session.refresh(pack)
    reprinted = box.db.execute("SELECT generation FROM tickets WHERE id = ?",
                               [first.id]).fetchone()[0]
    assert reprinted == 2
    assert offline(box.code(first), "east-00002") == "REVOKED"   # the old copy, now known
    assert offline(box.code(second), "east-00003") == "REFUNDED"
    assert offline(box.code(third), "east-00004") == "ALREADY_IN"
    assert offline(box.code(fourth), "east-00005") == "ADMIT"
    assert feed.queue_length(pack) == 5
    queued = feed.queued_scans(pack)
    done = lanes.upload(box.db, lane, queued, now=AT_GATE)
    assert done.added == 5
    feed.mark_uploaded(pack, list(done.nonces))
    assert feed.queue_length(pack) == 0
    # nothing new: the cursor moves past other performances' rows, and stays put after
    quiet = feed.changes_since(box.db, match, feed.current_cursor(box.db))
    assert not quiet.scans and not quiet.tickets and quiet.cursor == feed.current_cursor(box.db)
    with pytest.raises(feed.FeedError):
        feed.changes_since(box.db, match, "12;DROP")
    pack.close()


def test_an_old_copy_scanned_offline_after_the_pull_is_revoked(box: Box,
                                                               tmp_path: Path) -> None:
    match = stadium_performance(box.db)
    ticket = box.sell(match, ["101-3-1"]).tickets[0]
    lane = lanes.issue_lane_token(box.db, box.cora, match, "East 2", now=FIXED_NOW).lane
    lanes.lane_pack(box.db, lane, tmp_path / "east.pack", now=FIXED_NOW)
    old = box.code(ticket)
    aftersale.reprint(box.db, box.cora, ticket.id, reason="lost", now=FIXED_NOW)
    pack = open_pack(tmp_path / "east.pack")
    feed.apply_changes(pack, feed.changes_since(box.db, match, feed.lane_cursor(pack)))
    session = session_for(pack, match, "East", mode="entry", actor=lane.device, zone=ZONE)
    verdict = feed.judge_offline(pack, session, old, now=AT_GATE, nonce="east-10001",
                                 device=lane.device)
    assert verdict.code == "REVOKED"
    pack.close()


def test_the_admissions_picture_counts_lanes_gates_refusals_and_the_rate(
        box: Box, tmp_path: Path) -> None:
    from core.gate import admissions

    match = stadium_performance(box.db)
    tickets = box.sell(match, [f"101-4-{n}" for n in range(1, 11)]).tickets
    north = lanes.issue_lane_token(box.db, box.cora, match, "North 1", now=FIXED_NOW).lane
    south = lanes.issue_lane_token(box.db, box.cora, match, "South 1", now=FIXED_NOW).lane
    lanes.authenticate_lane(box.db, lanes.issue_lane_token(
        box.db, box.cora, match, "West 1", now=FIXED_NOW).token, now=at(AT_GATE, -600),
        queue_length=7)
    for i, ticket in enumerate(tickets[:6]):       # one a minute at North, from -5.5 minutes
        lanes.judge(box.db, north, "North", "entry", box.code(ticket), f"north-{i:04}",
                    now=at(AT_GATE, -330 + 60 * i))
    for i, ticket in enumerate(tickets[:2]):       # refused twice at South
        lanes.judge(box.db, south, "South", "entry", box.code(ticket), f"south-{i:04}",
                    now=at(AT_GATE, -30 + i))
    picture = admissions.admissions(box.db, match, now=AT_GATE)
    assert (picture.sold, picture.inside, picture.still_to_come) == (10, 6, 4)
    assert picture.refusals == {"ALREADY_IN": 2} and picture.conflicts == 0
    north_line = next(g for g in picture.gates if g.gate == "North")
    assert north_line.admitted == 6 and north_line.admits_per_minute == 1.0  # 5 in 5 min
    assert picture.admits_per_minute == 1.0 and picture.clears_in_minutes == 4
    assert north_line.clears_in_minutes == 4
    west = next(lane for lane in picture.lanes if lane.name == "West 1")
    assert west.online is False and west.queue_length == 7
    assert [lane.name for lane in picture.offline_lanes] == ["North 1", "South 1", "West 1"]
    assert picture.minutes_to_start == 60
    assert sum(count for _, count in picture.arrivals) == 6
    assert picture.arrivals[-1][0] == -60
