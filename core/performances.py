"""Events and performances: creating them and finding what is on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from core import journal
from core.db import write
from core.errors import BoxOfficeError, NotFound


@dataclass(frozen=True)
class Performance:
    id: int
    event_id: int
    event_name: str
    venue_id: int
    venue_code: str
    venue_name: str
    venue_kind: str
    starts_at: datetime        # aware, UTC
    status: str


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise BoxOfficeError("a performance time needs a time zone", code="naive_time")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def create_event(db: sqlite_utils.Database, name: str, *, actor: str,
                 producer: str = "", description: str = "") -> int:
    """Create an event; returns its id. Raises BoxOfficeError `bad_name` on an empty name."""
    if not name.strip():
        raise BoxOfficeError("an event needs a name", code="bad_name")
    with write(db):
        event_id = db.execute(
            "INSERT INTO events (name, producer, description) VALUES (?, ?, ?)",
            [name.strip(), producer, description]).lastrowid
        assert event_id is not None
        journal.append(db, actor=actor, action="event.create", subject=f"event:{event_id}",
                       data={"name": name.strip(), "producer": producer})
    return event_id


def create_performance(db: sqlite_utils.Database, event_id: int, venue_id: int,
                       starts_at: datetime, *, actor: str,
                       doors_at: datetime | None = None) -> int:
    """Schedule a performance of an event at a venue; times must be timezone-aware.

    Raises NotFound for an unknown event or venue, BoxOfficeError `naive_time`.
    """
    with write(db):
        if db.execute("SELECT 1 FROM events WHERE id = ?", [event_id]).fetchone() is None:
            raise NotFound(f"there is no event {event_id}")
        if db.execute("SELECT 1 FROM venues WHERE id = ?", [venue_id]).fetchone() is None:
            raise NotFound(f"there is no venue {venue_id}")
        performance_id = db.execute(
            "INSERT INTO performances (event_id, venue_id, starts_at, doors_at) "
            "VALUES (?, ?, ?, ?)",
            [event_id, venue_id, _utc(starts_at),
             _utc(doors_at) if doors_at else None]).lastrowid
        assert performance_id is not None
        journal.append(db, actor=actor, action="performance.create",
                       subject=f"performance:{performance_id}",
                       data={"event_id": event_id, "venue_id": venue_id,
                             "starts_at": _utc(starts_at)})
    return performance_id


_SELECT = """
    SELECT p.id, p.event_id, e.name, p.venue_id, v.code, v.name, v.kind, p.starts_at, p.status
    FROM performances p JOIN events e ON e.id = p.event_id JOIN venues v ON v.id = p.venue_id
"""


def _performance(row: tuple) -> Performance:  # type: ignore[type-arg]
    return Performance(row[0], row[1], row[2], row[3], row[4], row[5], row[6],
                       datetime.fromisoformat(row[7]), row[8])


def list_performances(db: sqlite_utils.Database, *, since: datetime | None = None
                      ) -> list[Performance]:
    """Performances in start order; with `since`, only those starting at or after it."""
    if since is None:
        rows = db.execute(_SELECT + " ORDER BY p.starts_at, p.id")
    else:
        rows = db.execute(_SELECT + " WHERE p.starts_at >= ? ORDER BY p.starts_at, p.id",
                          [_utc(since)])
    return [_performance(row) for row in rows]


def get_performance(db: sqlite_utils.Database, performance_id: int) -> Performance:
    """One performance. Raises NotFound."""
    row = db.execute(_SELECT + " WHERE p.id = ?", [performance_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no performance {performance_id}")
    return _performance(row)
