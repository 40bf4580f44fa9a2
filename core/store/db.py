"""Opening the database and the one way to write to it.

Every connection runs in WAL mode with `synchronous=FULL`, a busy timeout of at least
5 s and foreign keys on. Python's sqlite3 connection is put in autocommit mode
(`isolation_level=None`) so that it never opens a deferred transaction behind our back:
every write goes through `write()`, which starts `BEGIN IMMEDIATE`. A deferred
transaction that later tries to write fails with "database is locked" or, without a
transaction, sells a seat twice (docs/architecture.md, bench/README.md).
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from core.errors import DatabaseLocationError

BUSY_TIMEOUT_MS = 5000

# Filesystem types on which SQLite's locking cannot be trusted across hosts.
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "sshfs", "fuse.sshfs",
        "9p", "afs", "ceph", "fuse.ceph", "glusterfs", "fuse.glusterfs", "lustre",
        "davfs", "fuse.davfs2", "fuse.s3fs", "fuse.rclone", "ncpfs", "coda", "gfs2", "ocfs2",
    }
)

# What every service takes. Today a sqlite-utils Database; the one name to change when the
# store gains another engine.
Database = sqlite_utils.Database


def filesystem_type(path: Path, mounts_text: str | None = None) -> str:
    """The filesystem type of the mount that holds `path` (from /proc/mounts)."""
    if mounts_text is None:
        try:
            mounts_text = Path("/proc/mounts").read_text()
        except OSError:
            return "unknown"
    target = os.path.realpath(path)
    best_mount, best_type = "", "unknown"
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        # /proc/mounts escapes spaces in mount points as \040
        mount_point = fields[1].replace("\\040", " ")
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best_mount):
            best_mount, best_type = mount_point, fields[2]
    return best_type


def check_local_disk(path: Path, mounts_text: str | None = None) -> None:
    """Refuse a database on a network filesystem.

    Raises DatabaseLocationError (code `network_filesystem`).
    """
    directory = path.parent if path.parent != Path("") else Path(".")
    fs_type = filesystem_type(directory, mounts_text)
    if fs_type in NETWORK_FILESYSTEMS:
        raise DatabaseLocationError(
            f"The database {path} is on a network filesystem ({fs_type}). SQLite's locks "
            "do not hold across hosts there, so two windows could sell the same seat. "
            "Keep the database on a local disk of the box office host and run every "
            "window on that host (at its console or over SSH)."
        )


def connect(path: str | Path, *, check_location: bool = True) -> Database:
    """Open (creating if needed) the database at `path` with the project's settings.

    `":memory:"` gives a private in-memory database (for tests). Does not migrate:
    see `core.schema.open_database` for that.
    """
    if str(path) == ":memory:":
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    else:
        path = Path(path)
        if check_location:
            check_local_disk(path)
        conn = sqlite3.connect(
            str(path),
            isolation_level=None,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return sqlite_utils.Database(conn, execute_plugins=False)


def begin_immediate(conn: sqlite3.Connection) -> None:
    """`BEGIN IMMEDIATE`, waiting for the write lock up to the connection's busy timeout.

    SQLite's own busy handler sleeps in growing steps (up to 100 ms), so with eight
    windows queued for the lock a sale could wait far longer than the lock was held.
    This polls every 0.5-3 ms instead, with jitter, until the same deadline.
    """
    timeout_ms = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    deadline = time.monotonic() + timeout_ms / 1000
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        delay = 0.0005
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
                if time.monotonic() >= deadline:
                    raise
                time.sleep(delay * random.uniform(0.5, 1.5))
                delay = min(delay * 1.5, 0.003)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {timeout_ms}")


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """A write transaction: `BEGIN IMMEDIATE` ... `COMMIT`, rolled back on any error.

    Nested use becomes a savepoint of the outer transaction, so services can call each
    other. Re-check whatever you read before this block inside it.
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():  # sqlite-utils nests with a SAVEPOINT
            yield db
        return
    begin_immediate(conn)
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def insert(db: Database, sql: str, params: Sequence[object]) -> int:
    """Run one `INSERT ...` and return the new row's id, read with `RETURNING id` (portable
    SQL: no driver's `lastrowid`). Fetches every row so the statement is done before the
    transaction commits."""
    rows = db.execute(f"{sql} RETURNING id", params).fetchall()
    return int(rows[0][0])
