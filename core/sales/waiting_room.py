"""The on-sale rush: a fair queue in front of the storefront's cart and checkout.

Off by default. When a coordinator turns it on (capacity and admissions a minute), a
patron who wants to choose seats needs an admission: while fewer than `capacity` buyers
are active and fewer than `per_minute` were let in during the last minute, the first in
line is admitted; everyone else waits with a ticket (a random token, kept hashed) and
sees their place. Those who arrived before `opens_at` (the on-sale time) are put in a
random order among themselves, ahead of everyone who came later: refreshing early gains
nothing. An admitted buyer stays active for `ACTIVE_FOR` after their last step. Browsing
the site stays open to all. Every worker and host reads the same queue (the database).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.errors import BoxOfficeError
from core.people.models import User
from core.people.permissions import authorize
from core.store import journal
from core.store.db import Database, insert, write
from core.times import stamp

ACTIVE_FOR = timedelta(minutes=15)
WAITING_FOR = timedelta(minutes=30)     # a waiting ticket not seen for this long is dropped


class QueueError(BoxOfficeError):
    code = "queue"


@dataclass(frozen=True)
class QueueSettings:
    enabled: bool = False
    capacity: int = 200
    per_minute: int = 60
    opens_at: datetime | None = None


@dataclass(frozen=True)
class Place:
    """Where a ticket stands: admitted, or waiting with `ahead` people in front."""

    entry_id: int
    admitted: bool
    ahead: int
    waiting: int


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def queue_settings(db: Database) -> QueueSettings:
    stored = {key.removeprefix("queue."): value for key, value in db.execute(
        "SELECT key, value FROM settings WHERE key LIKE 'queue.%'")}
    return QueueSettings(stored.get("enabled") == "1", int(stored.get("capacity", 200)),
                         int(stored.get("per_minute", 60)),
                         datetime.fromisoformat(stored["opens_at"])
                         if stored.get("opens_at") else None)


def set_queue(db: Database, actor: User, settings: QueueSettings) -> None:
    """Turn the queue on or off, with its capacity, admissions a minute and the on-sale
    time before which arrivals are shuffled. Needs `event_setup`. Raises QueueError
    `bad_capacity`, `bad_rate`."""
    if not 1 <= settings.capacity <= 100_000:
        raise QueueError("the capacity is 1 to 100,000 active buyers", code="bad_capacity")
    if not 1 <= settings.per_minute <= 100_000:
        raise QueueError("admissions a minute are 1 to 100,000", code="bad_rate")
    if settings.opens_at is not None and settings.opens_at.tzinfo is None:
        raise QueueError("the on-sale time needs its zone", code="naive_time")
    values = {"enabled": "1" if settings.enabled else "0",
              "capacity": str(settings.capacity), "per_minute": str(settings.per_minute),
              "opens_at": stamp(settings.opens_at) if settings.opens_at else ""}
    with write(db):
        authorize(db, actor, "event_setup")
        for key, value in values.items():
            db.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) "
                       "DO UPDATE SET value = excluded.value", [f"queue.{key}", value])
        journal.append(db, actor=actor.username, action="queue.settings", subject="queue",
                       data=values)


def join(db: Database, now: datetime) -> tuple[int, str]:
    """A new place in line: (its id, the ticket to keep; only its hash is stored)."""
    settings = queue_settings(db)
    token = secrets.token_urlsafe(24)
    early = settings.opens_at is not None and now < settings.opens_at
    # early arrivals draw a random place among themselves, all ahead of later arrivals
    order_key = (f"0-{secrets.token_hex(8)}" if early
                 else f"1-{stamp(now)}-{secrets.token_hex(4)}")
    with write(db):
        entry_id = insert(db, "INSERT INTO queue_entries (token_hash, order_key, joined_at, "
                              "seen_at) VALUES (?, ?, ?, ?)",
                          [_hash(token), order_key, stamp(now), stamp(now)])
    return entry_id, token


def _admit(db: Database, settings: QueueSettings, now: datetime) -> None:
    """Inside a write: let in as many as capacity and the rate allow, first in line first."""
    db.execute("DELETE FROM queue_entries WHERE admitted_at IS NULL AND seen_at < ?",
               [stamp(now - WAITING_FOR)])
    active = db.execute("SELECT count(*) FROM queue_entries WHERE admitted_at IS NOT NULL "
                        "AND seen_at >= ?", [stamp(now - ACTIVE_FOR)]).fetchone()[0]
    recent = db.execute("SELECT count(*) FROM queue_entries WHERE admitted_at >= ?",
                        [stamp(now - timedelta(minutes=1))]).fetchone()[0]
    room = min(settings.capacity - active, settings.per_minute - recent)
    if room <= 0 or (settings.opens_at is not None and now < settings.opens_at):
        return
    db.execute("UPDATE queue_entries SET admitted_at = ?, seen_at = ? WHERE id IN (SELECT "
               "id FROM queue_entries WHERE admitted_at IS NULL ORDER BY order_key LIMIT ?)",
               [stamp(now), stamp(now), room])


def place(db: Database, entry_id: int | None, token: str, now: datetime) -> Place | None:
    """Where this ticket stands now (admitting whoever's turn has come first), or None for
    an unknown or forged ticket (the patron joins again). Being seen keeps a place."""
    if entry_id is None or not token:
        return None
    settings = queue_settings(db)
    with write(db):
        row = db.execute("SELECT token_hash, order_key, admitted_at FROM queue_entries "
                         "WHERE id = ?", [entry_id]).fetchone()
        if row is None or not secrets.compare_digest(row[0], _hash(token)):
            return None
        if row[2] is not None and row[2] < stamp(now - ACTIVE_FOR):
            # idle too long: back to the end of the line
            db.execute("DELETE FROM queue_entries WHERE id = ?", [entry_id])
            return None
        _admit(db, settings, now)
        db.execute("UPDATE queue_entries SET seen_at = ? WHERE id = ?", [stamp(now), entry_id])
        admitted = db.execute("SELECT admitted_at IS NOT NULL FROM queue_entries WHERE "
                              "id = ?", [entry_id]).fetchone()[0]
        waiting = db.execute("SELECT count(*) FROM queue_entries WHERE admitted_at IS NULL"
                             ).fetchone()[0]
        ahead = 0 if admitted else db.execute(
            "SELECT count(*) FROM queue_entries WHERE admitted_at IS NULL AND order_key < ?",
            [row[1]]).fetchone()[0]
        return Place(entry_id, bool(admitted), ahead, waiting)


def queue_figures(db: Database, now: datetime) -> tuple[int, int]:
    """(active buyers, people waiting) for the coordinator."""
    active = db.execute("SELECT count(*) FROM queue_entries WHERE admitted_at IS NOT NULL "
                        "AND seen_at >= ?", [stamp(now - ACTIVE_FOR)]).fetchone()[0]
    waiting = db.execute("SELECT count(*) FROM queue_entries WHERE admitted_at IS NULL AND "
                         "seen_at >= ?", [stamp(now - WAITING_FOR)]).fetchone()[0]
    return int(active), int(waiting)
