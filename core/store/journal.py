"""The journal: an append-only, hash-chained record of every change that matters.

Triggers reject UPDATE and DELETE. Each row's hash covers its own fields and the previous
row's hash, so a row edited behind the triggers' back (triggers dropped, or the file
edited) breaks the chain from that row on, and `verify` names it. Reports read the
journal, so they stay true after later changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core import clock
from core.store.db import Database, write

GENESIS = "0" * 64


def _digest(prev_hash: str, row_id: int, at: str, actor: str, action: str,
            subject: str, data: str) -> str:
    material = "\x1f".join([prev_hash, str(row_id), at, actor, action, subject, data])
    return hashlib.sha256(material.encode()).hexdigest()


def append(db: Database, *, actor: str, action: str, subject: str,
           data: dict[str, Any] | None = None, at: datetime | None = None) -> int:
    """Append one entry; returns its id. Joins the caller's transaction if there is one."""
    stamp = (at or clock.now()).astimezone(UTC).isoformat(timespec="microseconds")
    payload = json.dumps(data or {}, sort_keys=True, separators=(",", ":"))
    with write(db):
        last = db.execute("SELECT id, hash FROM journal ORDER BY id DESC LIMIT 1").fetchone()
        prev_hash = last[1] if last else GENESIS
        seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'journal'").fetchone()
        row_id = max(last[0] if last else 0, seq[0] if seq else 0) + 1
        digest = _digest(prev_hash, row_id, stamp, actor, action, subject, payload)
        db.execute(
            "INSERT INTO journal (id, at, actor, action, subject, data, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [row_id, stamp, actor, action, subject, payload, prev_hash, digest],
        )
    return row_id


def head(db: Database) -> tuple[int, str]:
    """The last row's id and hash: (0, GENESIS) for an empty journal. Kept off the
    machine (`boxoffice journal anchor`), or pinned in a Z report or a backup's journal
    row, it lets `verify` prove that nothing before it was rewritten or cut."""
    last = db.execute("SELECT id, hash FROM journal ORDER BY id DESC LIMIT 1").fetchone()
    return (int(last[0]), str(last[1])) if last else (0, GENESIS)


def hash_at(db: Database, row_id: int) -> str | None:
    """The hash of row `row_id` (GENESIS for row 0), None when there is no such row."""
    if row_id == 0:
        return GENESIS
    row = db.execute("SELECT hash FROM journal WHERE id = ?", [row_id]).fetchone()
    return str(row[0]) if row else None


@dataclass(frozen=True)
class Verification:
    rows: int
    first_broken: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken is None


def verify(db: Database) -> Verification:
    """Walk the chain; report the first row whose hash or link does not hold."""
    prev_hash = GENESIS
    expected_id = 1
    count = 0
    cursor = db.execute(
        "SELECT id, at, actor, action, subject, data, prev_hash, hash FROM journal ORDER BY id"
    )
    for row_id, at, actor, action, subject, data, stored_prev, stored_hash in cursor:
        count += 1
        if row_id != expected_id:
            return Verification(count, expected_id,
                                f"row {expected_id} is missing (the next row is {row_id})")
        if stored_prev != prev_hash:
            return Verification(count, row_id,
                                "its link to the previous row does not match")
        if _digest(prev_hash, row_id, at, actor, action, subject, data) != stored_hash:
            return Verification(count, row_id, "its contents do not match its hash")
        prev_hash = stored_hash
        expected_id += 1
    seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'journal'").fetchone()
    if seq and seq[0] >= expected_id:
        return Verification(count, expected_id,
                            f"rows {expected_id}..{seq[0]} are missing from the end")
    return Verification(count)
