"""The database core: settings, migrations, BEGIN IMMEDIATE writes, local disk only."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from core.errors import DatabaseBusy, DatabaseLocationError
from core.migrations import STEPS
from core.store.db import (
    Database,
    check_local_disk,
    connect,
    filesystem_type,
    integrity_errors,
    write,
)
from core.store.schema import applied_migrations, migrate, open_database
from tests.support.constants import FIXED_NOW
from tests.support.dates import stamp

TABLES = {"venues", "seat_maps", "price_zones", "sections", "seats", "events",
          "performances", "users", "settings", "journal"}


def test_fresh_database_gets_every_table_and_records_the_migrations(tmp_path: Path) -> None:
    db = open_database(tmp_path / "fresh.db")
    assert set(db.table_names()) >= TABLES
    assert applied_migrations(db) == [step.NAME for step in STEPS]


def test_migrating_twice_changes_nothing(tmp_path: Path) -> None:
    db = open_database(tmp_path / "twice.db")
    assert migrate(db) == []
    db.close()
    again = open_database(tmp_path / "twice.db")
    assert set(again.table_names()) >= TABLES


def test_connection_settings(tmp_path: Path) -> None:
    db = connect(tmp_path / "settings.db")
    pragma = lambda name: db.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("busy_timeout") >= 5000
    assert pragma("foreign_keys") == 1


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(integrity_errors()), write(db):
        db.execute("INSERT INTO performances (event_id, venue_id, starts_at) "
                   "VALUES (99, 99, ?)", [stamp(FIXED_NOW)])


@pytest.mark.sqlite_only
def test_write_starts_begin_immediate_and_rolls_back_on_error(db: Database) -> None:
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    with pytest.raises(RuntimeError), write(db):
        db.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
        raise RuntimeError("boom")
    db.conn.set_trace_callback(None)
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE"]
    assert statements.index("BEGIN IMMEDIATE") < next(
        i for i, s in enumerate(statements) if s.startswith("INSERT"))
    assert "ROLLBACK" in statements
    assert db.execute("SELECT count(*) FROM settings WHERE key = 'a'").fetchone()[0] == 0


def test_nested_write_is_a_savepoint_of_the_outer_transaction(db: Database) -> None:
    with write(db):
        db.execute("INSERT INTO settings (key, value) VALUES ('outer', '1')")
        with pytest.raises(ValueError), write(db):
            db.execute("INSERT INTO settings (key, value) VALUES ('inner', '1')")
            raise ValueError
    keys = [row[0] for row in db.execute("SELECT key FROM settings WHERE key IN "
                                         "('outer', 'inner')")]
    assert keys == ["outer"]


def _keys(db: Database) -> list[str]:
    return [row[0] for row in db.execute(
        "SELECT key FROM settings WHERE key LIKE 'later%' ORDER BY key")]


def test_a_later_write_is_seen_by_the_next_read_and_committed_with_the_write(
        db: Database) -> None:
    with write(db):
        db.execute_later("INSERT INTO settings (key, value) VALUES ('later-1', '1')")
        db.execute_later("UPDATE settings SET value = '2' WHERE key = 'later-1'")
        assert db.execute("SELECT value FROM settings WHERE key = 'later-1'"
                          ).fetchone()[0] == "2"
        db.execute_later("INSERT INTO settings (key, value) VALUES ('later-2', '1')")
    assert _keys(db) == ["later-1", "later-2"]    # the last one went with the COMMIT


def test_a_failing_later_write_fails_its_write_and_nothing_is_kept(db: Database) -> None:
    with pytest.raises(integrity_errors()), write(db):
        db.execute("INSERT INTO settings (key, value) VALUES ('later-a', '1')")
        db.execute_later("INSERT INTO settings (key, value) VALUES ('later-a', '2')")
        db.execute("SELECT 1").fetchall()     # PostgreSQL raises here, SQLite above
    assert _keys(db) == []
    with write(db):                           # and the connection is fine afterwards
        db.execute_later("INSERT INTO settings (key, value) VALUES ('later-b', '1')")
    assert _keys(db) == ["later-b"]


def test_a_nested_write_rolled_back_drops_its_later_writes_only(db: Database) -> None:
    with write(db):
        db.execute_later("INSERT INTO settings (key, value) VALUES ('later-outer', '1')")
        with pytest.raises(ValueError), write(db):
            db.execute_later("INSERT INTO settings (key, value) VALUES ('later-inner', '1')")
            raise ValueError
        with pytest.raises(ValueError), write(db):
            db.execute("INSERT INTO settings (key, value) VALUES ('later-sent', '1')")
            db.execute_later("INSERT INTO settings (key, value) VALUES ('later-queued', '1')")
            raise ValueError
        with write(db):
            db.execute_later("INSERT INTO settings (key, value) VALUES ('later-kept', '1')")
        with pytest.raises(ValueError), write(db):     # a savepoint of the same name
            db.execute_later("INSERT INTO settings (key, value) VALUES ('later-gone', '1')")
            raise ValueError
    assert _keys(db) == ["later-kept", "later-outer"]


def test_fetch_each_returns_each_reads_rows_in_order(db: Database) -> None:
    first, empty, second = db.fetch_each([
        ("SELECT ? + 1", [1]), ("SELECT key FROM settings WHERE key = ?", ["none"]),
        ("SELECT ?, ?", ["a", "b"])])
    assert [tuple(row) for row in first] == [(2,)]
    assert empty == []
    assert [tuple(row) for row in second] == [("a", "b")]


def _venue(db: Database, venue_id: int | None, code: str) -> int:
    if venue_id is None:
        return int(db.execute("INSERT INTO venues (code, name, kind) VALUES (?, ?, 'hall') "
                              "RETURNING id", [code, code]).fetchone()[0])
    db.execute_later("INSERT INTO venues (id, code, name, kind) VALUES (?, ?, ?, 'hall')",
                     [venue_id, code, code])
    return venue_id


def test_new_ids_are_free_and_inserts_without_an_id_come_after_them(db: Database) -> None:
    with write(db):
        first = _venue(db, None, "V0")
        ids = db.new_ids("venues", 3)
        assert ids == sorted(set(ids)) and ids[0] > first
        for number, venue_id in enumerate(ids, 1):
            _venue(db, venue_id, f"V{number}")
        assert db.new_ids("venues", 1)[0] > ids[-1]
    with write(db):
        after = _venue(db, None, "V4")
    assert after > ids[-1]
    assert [row[0] for row in db.execute("SELECT code FROM venues WHERE code LIKE 'V%' "
                                         "ORDER BY id")] == ["V0", "V1", "V2", "V3", "V4"]


def test_ids_reserved_ahead_are_handed_out_and_more_are_had_on_demand(db: Database) -> None:
    with write(db):
        for code in ("C1", "C2"):
            _venue(db, None, code)
        db.reserve_ids({"venues": 2, "customers": 1})
        db.reserve_ids({"venues": ("SELECT count(*) FROM venues WHERE code LIKE ?", ["C%"])})
        ids = db.new_ids("venues", 5)    # two, then two counted, then one more
        assert len(set(ids)) == 5
        for number, venue_id in enumerate(ids):
            _venue(db, venue_id, f"R{number}")
        customer_id = db.new_ids("customers", 1)[0]
        db.execute_later("INSERT INTO customers (id, name, created_at) VALUES (?, 'R', ?)",
                         [customer_id, stamp(FIXED_NOW)])
    assert db.execute("SELECT count(*) FROM venues WHERE code LIKE 'R%'").fetchone()[0] == 5
    assert db.execute("SELECT name FROM customers WHERE id = ?",
                      [customer_id]).fetchone()[0] == "R"


def test_reads_sent_with_the_commit_are_fetched_after_it_and_only_just_after(
        db: Database) -> None:
    read = "SELECT value FROM settings WHERE key = ?"
    with write(db):
        db.execute_later("INSERT INTO settings (key, value) VALUES ('after', '1')")
        db.fetch_ahead(read, ["after"])
    assert [tuple(row) for row in db.fetch(read, ["after"])] == [("1",)]
    with write(db):
        db.fetch_ahead(read, ["after"])
        db.execute("UPDATE settings SET value = '2' WHERE key = 'after'")
        db.forget_ahead()    # the read went before the update: it is read again
        assert [tuple(row) for row in db.fetch(read, ["after"])] == [("2",)]
        db.fetch_ahead(read, ["after"])
        db.execute("UPDATE settings SET value = '2b' WHERE key = 'after'")
        db.fetch_ahead(read, ["after"])  # asked again after the update: read again
        assert [tuple(row) for row in db.fetch(read, ["after"])] == [("2b",)]
        db.execute("UPDATE settings SET value = '2' WHERE key = 'after'")
        db.fetch_ahead(read, ["after"])
    # not fetched just after the commit: dropped by the next statement (a bare one
    # here, outside write(), as nothing in the box office writes)
    db.execute("UPDATE settings SET value = '3' WHERE key = 'after'")
    assert [tuple(row) for row in db.fetch(read, ["after"])] == [("3",)]


def test_a_second_writer_waits_at_begin_not_halfway(tmp_path: Path) -> None:
    path = tmp_path / "lock.db"
    first = open_database(path)
    second = connect(path)
    second.execute("PRAGMA busy_timeout = 50")
    with write(first), pytest.raises(DatabaseBusy, match="busy"), write(second):
        pass  # BEGIN IMMEDIATE itself waits for (and here gives up on) the write lock


def _increment(path: str, times: int) -> None:
    db = connect(path)
    for _ in range(times):
        with write(db):
            value = int(db.execute("SELECT value FROM settings WHERE key = 'n'").fetchone()[0])
            db.execute("UPDATE settings SET value = ? WHERE key = 'n'", [str(value + 1)])


def test_read_then_write_under_contention_loses_nothing(tmp_path: Path) -> None:
    """Four processes read-modify-write one counter: with a deferred BEGIN this fails with
    'database is locked' or loses updates; BEGIN IMMEDIATE serialises them."""
    path = tmp_path / "contended.db"
    db = open_database(path)
    with write(db):
        db.execute("INSERT INTO settings (key, value) VALUES ('n', '0')")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_increment, args=(str(path), 150)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert db.execute("SELECT value FROM settings WHERE key = 'n'").fetchone()[0] == "600"


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
server:/export /srv/shared nfs4 rw,relatime 0 0
//nas/box /mnt/box\\040office cifs rw 0 0
user@host:/data /home/me/remote fuse.sshfs rw 0 0
"""


@pytest.mark.parametrize(("path", "expected"), [
    ("/var/lib/boxoffice", "ext4"),
    ("/srv/shared/boxoffice", "nfs4"),
    ("/srv/sharedness", "ext4"),          # a prefix of the name is not the mount
    ("/mnt/box office/db", "cifs"),
    ("/home/me/remote/x", "fuse.sshfs"),
])
def test_filesystem_type_finds_the_mount_that_holds_a_path(path: str, expected: str) -> None:
    assert filesystem_type(Path(path), MOUNTS) == expected


@pytest.mark.parametrize("path", ["/srv/shared/box.db", "/mnt/box office/box.db",
                                  "/home/me/remote/box.db"])
def test_a_database_on_a_network_filesystem_is_refused_with_the_reason(path: str) -> None:
    with pytest.raises(DatabaseLocationError) as caught:
        check_local_disk(Path(path), MOUNTS)
    assert "network filesystem" in caught.value.message
    assert "local disk" in caught.value.message


def test_a_database_on_a_local_disk_is_accepted() -> None:
    check_local_disk(Path("/var/lib/boxoffice/box.db"), MOUNTS)
