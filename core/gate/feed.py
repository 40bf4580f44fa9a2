"""The changes feed that keeps an online lane's gate pack fresh, and the lane's outbox.

The host answers `changes_since(cursor)`: the performance's scans recorded since (every
lane's, this one's too: they are skipped by nonce), and the tickets that changed since
(sold, refunded, voided, exchanged, reprinted, a copy revoked: the `ticket_changes` log
that triggers keep, migration 0008) with their seats and revocations. A cursor is
`"<last scan id>.<last ticket change>"`; a gate pack records the one it is current to
(`pack.cursor`), so a lane asks only for what happened after its pack was made.

On the lane device (its gate pack), `apply_changes` folds a page of changes in, and
`judge_offline` judges a scan with `core.gate.checkin.scan` and puts it in the outbox in
the same transaction, so a scan judged offline is never lost to a crash before upload.
No network I/O here: the lane client (tui/lane.py) carries the JSON.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from core.errors import BoxOfficeError
from core.gate import checkin
from core.gate.checkin import SCAN_COLUMNS, GateSession, Verdict
from core.store.db import Database, read_snapshot, write

CURSOR_SETTING: Final = "pack.cursor"       # in a pack: the cursor it is current to
LANE_CURSOR: Final = "lane.cursor"          # on a lane device: the last cursor pulled
PAGE: Final = 2000                          # rows of each kind per answer at most
_CURSOR = re.compile(r"(\d{1,18})\.(\d{1,18})")
# Ticket and seat columns a gate needs (a pack's tickets keep the source's order id).
_TICKET_COLUMNS: Final = ("id", "order_id", "performance_id", "section_id", "seat_id",
                          "price_type_id", "serial", "generation", "flags", "status",
                          "printed_at", "created_at")
_SEAT_COLUMNS: Final = ("id", "section_id", "row_label", "number", "zone_id", "wheelchair",
                        "companion", "view", "x", "y", "rank", "active")
_REVOCATION_COLUMNS: Final = ("ticket_id", "generation", "revoked_at", "reason")


class FeedError(BoxOfficeError):
    """A cursor or a page of changes is not usable (`bad_cursor`, `bad_changes`)."""

    code = "feed"


@dataclass(frozen=True)
class Changes:
    """One page of changes: apply it, then ask again from `cursor` while `more`."""

    cursor: str
    scans: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    seats: list[dict[str, Any]] = field(default_factory=list)
    revocations: list[dict[str, Any]] = field(default_factory=list)
    more: bool = False


def parse_cursor(cursor: str) -> tuple[int, int]:
    """(last scan id, last ticket change) of a cursor. Raises FeedError `bad_cursor`."""
    found = _CURSOR.fullmatch(cursor.strip())
    if found is None:
        raise FeedError(f"{cursor[:40]!r} is not a changes cursor (two numbers, like 120.37)",
                        code="bad_cursor")
    return int(found[1]), int(found[2])


def current_cursor(db: Database) -> str:
    """The cursor of everything recorded so far: changes after it are new."""
    scans = db.execute("SELECT coalesce(max(id), 0) FROM scans").fetchone()[0]
    seq = db.execute("SELECT coalesce(max(seq), 0) FROM ticket_changes").fetchone()[0]
    return f"{scans}.{seq}"


def _rows(db: Database, sql: str, params: Sequence[Any],
          columns: Sequence[str]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in db.execute(sql, list(params))]


def changes_since(db: Database, performance_id: int, cursor: str, *,
                  page: int = PAGE) -> Changes:
    """What changed for `performance_id` after `cursor`, at most `page` scans and `page`
    tickets (`more` says to ask again). Read-only, one snapshot. Raises FeedError
    `bad_cursor`."""
    last_scan, last_change = parse_cursor(cursor)
    with read_snapshot(db):     # one read snapshot for the whole page
        names = ", ".join(SCAN_COLUMNS)
        scan_rows = db.execute(f"SELECT id, {names} FROM scans WHERE performance_id = ? "
                               "AND id > ? ORDER BY id LIMIT ?",
                               [performance_id, last_scan, page]).fetchall()
        changed = db.execute("SELECT ticket_id, max(seq) AS last FROM ticket_changes "
                             "WHERE performance_id = ? AND seq > ? GROUP BY ticket_id "
                             "ORDER BY last LIMIT ?",
                             [performance_id, last_change, page]).fetchall()
        ids = [int(row[0]) for row in changed]
        tickets = seats = revocations = []
        if ids:
            marks = ", ".join("?" for _ in ids)
            tickets = _rows(db, f"SELECT {', '.join(_TICKET_COLUMNS)} FROM tickets "
                            f"WHERE id IN ({marks})", ids, _TICKET_COLUMNS)
            seats = _rows(db, f"SELECT {', '.join(_SEAT_COLUMNS)} FROM seats WHERE id IN "
                          f"(SELECT seat_id FROM tickets WHERE id IN ({marks}))", ids,
                          _SEAT_COLUMNS)
            revocations = _rows(db, f"SELECT {', '.join(_REVOCATION_COLUMNS)} FROM "
                                f"revocations WHERE ticket_id IN ({marks})", ids,
                                _REVOCATION_COLUMNS)
        # a page ends where both kinds end; with nothing new the cursor stays
        scan_to = int(scan_rows[-1][0]) if scan_rows else last_scan
        change_to = int(changed[-1][1]) if changed else last_change
        if not scan_rows and not changed:
            # jump over other performances' rows, so the next question starts later
            top_scan, top_change = parse_cursor(current_cursor(db))
            scan_to, change_to = max(scan_to, top_scan), max(change_to, top_change)
    return Changes(f"{scan_to}.{change_to}",
                   [dict(zip(SCAN_COLUMNS, row[1:], strict=True)) for row in scan_rows],
                   tickets, seats, revocations,
                   more=len(scan_rows) == page or len(changed) == page)


def changes_from_json(data: Mapping[str, Any]) -> Changes:
    """A page of changes as `changes_since` made it, read back from JSON. Raises FeedError
    `bad_changes` when it is not one."""
    try:
        parse_cursor(str(data["cursor"]))
        pages = {name: [dict(row) for row in data.get(name, [])]
                 for name in ("scans", "tickets", "seats", "revocations")}
        wanted = {"scans": SCAN_COLUMNS, "tickets": _TICKET_COLUMNS, "seats": _SEAT_COLUMNS,
                  "revocations": _REVOCATION_COLUMNS}
        for name, rows in pages.items():
            for row in rows:
                if set(row) != set(wanted[name]):
                    raise ValueError(name)
        return Changes(str(data["cursor"]), pages["scans"], pages["tickets"], pages["seats"],
                       pages["revocations"], bool(data.get("more", False)))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise FeedError(f"not a page of gate changes ({error!r})",
                        code="bad_changes") from error


def _upsert(db: Database, table: str, columns: Sequence[str], rows: Sequence[Mapping[str, Any]],
            key: str, update: Sequence[str]) -> None:
    if not rows:
        return
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    action = ("DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in update)
              if update else "DO NOTHING")
    db.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}) "
                        f"ON CONFLICT ({key}) {action}",
                        [[row[c] for c in columns] for row in rows])


def apply_changes(pack: Database, changes: Changes) -> None:
    """Fold a page of changes into a lane's gate pack, in one transaction, and remember
    its cursor (`lane_cursor`). Scans are matched by nonce (the host's conflict flag
    wins); tickets and seats replace the pack's copies; revocations are added. Raises
    FeedError `bad_changes` when the pack cannot take them (nothing is applied then)."""
    pack.execute("PRAGMA foreign_keys = OFF")   # a pack keeps no orders (see gatepack)
    try:
        with write(pack):
            _upsert(pack, "seats", _SEAT_COLUMNS, changes.seats, "id",
                    [c for c in _SEAT_COLUMNS if c != "id"])
            _upsert(pack, "tickets", _TICKET_COLUMNS, changes.tickets, "id",
                    ["seat_id", "generation", "flags", "status", "printed_at"])
            _upsert(pack, "revocations", _REVOCATION_COLUMNS, changes.revocations,
                    "ticket_id, generation", [])
            _upsert(pack, "scans", SCAN_COLUMNS, changes.scans, "nonce", ["conflict"])
            pack.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) "
                         "DO UPDATE SET value = excluded.value", [LANE_CURSOR, changes.cursor])
    except sqlite3.Error as error:
        raise FeedError(f"the gate pack cannot take these changes: {error}",
                        code="bad_changes") from error
    finally:
        pack.execute("PRAGMA foreign_keys = ON")


def lane_cursor(pack: Database) -> str:
    """Where a lane's pack stands: the last cursor pulled, else the pack's own, else 0.0."""
    for key in (LANE_CURSOR, CURSOR_SETTING):
        row = pack.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        if row is not None:
            return str(row[0])
    return "0.0"


def judge_offline(pack: Database, session: GateSession, code: str, *, now: datetime,
                  nonce: str, device: str) -> Verdict:
    """Judge a scan from the lane's pack (`checkin.scan`) and queue it for upload with
    its nonce, in one transaction. A nonce the pack already holds is the verdict it
    recorded then, not queued again."""
    with write(pack):
        verdict = checkin.scan(pack, session, code, now=now, nonce=nonce, device=device)
        if not verdict.replayed and verdict.scan_id is not None:
            pack.execute("INSERT INTO lane_outbox (nonce) VALUES (?) ON CONFLICT (nonce) "
                         "DO NOTHING", [nonce])
    return verdict


def queued_scans(pack: Database, *, limit: int = 500) -> list[dict[str, Any]]:
    """The oldest scans judged offline and not yet uploaded, as rows of SCAN_COLUMNS."""
    names = ", ".join(f"s.{c}" for c in SCAN_COLUMNS)
    return _rows(pack, f"SELECT {names} FROM lane_outbox o JOIN scans s ON s.nonce = o.nonce "
                 "ORDER BY s.id LIMIT ?", [limit], SCAN_COLUMNS)


def queue_length(pack: Database) -> int:
    """How many scans judged offline wait for upload."""
    return int(pack.execute("SELECT count(*) FROM lane_outbox").fetchone()[0])


def mark_uploaded(pack: Database, nonces: Sequence[str]) -> None:
    """Take scans the host has acknowledged out of the outbox."""
    with write(pack):
        pack.executemany("DELETE FROM lane_outbox WHERE nonce = ?",
                              [[nonce] for nonce in nonces])


def record_judged(pack: Database, scan: Mapping[str, Any]) -> None:
    """Keep a scan the host judged online in the lane's pack, so the lane knows of it at
    once if it falls back to offline before its next pull."""
    apply_scans = Changes(lane_cursor(pack), scans=[dict(scan)])
    apply_changes(pack, apply_scans)
