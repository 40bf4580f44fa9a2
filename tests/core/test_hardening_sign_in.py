"""Issue 24, concurrent sign-ins: the PIN is hashed outside the write transaction, and
opening an up-to-date database takes no write lock."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from core.people import users
from core.store.db import Database
from core.store.schema import open_database


def test_the_pin_is_hashed_outside_the_write_transaction(
        demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    real = users.pin_matches
    inside: list[bool] = []

    def watched(pin: str, stored: str) -> bool:
        inside.append(demo_db.in_transaction)
        return real(pin, stored)

    monkeypatch.setattr(users, "pin_matches", watched)
    users.authenticate(demo_db, "sam", "1111")
    with pytest.raises(users.LoginFailed):
        users.authenticate(demo_db, "sam", "0000")
    with pytest.raises(users.LoginFailed):
        users.authenticate(demo_db, "nobody", "0000")
    assert inside == [False, False, False]


def test_opening_an_up_to_date_database_needs_no_write_lock(demo_path: Path) -> None:
    holder = sqlite3.connect(demo_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")      # another window is writing
    try:
        db = open_database(demo_path)      # used to wait 5 s, then "database is locked"
        assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 4
        db.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
