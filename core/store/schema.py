"""Numbered migrations: the only place tables are created.

Migrations are applied inside one `BEGIN IMMEDIATE` transaction, so two processes that
open a fresh database at once do not both try to create it.
"""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

from core.migrations import migrations
from core.store.db import Database, connect, write


def migrate(db: Database) -> list[str]:
    """Apply every pending migration; returns the names applied (empty if none). An
    up-to-date database is only read: opening it takes no write lock."""
    try:
        if db.conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_sqlite_migrations'"
                           ).fetchone() and not list(migrations.pending(db)):
            return []
    except sqlite3.DatabaseError:
        pass   # not readable as a database: the write below says so
    with write(db):
        pending = [m.name for m in migrations.pending(db)]
        migrations.apply(db)
    return pending


def open_database(path: str | Path, *, check_location: bool = True) -> Database:
    """Connect with the project's settings and bring the schema up to date.

    Raises DatabaseLocationError when the file is on a network filesystem.
    """
    db = connect(path, check_location=check_location)
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
