"""Backups through SQLite's backup API: verified copies, also while windows sell;
retention; restore with its checks and the replaced database kept aside."""

from __future__ import annotations

import dataclasses
import multiprocessing
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

import pytest

from core.config import BackupConfig, Config
from core.store import backup, journal
from core.store.schema import open_database
from tests.support.backup_workers import selling_worker
from tests.support.constants import FIXED_NOW
from tests.support.processes import next_result, wait_set
from tests.support.selling_helpers import hall_performance

pytestmark = pytest.mark.sqlite_only   # file backups and restores are SQLite's

NOW = FIXED_NOW


def _orders(path: Path) -> set[int]:
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT id FROM orders")}
    finally:
        conn.close()


def test_a_backup_is_verified_durable_and_journaled(demo_path: Path, tmp_path: Path) -> None:
    result = backup.backup(demo_path, tmp_path / "copy.db", actor="ada", now=NOW)
    assert result.path == tmp_path / "copy.db" and result.size_bytes > 0
    conn = sqlite3.connect(result.path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"   # one file
    conn.close()
    assert not list(tmp_path.glob(".copy.db*"))              # no temporary left behind
    assert (result.path.stat().st_mode & 0o077) == 0         # PIN hashes inside
    db = open_database(demo_path)
    row = db.execute("SELECT actor, data FROM journal ORDER BY id DESC LIMIT 1").fetchone()
    assert row[0] == "ada" and result.sha256 in row[1]
    assert journal.verify(db).ok
    with pytest.raises(backup.BackupError) as exists:
        backup.backup(db, tmp_path / "copy.db")
    assert exists.value.code == "backup_exists"
    into_dir = backup.backup(db, tmp_path, now=NOW)          # a directory: named for it
    assert into_dir.path.name == "demo-20261120T170000Z.db"
    db.close()
    with pytest.raises(backup.BackupError) as missing:
        backup.backup(tmp_path / "nope.db", tmp_path / "x.db")
    assert missing.value.code == "no_database"


def test_a_backup_while_windows_sell_holds_every_order_committed_before_it(
        demo_path: Path, tmp_path: Path) -> None:
    db = open_database(demo_path)
    show = hall_performance(db)
    db.close()
    ctx = multiprocessing.get_context("spawn")
    stop, results = ctx.Event(), ctx.Queue()
    started = [ctx.Event() for _ in range(2)]
    workers = [ctx.Process(target=selling_worker, args=(str(demo_path), name, show, 250,
                                                        started[i], stop, results))
               for i, name in enumerate(("sam", "cora"))]
    for worker in workers:
        worker.start()
    copies = []
    try:
        for event in started:
            assert wait_set(event, 60)
        deadline = time.monotonic() + 60
        while len(_orders(demo_path)) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        for index in range(5):
            before = _orders(demo_path)           # committed before this backup starts
            result = backup.backup(demo_path, tmp_path / f"during-{index}.db")
            copies.append((before, result))
            time.sleep(0.05)
    finally:
        stop.set()
        outcomes = [next_result(results, 60) for _ in workers]
        for worker in workers:
            worker.join(timeout=10)
    assert [o["errors"] for o in outcomes] == [[], []]
    sold = {order for outcome in outcomes for order in outcome["orders"]}
    last_before = copies[-1][0]
    assert sold - last_before, "the windows stopped selling before the last backup"
    for before, result in copies:
        copied = _orders(result.path)
        assert before <= copied                     # every order committed before it
        conn = sqlite3.connect(result.path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # each order in the copy is whole: two tickets and its payment
        assert conn.execute(
            "SELECT count(*) FROM orders o WHERE (SELECT count(*) FROM tickets t WHERE "
            "t.order_id = o.id) != 2 OR NOT EXISTS (SELECT 1 FROM payments p WHERE "
            "p.order_id = o.id)").fetchone()[0] == 0
        conn.close()
        assert journal.verify(open_database(result.path)).ok


def test_prune_keeps_the_newest_per_database(tmp_path: Path) -> None:
    names = [f"box-2026112{day}T120000Z-z_close.db" for day in range(1, 6)]
    for name in [*names, "other-20261101T120000Z.db", "notes.txt", "box.db"]:
        (tmp_path / name).write_text("x")
    removed = backup.prune(tmp_path, 2)
    assert [p.name for p in removed] == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*names[3:], "other-20261101T120000Z.db", "notes.txt", "box.db"])
    with pytest.raises(backup.BackupError):
        backup.prune(tmp_path, 0)


def test_auto_backup_goes_to_the_configured_directory_and_keeps_n(demo_path: Path,
                                                                  tmp_path: Path) -> None:
    config = dataclasses.replace(Config(), backup=BackupConfig(
        directory=str(tmp_path / "safe"), keep=2))
    made = [backup.auto_backup(config, demo_path, "z close", now=NOW + timedelta(hours=i))
            for i in range(3)]
    assert made[0].path.name == "demo-20261120T170000Z-z_close.db"
    assert sorted(p.name for p in (tmp_path / "safe").iterdir()) == [
        m.path.name for m in made[1:]]
    default = backup.auto_backup(Config(), demo_path, "z_close", now=NOW)
    assert default.path.parent == demo_path.parent / "demo-backups"


def test_restore_checks_asks_and_keeps_the_replaced_database(demo_path: Path,
                                                            tmp_path: Path) -> None:
    saved = backup.backup(demo_path, tmp_path / "saved.db", now=NOW).path
    db = open_database(demo_path)
    db.execute("DELETE FROM settings WHERE key = 'demo_users'")     # a change after it
    rows_after = journal.verify(db).rows
    db.close()
    with pytest.raises(backup.BackupError) as unasked:
        backup.restore(saved, demo_path)
    assert unasked.value.code == "confirm_required"
    result = backup.restore(saved, demo_path, confirm=True, now=NOW + timedelta(hours=1))
    assert result.replaced_copy is not None and result.replaced_copy.exists()
    restored = open_database(demo_path)
    assert restored.execute("SELECT 1 FROM settings WHERE key = 'demo_users'").fetchone()
    assert journal.verify(restored).ok
    assert restored.execute("SELECT action FROM journal ORDER BY id DESC").fetchone()[0] == \
        "database.restore"
    restored.close()
    kept = open_database(result.replaced_copy)
    assert kept.execute("SELECT 1 FROM settings WHERE key = 'demo_users'").fetchone() is None
    assert journal.verify(kept).rows == rows_after     # as it was (its backup row came after)
    kept.close()


def test_restore_refuses_what_is_not_a_sound_box_office_backup(demo_path: Path,
                                                              tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 1000)
    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.commit()
    broken = backup.backup(demo_path, tmp_path / "broken.db").path
    conn = sqlite3.connect(broken)
    conn.executescript("DROP TRIGGER journal_no_update; "
                       "UPDATE journal SET actor = 'mallory' WHERE id = 3;")
    conn.close()
    for path, code in ((tmp_path / "missing.db", "no_backup"), (junk, "not_a_database"),
                       (plain, "not_a_boxoffice_database"), (broken, "journal_broken")):
        with pytest.raises(backup.BackupError) as refused:
            backup.restore(path, demo_path, confirm=True)
        assert refused.value.code == code, path
    assert journal.verify(open_database(demo_path)).ok        # untouched


def test_backup_config_is_checked_and_relative_to_the_config_file(tmp_path: Path) -> None:
    from core.config import parse_config
    from core.errors import ConfigError

    with pytest.raises(ConfigError, match=r"\[backup\] keep"):
        parse_config({"backup": {"keep": 0}})
    with pytest.raises(ConfigError, match="unknown key 'days'"):
        parse_config({"backup": {"days": 3}})
    config = parse_config({"backup": {"directory": "safe"}}, source=tmp_path / "config.toml")
    assert config.backup.directory == str(tmp_path / "safe")
