"""Migration 0009: orders accept the channel 'web' and the status 'reserved' with a pay-by
deadline; orders made before it keep everything; other values are still refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from core.migrations import migrations
from core.store.db import Database, connect, integrity_errors, write
from core.store.schema import migrate, open_database
from tests.support.constants import FIXED_NOW
from tests.support.dates import stamp


def _insert_order(db: Database, number: str, channel: str, status: str) -> None:
    db.conn.execute(
        "INSERT INTO orders (number, user_id, station, channel, status, total_cents, "
        "created_at) VALUES (?, 1, 'w1', ?, ?, 9500, ?)",
        [number, channel, status, stamp(FIXED_NOW)])


def _user(db: Database) -> None:
    db.conn.execute(
        "INSERT INTO users (id, username, display_name, role, pin_hash) "
        "VALUES (1, 'ana', 'Ana', 'seller', 'x')")


def test_web_reserved_orders_are_accepted_and_other_values_refused(tmp_path: Path) -> None:
    db = open_database(tmp_path / "box.db")
    _user(db)
    _insert_order(db, "W1", "web", "reserved")
    db.conn.execute("UPDATE orders SET pay_by = ? WHERE number = 'W1'", [stamp(FIXED_NOW)])
    row = db.conn.execute("SELECT channel, status, pay_by FROM orders").fetchone()
    assert row == ("web", "reserved", stamp(FIXED_NOW))
    with pytest.raises(integrity_errors()):
        _insert_order(db, "W2", "internet", "complete")
    with pytest.raises(integrity_errors()):
        _insert_order(db, "W3", "web", "held")


def test_orders_made_before_the_migration_are_kept_with_their_tickets_linked(
        tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = connect(path)
    with write(db):
        migrations.apply(sqlite_utils.Database(db.conn), stop_before="0009_web_orders")
    _user(db)
    _insert_order(db, "A1", "window", "complete")
    with pytest.raises(integrity_errors()):
        _insert_order(db, "A2", "web", "complete")
    db.close()

    db = connect(path)
    assert migrate(db)[0] == "0009_web_orders"
    assert db.conn.execute("SELECT number, channel, status, pay_by FROM orders").fetchall() \
        == [("A1", "window", "complete", None)]
    assert db.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    _insert_order(db, "A2", "web", "reserved")
