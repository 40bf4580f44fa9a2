"""Issue 24: restore only what is a backup of this box office, gate packs checked row by
row, and the commands that skipped the permission table."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from core.store import journal
from core.store.schema import open_database
from tests.support import postgres
from tests.support.constants import FIXED_NOW
from tests.support.hardening import checksum, run_cli

ADA = ("--user", "ada", "--pin", "4444")
CORA = ("--user", "cora", "--pin", "3333")
SAM = ("--user", "sam", "--pin", "1111")
GIA = ("--user", "gia", "--pin", "2222")


@pytest.fixture
def config(demo_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\n{postgres.database_key()} = "{demo_path}"\n')
    return path


def _pack(config: Path, tmp_path: Path) -> Path:
    pack = tmp_path / "north.pack"
    made = run_cli(config, "gate-pack", "export", "--performance", "3", "-o", str(pack), *CORA)
    assert made.code == 0, made.output
    return pack


def test_restore_refuses_a_gate_pack_and_says_what_it_is(config: Path, demo_path: Path,
                                                         tmp_path: Path) -> None:
    pack = _pack(config, tmp_path)
    before = checksum(demo_path)
    run_cli(config, "restore", str(pack), "--yes", *ADA).refused("gate_pack", "a gate pack",
                                                                  "performance 3")
    assert checksum(demo_path) == before
    assert journal.verify(open_database(demo_path)).ok


def test_restore_refuses_another_databases_backup(config: Path, demo_path: Path,
                                                  tmp_path: Path) -> None:
    from core.people.accounts import create_first_admin

    stranger = tmp_path / "stranger.db"
    create_first_admin(open_database(stranger), "ada", "Ada", "4444")
    before = checksum(demo_path)
    run_cli(config, "restore", str(stranger), "--yes", *ADA).refused("foreign_database")
    assert checksum(demo_path) == before


def test_restore_refuses_a_copy_whose_history_diverged(config: Path, demo_path: Path,
                                                       tmp_path: Path) -> None:
    twin = tmp_path / "twin.db"
    shutil.copyfile(demo_path, twin)
    journal.append(open_database(twin), actor="x", action="note", subject="twin")
    journal.append(open_database(demo_path), actor="x", action="note", subject="real")
    before = checksum(demo_path)
    run_cli(config, "restore", str(twin), "--yes", *ADA).refused("journal_diverged")
    assert checksum(demo_path) == before


def test_backup_restore_and_training_reset_need_a_sign_in_and_are_journaled(
        config: Path, demo_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    run_cli(config, "backup", str(copy), *SAM).refused("permission_denied")
    run_cli(config, "backup", str(copy), "--user", "ada", "--pin", "0000").refused(
        "login_failed")
    assert not copy.exists()
    assert run_cli(config, "backup", str(copy), *CORA).code == 0
    run_cli(config, "restore", str(copy), "--yes", *CORA).refused("permission_denied")
    run_cli(config, "training", "reset", "--yes", *CORA).refused("permission_denied")
    assert run_cli(config, "restore", str(copy), "--yes", *ADA).code == 0
    assert run_cli(config, "training", "reset", "--yes", *ADA).code == 0
    kept = sqlite3.connect(copy).execute(      # the copy was taken before its own row
        "SELECT actor FROM journal WHERE action = 'database.backup'").fetchall()
    assert ("cora",) not in kept
    actions = dict(sqlite3.connect(demo_path).execute(
        "SELECT action, actor FROM journal WHERE action IN ('database.restore', "
        "'training.reset')").fetchall())
    assert actions == {"database.restore": "ada", "training.reset": "ada"}


def test_a_hand_edited_gate_pack_is_refused_naming_the_row(config: Path, demo_path: Path,
                                                           tmp_path: Path) -> None:
    pack = _pack(config, tmp_path)
    conn = sqlite3.connect(pack)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("INSERT INTO scans (nonce, ticket_id, generation, performance_id, gate, "
                 "direction, verdict, scanned_at) VALUES ('n-1', NULL, NULL, 3, 'North', "
                 "'entry', 'INVALID', ?)", [FIXED_NOW.isoformat()])
    conn.execute("INSERT INTO scans (nonce, ticket_id, generation, performance_id, gate, "
                 "direction, verdict, scanned_at) VALUES ('n-2', 1, 1, 1, 'North', 'entry', "
                 "'WELCOME', 'yesterday-ish')")
    conn.commit()
    conn.close()
    before = checksum(demo_path)
    run_cli(config, "gate-pack", "merge", str(pack), *GIA).refused("bad_pack", "row 2",
                                                                  "n-2", "performance 1")
    assert checksum(demo_path) == before


def test_codes_need_sell_and_the_gate_role_has_none(config: Path, demo_path: Path,
                                                    tmp_path: Path) -> None:
    sold = run_cli(config, "sell", *SAM, "--performance", "1", "--seats", "ORCH-C-101",
                   "--tender", "cash:200", "--no-print", "--json")
    number = json.loads(sold.output)["number"]
    shown = run_cli(config, "order", "show", number, "--json")
    assert shown.code == 0 and json.loads(shown.output)["tickets"][0]["code"] is None
    run_cli(config, "order", "show", number, "--json", *GIA).refused("permission_denied")
    with_codes = run_cli(config, "order", "show", number, "--json", *SAM)
    assert json.loads(with_codes.output)["tickets"][0]["code"]
    before = checksum(demo_path)
    run_cli(config, "order", "print", number, *GIA, "--printer",
            f"preview:{tmp_path / 'p'}").refused("permission_denied")
    assert checksum(demo_path) == before and not (tmp_path / "p").exists()


def test_printing_a_will_call_order_records_the_pickup(config: Path, demo_path: Path,
                                                       tmp_path: Path) -> None:
    sold = run_cli(config, "sell", *SAM, "--performance", "1", "--seats", "ORCH-C-102",
                   "--tender", "cash:200", "--will-call", "--json")
    number = json.loads(sold.output)["number"]
    printed = run_cli(config, "order", "print", number, *SAM, "--printer",
                      f"preview:{tmp_path / 'p'}")
    assert printed.code == 0, printed.output
    conn = sqlite3.connect(demo_path)
    assert conn.execute("SELECT picked_up_at FROM orders WHERE number = ?",
                        [number]).fetchone()[0] is not None
    assert conn.execute("SELECT count(*) FROM journal WHERE action = 'order.picked_up'"
                        ).fetchone()[0] == 1


def test_another_users_shift_needs_the_permission(config: Path, demo_path: Path) -> None:
    cora_shift = sqlite3.connect(demo_path).execute(
        "SELECT s.id FROM shifts s JOIN users u ON u.id = s.user_id WHERE u.username = "
        "'cora'").fetchone()[0]
    run_cli(config, "shift", "x", "--shift", str(cora_shift), *SAM).refused(
        "permission_denied")
    run_cli(config, "shift", "x", "--shift", str(cora_shift), *GIA).refused(
        "permission_denied")
    assert run_cli(config, "shift", "x", "--shift", str(cora_shift), *ADA).code == 0
    assert run_cli(config, "shift", "x", *CORA).code == 0
