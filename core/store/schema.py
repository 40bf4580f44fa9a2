"""Numbered migrations: the only place tables are created.

Migrations are applied inside one write transaction, so two processes that open a fresh
database at once do not both try to create it.
"""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

import sqlite_utils

from core import clock
from core.migrations import STEPS, migrations
from core.store.db import Database, connect, write


def migrate(db: Database) -> list[str]:
    """Apply every pending migration; returns the names applied (empty if none). An
    up-to-date database is only read: opening it takes no write lock."""
    if db.engine == "postgresql":
        return _migrate_postgresql(db)
    try:
        if db.has_table("_sqlite_migrations") and not _pending_sqlite(db):
            return []
    except sqlite3.DatabaseError:
        pass   # not readable as a database: the write below says so
    with write(db):
        pending = _pending_sqlite(db)
        migrations.apply(sqlite_utils.Database(db.conn, execute_plugins=False))
    return pending


def _pending_sqlite(db: Database) -> list[str]:
    return [m.name for m in migrations.pending(sqlite_utils.Database(db.conn,
                                                                      execute_plugins=False))]


def applied_migrations(db: Database) -> list[str]:
    """The names of the migrations this database has had, in the order they ran."""
    if db.engine == "postgresql":
        if not db.has_table("schema_migrations"):
            return []
        return [row[0] for row in db.execute(
            "SELECT name FROM schema_migrations ORDER BY applied_at, name")]
    return [m.name for m in migrations.applied(sqlite_utils.Database(db.conn,
                                                                     execute_plugins=False))]


def _migrate_postgresql(db: Database) -> list[str]:
    """PostgreSQL: the squashed baseline for a new database, then each later step's
    `POSTGRESQL` text, recorded in `schema_migrations`. DDL is transactional there, so
    the whole run is one write transaction: two processes opening a new database at
    once cannot both build it."""
    import core.migrations.pg_baseline as pg_baseline

    def applied() -> set[str]:
        if not db.has_table("schema_migrations"):
            return set()
        return {row[0] for row in db.execute("SELECT name FROM schema_migrations")}

    later = [step for step in STEPS if step.NAME not in pg_baseline.COVERS]
    done = applied()
    if done and all(step.NAME in done for step in later):
        return []
    names: list[str] = []
    with write(db):
        done = applied()
        stamp = clock.now().isoformat()
        if not done:
            db.executescript(pg_baseline.SQL)
            db.executemany("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                           [(name, stamp) for name in pg_baseline.COVERS])
            names.extend(pg_baseline.COVERS)
        for step in later:
            if step.NAME in done:
                continue
            db.executescript(step.POSTGRESQL)
            db.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                       [step.NAME, stamp])
            names.append(step.NAME)
    return names


def open_database(location: str | Path, *, check_location: bool = True) -> Database:
    """Connect with the project's settings and bring the schema up to date.

    Raises DatabaseLocationError when the file is on a network filesystem.
    """
    db = connect(location, check_location=check_location)
    migrate(db)
    return db


def database_id(db: Database) -> str:
    """This database's random identity (made by migration 0002; made here if missing)."""
    row = db.execute("SELECT value FROM settings WHERE key = 'database_id'").fetchone()
    if row is None:
        with write(db):
            db.execute("INSERT INTO settings (key, value) VALUES ('database_id', ?) "
                       "ON CONFLICT (key) DO NOTHING",
                       [secrets.token_hex(8)])
        row = db.execute("SELECT value FROM settings WHERE key = 'database_id'").fetchone()
    return str(row[0])
