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
    """Append one entry; returns its id. Joins the caller's transaction if there is one
    (no savepoint of its own: a failed append fails its caller's write)."""
    stamp = (at or clock.now()).astimezone(UTC).isoformat(timespec="microseconds")
    payload = json.dumps(data or {}, sort_keys=True, separators=(",", ":"))
    if db.in_transaction:
        return _append(db, stamp, actor, action, subject, payload)
    with write(db):
        return _append(db, stamp, actor, action, subject, payload)


# the head (the last id ever given) and the last row, in one read
_TAIL = ("SELECT h.last_id, j.id, j.hash FROM journal_head h LEFT JOIN journal j "
         "ON j.id = (SELECT max(id) FROM journal)")


def read_tail_ahead(db: Database) -> None:
    """Inside a write that will append: the journal's tail read with the next round trip
    (PostgreSQL), not on the way to the first append (see Database.fetch_ahead)."""
    if "journal_tail" not in db.memo:
        db.fetch_ahead(_TAIL)


def _append(db: Database, stamp: str, actor: str, action: str, subject: str,
            payload: str) -> int:
    if "journal_tail" in db.memo:   # appended earlier in this write: the lock was held
        last_id, prev_hash = db.memo["journal_tail"]
        row_id = int(last_id) + 1
    else:
        head, last_id, last_hash = db.fetch(_TAIL)[0]
        prev_hash = last_hash if last_id is not None else GENESIS
        row_id = int(head) + 1
        if last_id is not None and last_id >= row_id:   # rows past the head: never reuse
            row_id = int(last_id) + 1
    digest = _digest(prev_hash, row_id, stamp, actor, action, subject, payload)
    # the lock is held and the id is new: these fail only on a bug (or a refusal by the
    # triggers, which rolls the caller back all the same)
    db.defer("journal", _write_rows,
             (row_id, stamp, actor, action, subject, payload, prev_hash, digest))
    db.memo["journal_tail"] = (row_id, digest)
    return row_id


def _write_rows(db: Database, rows: list[tuple[object, ...]]) -> None:
    """The rows a write appended (in id order), as one insert per 500, and the head
    moved once (see Database.defer)."""
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        db.execute_later(
            "INSERT INTO journal (id, at, actor, action, subject, data, prev_hash, hash) "
            f"VALUES {', '.join(['(?, ?, ?, ?, ?, ?, ?, ?)'] * len(chunk))}",
            [value for row in chunk for value in row])
    db.execute_later("UPDATE journal_head SET last_id = ? WHERE id = 1", [rows[-1][0]])


def head(db: Database) -> tuple[int, str]:
    """The last row's id and hash: (0, GENESIS) for an empty journal. Kept off the
    machine (`boxoffice journal anchor`), or pinned in a Z report or a backup's journal
    row, it lets `verify` prove that nothing before it was rewritten or cut."""
    last = db.execute("SELECT id, hash FROM journal ORDER BY id DESC LIMIT 1").fetchone()
    return (int(last[0]), str(last[1])) if last else (0, GENESIS)


@dataclass(frozen=True)
class Anchor:
    """What to keep off the machine: the head row, its hash and how many rows there are."""
    head_id: int
    head_hash: str
    rows: int


def anchor(db: Database) -> Anchor:
    """The journal's head and row count now (`boxoffice journal anchor`)."""
    head_id, head_hash = head(db)
    rows = int(db.execute("SELECT count(*) FROM journal").fetchone()[0])
    return Anchor(head_id, head_hash, rows)


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
    last_id = _recorded_last_id(db)
    if last_id >= expected_id:
        return Verification(count, expected_id,
                            f"rows {expected_id}..{last_id} are missing from the end")
    return Verification(count)


def _recorded_last_id(db: Database) -> int:
    """The last id the journal has handed out: `journal_head` (migration 0019), or on an
    older SQLite file (a backup being checked) its `sqlite_sequence`."""
    if db.has_table("journal_head"):
        return int(db.execute("SELECT last_id FROM journal_head").fetchone()[0])
    if db.engine == "sqlite" and db.has_table("sqlite_sequence"):
        seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'journal'").fetchone()
        return int(seq[0]) if seq else 0
    return 0


def verify_pinned(db: Database) -> Verification:
    """`verify`, then the chain against what outside it remembers of it:

    - every Z report's `journal_hash` (the head when the shift closed) and every head a
      backup or a shift close recorded in its own row must still be in the chain: a
      journal emptied, cut short or rewritten before a pin (hashes recomputed or not)
      no longer holds that hash;
    - every order has its `order.create` row and every approved payment its `money` row:
      a journal emptied with its sequence still leaves the orders behind.

    What it cannot see without a copy kept off the machine (`boxoffice journal anchor`):
    rows rewritten or removed after the last pin, by someone who also rewrites the pin
    tables (z_reports, orders, payments) consistently, triggers dropped."""
    chain = verify(db)
    if not chain.ok:
        return chain
    hashes = {GENESIS} | {row[0] for row in db.execute("SELECT hash FROM journal")}
    for z_number, pinned in db.execute(
            "SELECT z_number, journal_hash FROM z_reports ORDER BY z_number"):
        if pinned not in hashes:
            return Verification(chain.rows, _first_missing(db),
                                f"Z report {z_number} pinned the journal at "
                                f"{pinned[:16]}..., which is no longer in the chain: rows "
                                "before that close were removed or rewritten")
    for row_id, action, data in db.execute(
            "SELECT id, action, data FROM journal WHERE action IN ('shift.close', "
            "'database.backup') ORDER BY id"):
        recorded = json.loads(data)
        pinned = recorded.get("journal_hash") or recorded.get("journal_head_hash")
        if pinned and pinned not in hashes:
            return Verification(chain.rows, row_id,
                                f"its {action} pinned the journal at {pinned[:16]}..., "
                                "which is no longer in the chain")
    created = {row[0] for row in db.execute(
        "SELECT subject FROM journal WHERE action = 'order.create'")}
    for (order_id,) in db.execute("SELECT id FROM orders ORDER BY id"):
        if f"order:{order_id}" not in created:
            return Verification(chain.rows, _first_missing(db),
                                f"order {order_id} has no order.create row: the journal "
                                "was emptied or cut")
    moved = {int(row[0]) for row in db.execute(
        f"SELECT {db.json_text('data', 'payment_id')} FROM journal WHERE action = 'money'")
        if row[0] is not None}
    for (payment_id,) in db.execute(
            "SELECT id FROM payments WHERE status = 'approved' ORDER BY id"):
        if payment_id not in moved:
            return Verification(chain.rows, _first_missing(db),
                                f"payment {payment_id} has no money row: the journal was "
                                "emptied or cut")
    return chain


def _first_missing(db: Database) -> int:
    return head(db)[0] + 1
