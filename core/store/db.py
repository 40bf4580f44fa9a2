"""Opening the database and the one way to write to it.

The box office runs on SQLite (a file: the default) or PostgreSQL (a `postgresql://`
URL: core/store/postgresql.py). Services see one `Database` (core/store/engine.py), write
SQL with `?` placeholders and write only inside `write()`.

On SQLite every connection runs in WAL mode with `synchronous=FULL`, a busy timeout of at least
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
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from core.errors import DatabaseBusy, DatabaseLocationError
from core.store.engine import BUSY_MESSAGE, Cursor, Database, redacted

__all__ = ["BUSY_MESSAGE", "Cursor", "Database", "SQLiteDatabase", "connect", "insert",
           "redacted", "write"]

BUSY_TIMEOUT_MS = 5000
POSTGRESQL_SCHEMES = ("postgresql://", "postgres://")

# Filesystem types on which SQLite's locking cannot be trusted across hosts.
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "sshfs", "fuse.sshfs",
        "9p", "afs", "ceph", "fuse.ceph", "glusterfs", "fuse.glusterfs", "lustre",
        "davfs", "fuse.davfs2", "fuse.s3fs", "fuse.rclone", "ncpfs", "coda", "gfs2", "ocfs2",
    }
)

class SQLiteDatabase(Database):
    """A SQLite file (or `:memory:`) in autocommit mode: transactions are ours."""

    engine = "sqlite"

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        self.flush_deferred()
        cursor: sqlite3.Cursor = self.conn.execute(sql, params)
        return cursor

    def execute_later(self, sql: str, params: Sequence[object] = ()) -> None:
        # now, but after no rows gathered by `defer`, as on PostgreSQL
        self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        self.flush_deferred()
        self.conn.executemany(sql, rows)

    def executescript(self, sql: str) -> None:
        self.flush_deferred()
        self.conn.executescript(sql)

    @property
    def in_transaction(self) -> bool:
        return bool(self.conn.in_transaction)

    def begin_write(self) -> None:
        begin_immediate(self.conn)

    def begin_read(self) -> None:
        self.conn.execute("BEGIN")

    def close(self) -> None:
        self.conn.close()

    def columns(self, table: str) -> list[str]:
        return [row[1] for row in self.conn.execute(f'PRAGMA table_info("{table}")')]

    def table_names(self) -> list[str]:
        return [row[0] for row in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]

    def has_table(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                 "AND name = ?", [name]).fetchone() is not None

    def json_text(self, column: str, key: str) -> str:
        return f"json_extract({column}, '$.{key}')"

    def new_ids(self, table: str, count: int) -> list[int]:
        # the write lock is held: the ids SQLite itself would give the next rows
        first = int(self.conn.execute(
            f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])
        return list(range(first, first + count))


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


# Where a box office's database is: a SQLite file, or a `postgresql://` URL.
Location = Path | str


def home_path(location: Location, config_dir: Path | None = None) -> Path:
    """The path the files that travel with a database are named after (its signing keys
    in `<stem>-keys/`, backups, letters and exports beside it): the SQLite file itself;
    for a PostgreSQL URL, `<database name>` in the config file's directory (or the
    current one)."""
    if not is_url(location):
        return Path(location)
    name = urlsplit(str(location)).path.strip("/") or "boxoffice"
    return (config_dir or Path.cwd()) / name


def as_location(location: str | Path) -> Location:
    """A postgresql:// URL as it is; anything else a SQLite file path."""
    return location if is_url(location) else Path(location)


def is_url(location: str | Path) -> bool:
    """True for a PostgreSQL URL (`postgresql://...`), False for a SQLite file path."""
    return isinstance(location, str) and location.startswith(POSTGRESQL_SCHEMES)


def connect(location: str | Path, *, check_location: bool = True,
            lock_wait_ms: int = BUSY_TIMEOUT_MS) -> Database:
    """Open the database at `location` with the project's settings: a SQLite file path
    (created if needed; `":memory:"` is a private in-memory database for tests) or a
    `postgresql://` URL. Does not migrate: see `core.store.schema.open_database`."""
    if is_url(location):
        from core.store.postgresql import connect_postgresql

        return connect_postgresql(str(location), lock_wait_ms=lock_wait_ms)
    if str(location) == ":memory:":
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    else:
        path = Path(location)
        if check_location:
            check_local_disk(path)
        conn = sqlite3.connect(
            str(path),
            isolation_level=None,
            timeout=lock_wait_ms / 1000,
            check_same_thread=False,
        )
    conn.execute(f"PRAGMA busy_timeout = {lock_wait_ms}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return SQLiteDatabase(conn, str(location))


def begin_immediate(conn: sqlite3.Connection) -> None:
    """`BEGIN IMMEDIATE`, waiting for the write lock up to the connection's busy timeout.

    SQLite's own busy handler sleeps in growing steps (up to 100 ms), so with eight
    windows queued for the lock a sale could wait far longer than the lock was held.
    This polls every 0.5-3 ms instead, with jitter, until the same deadline. Raises
    DatabaseBusy when the deadline passes.
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
                    raise DatabaseBusy(BUSY_MESSAGE) from error
                time.sleep(delay * random.uniform(0.5, 1.5))
                delay = min(delay * 1.5, 0.003)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {timeout_ms}")


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """A write transaction, rolled back on any error: on SQLite `BEGIN IMMEDIATE`, on
    PostgreSQL READ COMMITTED with the box office's write lock taken first. Either way
    one writer at a time, waiting at most the lock wait, then DatabaseBusy.

    Nested use becomes a savepoint of the outer transaction, so services can call each
    other. Re-check whatever you read before this block inside it.
    """
    if db.in_transaction:
        db.savepoint_depth += 1
        name = f"bo_{db.savepoint_depth}"
        db.savepoint(name)
        try:
            yield db
        except BaseException:
            db.memo.clear()
            db.rollback_to_savepoint(name)
            raise
        else:
            db.release_savepoint(name)
        finally:
            db.savepoint_depth -= 1
        return
    db.memo.clear()
    db.begin_write()
    try:
        yield db
        db.flush_deferred()     # inside the try: a row refused here rolls back too
    except BaseException:
        if db.in_transaction:
            db.rollback()
        raise
    else:
        db.commit()
    finally:
        db.memo.clear()


@contextmanager
def read_snapshot(db: Database) -> Iterator[Database]:
    """Several reads that must see one moment (a gate pack, a feed page): a read
    transaction of its own, or the caller's transaction when there is one."""
    if db.in_transaction:
        yield db
        return
    db.begin_read()
    try:
        yield db
    finally:
        if db.in_transaction:
            db.commit()


def insert(db: Database, sql: str, params: Sequence[object]) -> int:
    """Run one `INSERT ...` and return the new row's id, read with `RETURNING id` (portable
    SQL: no driver's `lastrowid`). Fetches every row so the statement is done before the
    transaction commits."""
    rows = db.execute(f"{sql} RETURNING id", params).fetchall()
    return int(rows[0][0])


def integrity_errors() -> tuple[type[Exception], ...]:
    """The drivers' constraint-violation errors (a CHECK, a unique index, a trigger's
    refusal), for the few callers that turn one into their own message."""
    errors: list[type[Exception]] = [sqlite3.IntegrityError]
    if "psycopg" in sys.modules:
        import psycopg

        errors.append(psycopg.IntegrityError)
    return tuple(errors)
