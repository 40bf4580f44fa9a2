"""Who may copy or replace the database file: backup (`report_access`), restore and
training reset (`user_admin`). Anyone with shell access can already copy the file, but
these commands change or copy the box office, so each signs someone in and is journaled
under their name."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from core.people.permissions import PermissionDenied, authorize
from core.people.users import LoginFailed, authenticate, pin_matches
from core.store.backup import BackupError
from core.store.schema import open_database


def sign_in_for(database: Path, username: str, pin: str, permission: str, *,
                backup_file: Path | None = None) -> str:
    """The user name of whoever may `permission` on `database` (restore and training
    reset: `user_admin`; backup: `report_access`), signed in with their PIN; the caller
    journals the action under that name. With no database there (a restore after the
    file was lost), the PIN is checked read-only against the users of `backup_file`, the
    database about to come back. Raises LoginFailed, PermissionDenied, BackupError
    `no_database`."""
    if database.exists():
        db = open_database(database)
        try:
            actor = authenticate(db, username, pin)
            authorize(db, actor, permission)
            return actor.username
        finally:
            db.close()
    if backup_file is None or not backup_file.is_file():
        raise BackupError(f"there is no database at {database}", code="no_database")
    conn = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT u.pin_hash, u.locked, EXISTS (SELECT 1 FROM role_permissions r WHERE "
            "r.role = u.role AND r.permission = ?) FROM users u WHERE u.username = ? AND "
            "u.active = 1", [permission, username]).fetchone()
    except sqlite3.Error as error:
        raise BackupError(f"cannot read the users of {backup_file}: {error}",
                          code="not_a_database") from error
    finally:
        conn.close()
    if row is None or row[1] or not pin_matches(pin, row[0]):
        raise LoginFailed("wrong user name or PIN (checked against the backup's users)")
    if not row[2]:
        raise PermissionDenied(f"{username} may not {permission.replace('_', ' ')}")
    return username
