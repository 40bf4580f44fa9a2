"""Backups and restores through SQLite's backup API, each copy verified.

`backup` copies a live database (WAL mode, windows selling) page by page in one step of
the backup API, which reads one consistent snapshot: every transaction committed before
it started is in the copy, none that commits during it is half there. The copy is made
under a temporary name, switched to a self-contained rollback-journal file, checked with
`PRAGMA integrity_check` and the journal's hash chain, fsync'ed, renamed into place, and
its directory fsync'ed, so a power cut never leaves a half backup under the final name.
The backup is journaled in the source database.

`restore` checks a backup before it touches anything (SQLite file, `integrity_check`,
a box office schema, the journal's chain, a schema this program knows, not a training
database over a real one), refuses to replace an existing database without confirmation,
keeps the replaced database aside as a backup, then copies the backup in through the
same API (other processes never see a half-copied file) and migrates it.

Backups hold the database only: the ticket signing keys live in their own directory
(`core.config.ticket_key_dir`) and are backed up with it, not here.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core import clock
from core.config import Config, backup_dir
from core.errors import BoxOfficeError
from core.free_text import PATH, clean_text
from core.migrations import migrations as known
from core.store import journal
from core.store.db import Database, SQLiteDatabase, connect, is_url
from core.store.schema import database_id, migrate

# <stem>-20261120T170000Z[-reason].db: what `prune` may delete, and nothing else
_BACKUP_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}T\d{6}Z)(?:-[a-z0-9_]+)?\.db$")


class BackupError(BoxOfficeError):
    code = "backup"


# What a box office on PostgreSQL uses instead of `boxoffice backup`.
POSTGRESQL_BACKUPS = (
    "This box office runs on PostgreSQL: back it up with the server's own tools, "
    "`pg_dump --format=custom` for a nightly copy and base backups (pg_basebackup) with "
    "WAL archiving to recover to any moment; `boxoffice journal anchor` still gives the "
    "journal's head to keep off the machine. The runbook: docs/postgresql-runbook.md.")


def refuse_postgresql(location: str | Path | Database) -> None:
    """Raise BackupError (code `postgresql`) when `location` is a PostgreSQL box office:
    file backups and restores are SQLite's."""
    engine = location.engine if isinstance(location, Database) else (
        "postgresql" if is_url(location) else "sqlite")
    if engine == "postgresql":
        raise BackupError(POSTGRESQL_BACKUPS, code="postgresql")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    sha256: str
    journal_rows: int
    taken_at: datetime


@dataclass(frozen=True)
class RestoreResult:
    restored: Path              # the database that now holds the backup
    source: Path
    replaced_copy: Path | None  # where the database it replaced was kept
    journal_rows: int


def backup_name(database: Path, now: datetime, reason: str = "") -> str:
    """`<database stem>-<UTC time>[-reason].db`, the name `prune` recognises."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = f"-{re.sub(r'[^a-z0-9_]+', '_', reason.lower()).strip('_')}" if reason else ""
    return f"{database.stem}-{stamp}{suffix}.db"


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _integrity(conn: sqlite3.Connection) -> str:
    rows = [str(row[0]) for row in conn.execute("PRAGMA integrity_check").fetchall()]
    return "ok" if rows == ["ok"] else "; ".join(rows[:5])


@contextlib.contextmanager
def _source(source: Database | str | Path) -> Iterator[Database]:
    if isinstance(source, Database):
        yield source
        return

    path = Path(source)
    if not path.is_file():
        raise BackupError(f"there is no database at {path}", code="no_database")
    db = connect(path)
    try:
        yield db
    finally:
        db.close()


def _source_path(db: Database) -> Path | None:
    row = db.execute("PRAGMA database_list").fetchone()
    return Path(row[2]) if row and row[2] else None


def backup(source: Database | str | Path, dest: str | Path, *,
           actor: str = "system", now: datetime | None = None) -> BackupResult:
    """Copy the database to `dest` (a file name, or an existing directory: then named by
    `backup_name`), verified and durable; journaled in the source. Safe while other
    windows sell. Call it outside any transaction of `source`. Raises BackupError
    (`no_database`, `backup_exists`, `backup_corrupt`, `backup_failed`)."""
    refuse_postgresql(source)
    now = now or clock.now()
    with _source(source) as db:
        if db.in_transaction:
            raise BackupError("internal: a backup must not run inside a transaction",
                              code="backup_failed")
        target = Path(dest)
        if target.is_dir():
            target = target / backup_name(_source_path(db) or Path("boxoffice.db"), now)
        if target.exists():
            raise BackupError(f"{target} exists: choose another name", code="backup_exists")
        clean_text(str(target), "backup file name", max_length=PATH)   # it is journaled
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise BackupError(f"cannot create {target.parent}: {error.strerror}",
                              code="backup_failed") from error
        temporary = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            rows = _copy_and_check(db.conn, temporary)
            _fsync_file(temporary)
            os.replace(temporary, target)
            _fsync_dir(target.parent)
        except (OSError, sqlite3.Error) as error:
            raise BackupError(f"the backup to {target} failed: {error}",
                              code="backup_failed") from error
        finally:
            temporary.unlink(missing_ok=True)
            for extra in ("-journal", "-wal", "-shm"):
                Path(f"{temporary}{extra}").unlink(missing_ok=True)
        result = BackupResult(target, target.stat().st_size, _sha256(target), rows, now)
        copied = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:   # the copy's head, pinned: `journal verify` checks the chain still holds it
            head_id, head_hash = journal.head(SQLiteDatabase(copied, str(target)))
        finally:
            copied.close()
        journal.append(db, actor=actor, action="database.backup", subject="database",
                       data={"path": str(target), "bytes": result.size_bytes,
                             "sha256": result.sha256, "journal_rows": rows,
                             "journal_head_id": head_id, "journal_head_hash": head_hash})
    return result


def _copy_and_check(conn: sqlite3.Connection, temporary: Path) -> int:
    """Back `conn` up into `temporary` and verify the copy; returns its journal rows."""
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # PIN hashes inside
    os.close(fd)
    copy = sqlite3.connect(str(temporary), isolation_level=None)
    try:
        conn.backup(copy)                       # one step: one consistent snapshot
        copy.execute("PRAGMA journal_mode = DELETE")   # one self-contained file
        problems = _integrity(copy)
        if problems != "ok":
            raise BackupError(f"the copy failed integrity_check: {problems}",
                              code="backup_corrupt")
        checked = journal.verify(SQLiteDatabase(copy, str(temporary)))
        if not checked.ok:
            raise BackupError(f"the journal in the copy is broken at row "
                              f"{checked.first_broken}: {checked.reason}",
                              code="backup_corrupt")
        return checked.rows
    finally:
        copy.close()


def prune(directory: str | Path, keep: int, *, stem: str | None = None) -> list[Path]:
    """Delete the oldest backups in `directory` beyond the newest `keep` (per database
    stem, or only `stem`'s); only files named like `backup_name` are touched. Returns
    the deleted paths. Raises BackupError `bad_keep` for keep < 1."""
    if keep < 1:
        raise BackupError("keep at least one backup", code="bad_keep")
    folder = Path(directory)
    if not folder.is_dir():
        return []
    by_stem: dict[str, list[tuple[str, Path]]] = {}
    for path in folder.iterdir():
        match = _BACKUP_NAME.match(path.name)
        if match and path.is_file() and (stem is None or match["stem"] == stem):
            by_stem.setdefault(match["stem"], []).append((match["stamp"], path))
    removed = []
    for found in by_stem.values():
        found.sort(reverse=True)
        for _, path in found[keep:]:
            path.unlink()
            removed.append(path)
    if removed:
        _fsync_dir(folder)
    return sorted(removed)


def auto_backup(config: Config, db_path: str | Path, reason: str, *,
                now: datetime | None = None) -> BackupResult:
    """The automatic backup (at each Z close): into `[backup] directory` (default
    `<database>-backups/` beside it), named `<stem>-<UTC time>-<reason>.db`, then the
    oldest beyond `[backup] keep` are deleted. Call it after the close has committed;
    a failure raises BackupError and should be shown, not undo the close. On
    PostgreSQL, BackupError `postgresql`: the server's backups apply."""
    refuse_postgresql(db_path)
    now = now or clock.now()
    database = Path(db_path)
    folder = backup_dir(config, database)
    result = backup(database, folder / backup_name(database, now, reason), now=now)
    prune(folder, config.backup.keep, stem=database.stem)
    return result


@dataclass(frozen=True)
class BackupCheck:
    """What `check_backup` found in a backup file."""

    path: Path
    database_id: str
    journal_rows: int
    migrations: tuple[str, ...]
    training: bool


def check_backup(path: str | Path) -> BackupCheck:
    """Check a file is a sound box office database, without changing it. Raises
    BackupError `no_backup`, `not_a_database`, `backup_corrupt`, `not_a_boxoffice_database`,
    `journal_broken`, `newer_schema`, `gate_pack`."""

    source = Path(path)
    if not source.is_file():
        raise BackupError(f"there is no file {source}", code="no_backup")
    try:
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as error:
        raise BackupError(f"cannot open {source}: {error}", code="not_a_database") from error
    try:
        try:
            problems = _integrity(conn)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not an SQLite database ({error})",
                              code="not_a_database") from error
        if problems != "ok":
            raise BackupError(f"{source} failed integrity_check: {problems}",
                              code="backup_corrupt")
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"_sqlite_migrations", "journal", "settings"} <= tables:
            raise BackupError(f"{source} is not a box office database",
                              code="not_a_boxoffice_database")
        applied = tuple(row[0] for row in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'boxoffice' "
            "ORDER BY rowid"))
        unknown = set(applied) - {m.name for m in known._migrations}
        if unknown:
            raise BackupError(f"{source} comes from a newer version of this program "
                              f"(migration {sorted(unknown)[0]})", code="newer_schema")
        db = SQLiteDatabase(conn, str(source))
        checked = journal.verify_pinned(db)
        if not checked.ok:
            raise BackupError(f"the journal in {source} is broken at row "
                              f"{checked.first_broken}: {checked.reason}",
                              code="journal_broken")
        settings = dict(conn.execute("SELECT key, value FROM settings").fetchall())
        if "pack.id" in settings:
            raise BackupError(
                f"{source} is a gate pack (performance {settings.get('pack.performance_id')}"
                f", made {settings.get('pack.made_at', '?')} by "
                f"{settings.get('pack.made_by', '?')}), not a backup of the box office "
                "database: it holds no orders or payments and only gate users. Merge it "
                "with `boxoffice gate-pack merge`", code="gate_pack")
        return BackupCheck(source, str(settings.get("database_id", "")), checked.rows,
                           applied, settings.get("training") == "1")
    finally:
        conn.close()


def _check_same_history(current: Database, checked: BackupCheck,
                        source: str | Path) -> None:
    """Refuse a backup of another database, or one whose journal is not an earlier or a
    later state of the current one (a different history: restoring it would silently
    swap the box office's records). Raises BackupError `foreign_database`,
    `journal_diverged`."""
    here = database_id(current)
    if checked.database_id != here:
        raise BackupError(f"{source} is a backup of another box office database "
                          f"({checked.database_id or 'no id'}; this one is {here}): "
                          "restore it to its own --db, not over this one",
                          code="foreign_database")
    conn = sqlite3.connect(f"file:{Path(source)}?mode=ro", uri=True)
    try:
        theirs = SQLiteDatabase(conn, str(source))
        their_head, ours = journal.head(theirs), journal.head(current)
        if their_head[0] <= ours[0]:
            same = journal.hash_at(current, their_head[0]) == their_head[1]
        else:
            same = journal.hash_at(theirs, ours[0]) == ours[1]
    finally:
        conn.close()
    if not same:
        raise BackupError(f"{source}'s journal is not an earlier or later state of this "
                          "database's journal: the two histories differ, so it is not a "
                          "backup of this database as it was", code="journal_diverged")


def restore(source: str | Path, target: str | Path, *, confirm: bool = False,
            actor: str = "system", now: datetime | None = None) -> RestoreResult:
    """Replace the database at `target` with the backup `source`, after `check_backup`.

    An existing target is replaced only with `confirm`, and is first kept aside, as a
    verified backup named `<stem>-<time>-replaced.db` in the same directory. Stop every
    window on the database first. Raises BackupError (those of `check_backup`,
    `confirm_required`, `training_database`, `foreign_database`, `journal_diverged`,
    `backup_failed`).
    """

    refuse_postgresql(target)
    now = now or clock.now()
    checked = check_backup(source)
    database = Path(target)
    replaced: Path | None = None
    if database.exists():
        if not confirm:
            raise BackupError(f"{database} exists: confirm to replace it (it is kept aside)",
                              code="confirm_required")
        with _source(database) as current:
            is_training = current.execute(
                "SELECT 1 FROM settings WHERE key = 'training' AND value = '1'").fetchone()
            if checked.training and not is_training:
                raise BackupError(f"{source} is a training database: it cannot replace "
                                  "the real one", code="training_database")
            if not (checked.training and is_training):   # a training reset starts anew
                _check_same_history(current, checked, source)
        replaced = backup(database, database.parent / backup_name(database, now, "replaced"),
                          actor=actor, now=now).path
    db = connect(database)
    try:
        incoming = sqlite3.connect(f"file:{Path(source)}?mode=ro", uri=True)
        try:
            incoming.backup(db.conn)
        except sqlite3.Error as error:
            raise BackupError(f"restoring {source} failed: {error}",
                              code="backup_failed") from error
        finally:
            incoming.close()
        db.conn.execute("PRAGMA journal_mode = WAL")
        problems = _integrity(db.conn)
        if problems != "ok":
            raise BackupError(f"the restored database failed integrity_check: {problems}",
                              code="backup_failed")
        migrate(db)
        journal.append(db, actor=actor, action="database.restore", subject="database",
                       data={"from": str(source), "replaced_copy": str(replaced or ""),
                             "journal_rows": checked.journal_rows})
    finally:
        db.close()
    return RestoreResult(database, Path(source), replaced, checked.journal_rows)
