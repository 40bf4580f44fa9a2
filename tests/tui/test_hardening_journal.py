"""Issue 24: a journal emptied, cut, or rewritten with its hashes recomputed is caught by
`journal verify` through the heads pinned outside it; `journal anchor` prints the head
to keep off the machine."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from core.store import journal
from core.store.db import Database
from tests.support import postgres
from tests.support.constants import FIXED_NOW
from tests.support.hardening import run_cli

pytestmark = pytest.mark.sqlite_only   # tampers with the SQLite file behind the triggers

SAM = ("--user", "sam", "--pin", "1111")


@pytest.fixture
def config(demo_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\n{postgres.database_key()} = "{demo_path}"\n')
    return path


def _sell(config: Path) -> None:
    sold = run_cli(config, "sell", *SAM, "--performance", "1", "--best", "2",
                   "--tender", "cash:400", "--no-print")
    assert sold.code == 0, sold.output


def _untriggered(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER journal_no_update")
    conn.execute("DROP TRIGGER journal_no_delete")
    return conn


def _rechain(conn: sqlite3.Connection) -> None:
    """Recompute every hash, as a careful forger would."""
    prev = journal.GENESIS
    for row in conn.execute("SELECT id, at, actor, action, subject, data FROM journal "
                            "ORDER BY id").fetchall():
        digest = journal._digest(prev, *row)
        conn.execute("UPDATE journal SET prev_hash = ?, hash = ? WHERE id = ?",
                     [prev, digest, row[0]])
        prev = digest


def test_an_emptied_journal_with_orders_is_broken(config: Path, demo_path: Path) -> None:
    _sell(config)
    assert run_cli(config, "journal", "verify").code == 0
    conn = _untriggered(demo_path)
    conn.execute("DELETE FROM journal")
    conn.execute("DELETE FROM sqlite_sequence WHERE name = 'journal'")
    conn.execute("DROP TRIGGER journal_head_grows")
    conn.execute("UPDATE journal_head SET last_id = 0")
    conn.close()
    run_cli(config, "journal", "verify").refused("BROKEN", "order.create")


def test_rewrites_with_recomputed_hashes_before_a_backup_are_broken(
        config: Path, demo_path: Path, tmp_path: Path) -> None:
    _sell(config)
    made = run_cli(config, "backup", str(tmp_path / "b.db"), "--user", "cora", "--pin", "3333")
    assert made.code == 0, made.output
    conn = _untriggered(demo_path)
    for row_id in (2, 3, 4):
        conn.execute("UPDATE journal SET actor = 'nobody' WHERE id = ?", [row_id])
    _rechain(conn)
    conn.close()
    run_cli(config, "journal", "verify").refused("BROKEN", "database.backup pinned")
    report = run_cli(config, "report", "audit", "--user", "cora", "--pin", "3333")
    assert "BROKEN" in report.output


def test_a_z_report_pin_catches_a_journal_cut_short(demo_db: Database, config: Path,
                                                    demo_path: Path) -> None:
    head_id, head_hash = journal.head(demo_db)
    shift_id = demo_db.execute("SELECT id FROM shifts LIMIT 1").fetchone()[0]
    conn = sqlite3.connect(demo_path, isolation_level=None)
    conn.execute("DROP TRIGGER z_reports_gapless")
    conn.execute("INSERT INTO z_reports (z_number, shift_id, closed_at, closed_by, figures, "
                 "journal_hash) VALUES (1, ?, ?, 1, '{}', ?)",
                 [shift_id, FIXED_NOW.isoformat(), head_hash])
    conn.close()
    assert run_cli(config, "journal", "verify").code == 0
    conn = _untriggered(demo_path)
    conn.execute("DELETE FROM journal WHERE id >= ?", [head_id])
    conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'journal'", [head_id - 1])
    conn.execute("DROP TRIGGER journal_head_grows")
    conn.execute("UPDATE journal_head SET last_id = ?", [head_id - 1])
    conn.close()
    run_cli(config, "journal", "verify").refused("BROKEN", "Z report 1 pinned")


def test_journal_anchor_prints_the_head_and_the_row_count(config: Path,
                                                          demo_db: Database) -> None:
    head_id, head_hash = journal.head(demo_db)
    rows = demo_db.execute("SELECT count(*) FROM journal").fetchone()[0]
    printed = run_cli(config, "journal", "anchor", "--json")
    assert printed.code == 0, printed.output
    anchor = json.loads(printed.output)
    assert (anchor["head_id"], anchor["head_hash"], anchor["rows"]) == (head_id, head_hash,
                                                                        rows)
    text = run_cli(config, "journal", "anchor")
    assert head_hash in text.output and f"row {head_id} of {rows}" in text.output


def test_journal_anchor_prints_on_the_receipt_printer(config: Path, demo_db: Database,
                                                      tmp_path: Path) -> None:
    head_id, head_hash = journal.head(demo_db)
    prints = tmp_path / "prints"
    printed = run_cli(config, "journal", "anchor", "--print", "--printer",
                      f"preview:{prints}")
    assert printed.code == 0, printed.output
    assert "printed on" in printed.output
    [job] = prints.glob("*journal-anchor.bin")
    paper = job.read_bytes()
    assert b"JOURNAL ANCHOR" in paper and str(head_id).encode() in paper
    for start in range(0, len(head_hash), 16):   # the hash, a quarter a line
        assert head_hash[start:start + 16].encode() in paper
