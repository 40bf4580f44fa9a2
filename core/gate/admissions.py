"""The live admissions picture of one performance, for coordinators: scans a minute per
lane and per gate, inside against sold, refusals by reason, lanes offline and their
queues, conflicts, and the arrival curve against the start with a "queue clears in N
minutes at this rate" estimate. Read-only; the TUI dashboard and the check-in server's
LAN page both draw it.

The estimate: tickets sold and not yet admitted ("still to come") at the rate of
admissions over the last five minutes. Per gate, a gate is expected to take the share of
those it has taken of the admissions so far (no section-to-gate plan is assumed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from core.errors import NotFound
from core.gate.checkin import ADMIT, EXITED, counters
from core.store.db import Database

ONLINE_WITHIN: Final = timedelta(seconds=15)   # a lane heard from since is online
RATE_WINDOW: Final = timedelta(minutes=5)      # admissions a minute are averaged over this
BUCKET_MINUTES: Final = 5                      # the arrival curve's bars


@dataclass(frozen=True)
class LaneLine:
    device: str                  # lane:<name> for a lane with a token, else the device
    name: str
    gate: str                    # the gate of its last scan ("" before any)
    scans_last_minute: int
    has_token: bool
    active: bool                 # its token is not revoked (True for a local gate)
    online: bool | None          # heard from within ONLINE_WITHIN; None: not a server lane
    last_seen_at: datetime | None
    queue_length: int            # scans judged offline it last reported waiting


@dataclass(frozen=True)
class GateLine:
    gate: str
    scans_last_minute: int
    admitted: int
    admits_per_minute: float     # over the last RATE_WINDOW
    clears_in_minutes: int | None    # None: no admissions lately to measure a rate by


@dataclass(frozen=True)
class Admissions:
    performance_id: int
    event_name: str
    starts_at: datetime
    now: datetime
    sold: int
    inside: int
    still_to_come: int           # live tickets never admitted
    admits_per_minute: float
    clears_in_minutes: int | None
    scans_last_minute: int
    refusals: dict[str, int]     # by verdict code, every gate
    conflicts: int
    gates: list[GateLine]
    lanes: list[LaneLine]
    arrivals: list[tuple[int, int]]  # (bucket start in minutes from the start, admissions)

    @property
    def minutes_to_start(self) -> int:
        return math.ceil((self.starts_at - self.now).total_seconds() / 60)

    @property
    def offline_lanes(self) -> list[LaneLine]:
        return [lane for lane in self.lanes if lane.online is False and lane.active]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _clears(outstanding: float, rate: float) -> int | None:
    if outstanding <= 0:
        return 0
    return math.ceil(outstanding / rate) if rate > 0 else None


def admissions(db: Database, performance_id: int, *, now: datetime) -> Admissions:
    """The picture at `now`. Raises NotFound for an unknown performance."""
    show = db.execute("SELECT e.name, p.starts_at FROM performances p JOIN events e "
                      "ON e.id = p.event_id WHERE p.id = ?", [performance_id]).fetchone()
    if show is None:
        raise NotFound(f"there is no performance {performance_id}")
    event_name, starts_at = str(show[0]), datetime.fromisoformat(show[1])
    one, window = _stamp(now - timedelta(minutes=1)), _stamp(now - RATE_WINDOW)
    stamp = _stamp(now)
    sold = int(db.execute("SELECT count(*) FROM tickets WHERE performance_id = ? AND "
                          "status = 'live'", [performance_id]).fetchone()[0])
    admitted_live = int(db.execute(
        "SELECT count(DISTINCT s.ticket_id) FROM scans s JOIN tickets t ON t.id = s.ticket_id "
        "WHERE s.performance_id = ? AND s.verdict = ? AND s.conflict = 0 AND "
        "t.status = 'live'", [performance_id, ADMIT]).fetchone()[0])
    refusals = {str(code): int(count) for code, count in db.execute(
        "SELECT verdict, count(*) FROM scans WHERE performance_id = ? AND direction != "
        "'status' AND verdict NOT IN (?, ?) GROUP BY verdict ORDER BY count(*) DESC, verdict",
        [performance_id, ADMIT, EXITED])}
    conflicts = int(db.execute("SELECT count(*) FROM scans WHERE performance_id = ? AND "
                               "conflict = 1", [performance_id]).fetchone()[0])
    gate_rows = db.execute(
        "SELECT gate, "
        "count(*) FILTER (WHERE scanned_at > ? AND scanned_at <= ? AND direction != 'status'), "
        "count(*) FILTER (WHERE verdict = ? AND conflict = 0 AND direction = 'entry'), "
        "count(*) FILTER (WHERE verdict = ? AND conflict = 0 AND direction = 'entry' "
        "AND scanned_at > ? AND scanned_at <= ?) "
        "FROM scans WHERE performance_id = ? GROUP BY gate ORDER BY gate",
        [one, stamp, ADMIT, ADMIT, window, stamp, performance_id]).fetchall()
    still_to_come = max(0, sold - admitted_live)
    total_admitted = sum(int(row[2]) for row in gate_rows)
    total_rate = sum(int(row[3]) for row in gate_rows) / (RATE_WINDOW.total_seconds() / 60)
    gates = []
    for gate, last_minute, admitted, recent in gate_rows:
        rate = int(recent) / (RATE_WINDOW.total_seconds() / 60)
        share = int(admitted) / total_admitted if total_admitted else 0.0
        gates.append(GateLine(str(gate), int(last_minute), int(admitted), rate,
                              _clears(still_to_come * share, rate)))
    return Admissions(
        performance_id, event_name, starts_at, now, sold,
        counters(db, performance_id, "", now).inside, still_to_come, total_rate,
        _clears(still_to_come, total_rate), sum(g.scans_last_minute for g in gates),
        refusals, conflicts, gates, _lanes(db, performance_id, now, one, stamp),
        _arrivals(db, performance_id, starts_at, now))


def _lanes(db: Database, performance_id: int, now: datetime, one: str,
           stamp: str) -> list[LaneLine]:
    seen: dict[str, tuple[str, int]] = {}
    for device, gate, last_minute in db.execute(
            "SELECT device, (SELECT gate FROM scans l WHERE l.performance_id = ? "
            "AND l.device = s.device ORDER BY l.id DESC LIMIT 1), "
            "count(*) FILTER (WHERE scanned_at > ? AND scanned_at <= ? AND "
            "direction != 'status') FROM scans s WHERE performance_id = ? GROUP BY device",
            [performance_id, one, stamp, performance_id]):
        seen[str(device)] = (str(gate or ""), int(last_minute))
    lines = []
    for name, revoked_at, last_seen, queue in db.execute(
            "SELECT name, revoked_at, last_seen_at, queue_length FROM lane_tokens "
            "WHERE performance_id = ? ORDER BY name, id", [performance_id]):
        device = f"lane:{name}"
        gate, last_minute = seen.pop(device, ("", 0))
        seen_at = datetime.fromisoformat(last_seen) if last_seen else None
        online = seen_at is not None and now - seen_at <= ONLINE_WITHIN
        lines.append(LaneLine(device, str(name), gate, last_minute, True, revoked_at is None,
                              online, seen_at, int(queue)))
    for device, (gate, last_minute) in sorted(seen.items()):
        lines.append(LaneLine(device, device.removeprefix("lane:"), gate, last_minute, False,
                              True, None, None, 0))
    return lines


def _arrivals(db: Database, performance_id: int, starts_at: datetime,
              now: datetime) -> list[tuple[int, int]]:
    """Admissions per BUCKET_MINUTES, by minutes from the start, from the first admission
    (or 2 hours before) to now."""
    buckets: dict[int, int] = {}
    for (scanned_at,) in db.execute(
            "SELECT scanned_at FROM scans WHERE performance_id = ? AND verdict = ? AND "
            "conflict = 0 AND direction = 'entry' AND scanned_at <= ?",
            [performance_id, ADMIT, _stamp(now)]):
        minutes = (datetime.fromisoformat(scanned_at) - starts_at).total_seconds() / 60
        bucket = math.floor(minutes / BUCKET_MINUTES) * BUCKET_MINUTES
        buckets[bucket] = buckets.get(bucket, 0) + 1
    first = min([*buckets, -120])
    last = math.floor((now - starts_at).total_seconds() / 60 / BUCKET_MINUTES) * BUCKET_MINUTES
    last = max(last, max(buckets, default=first))
    return [(minute, buckets.get(minute, 0))
            for minute in range(first, last + BUCKET_MINUTES, BUCKET_MINUTES)]
