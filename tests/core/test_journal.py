"""The journal: append-only, hash-chained; `boxoffice journal verify` names a broken row."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.store import journal
from core.store.db import Database, integrity_errors
from core.store.schema import open_database
from tests.support.postgres import drop_trigger
from tui.cli import main


def _fill(db: Database, rows: int = 5) -> None:
    for number in range(rows):
        journal.append(db, actor="sam", action="test.event", subject=f"thing:{number}",
                       data={"amount_cents": 1000 + number})


def test_an_untouched_chain_verifies(db: Database) -> None:
    _fill(db)
    result = journal.verify(db)
    assert result.ok and result.rows == 5


def test_each_row_links_to_the_one_before(db: Database) -> None:
    _fill(db, 3)
    rows = db.execute("SELECT prev_hash, hash FROM journal ORDER BY id").fetchall()
    assert rows[0][0] == journal.GENESIS
    assert rows[1][0] == rows[0][1] and rows[2][0] == rows[1][1]


@pytest.mark.parametrize("statement", ["UPDATE journal SET actor = 'mallory' WHERE id = 2",
                                       "DELETE FROM journal WHERE id = 2"])
def test_triggers_reject_update_and_delete(db: Database, statement: str) -> None:
    _fill(db)
    with pytest.raises(integrity_errors(), match="append-only"):
        db.execute(statement)


def test_a_row_edited_behind_the_triggers_back_is_named(db: Database) -> None:
    _fill(db)
    drop_trigger(db, "journal_no_update", "journal")
    db.execute("""UPDATE journal SET data = '{"amount_cents":1}' WHERE id = 3""")
    result = journal.verify(db)
    assert not result.ok
    assert result.first_broken == 3
    assert "hash" in result.reason


def test_a_row_rehashed_by_the_forger_breaks_the_next_link(db: Database) -> None:
    _fill(db)
    drop_trigger(db, "journal_no_update", "journal")
    row = db.execute("SELECT id, at, actor, action, subject, prev_hash FROM journal "
                     "WHERE id = 2").fetchone()
    forged = journal._digest(row[5], row[0], row[1], row[2], row[3], row[4], "{}")
    db.execute("UPDATE journal SET data = '{}', hash = ? WHERE id = 2", [forged])
    result = journal.verify(db)
    assert result.first_broken == 3
    assert "link" in result.reason


def test_deleted_rows_are_found_in_the_middle_and_at_the_end(db: Database) -> None:
    _fill(db)
    drop_trigger(db, "journal_no_delete", "journal")
    db.execute("DELETE FROM journal WHERE id = 5")
    assert journal.verify(db).first_broken == 5
    db.execute("DELETE FROM journal WHERE id = 2")
    assert journal.verify(db).first_broken == 2


def test_appends_inside_a_rolled_back_transaction_leave_no_trace(db: Database) -> None:
    from core.store.db import write

    _fill(db, 2)
    with pytest.raises(RuntimeError), write(db):
        journal.append(db, actor="sam", action="x", subject="y")
        raise RuntimeError
    _fill(db, 1)
    assert journal.verify(db).ok


def _entries(db: Database) -> list[tuple[int, str]]:
    return [(int(r[0]), str(r[1])) for r in
            db.execute("SELECT id, subject FROM journal ORDER BY id").fetchall()]


def test_a_write_sends_its_rows_at_once_and_a_savepoint_undone_drops_only_its_own(
        db: Database) -> None:
    """A write's rows go as one insert before its next read, savepoint or COMMIT
    (Database.defer): a read inside the write sees them, and a nested write that fails
    takes back only the rows it appended."""
    from core.store.db import write

    with write(db):
        journal.append(db, actor="sam", action="x", subject="a")
        journal.append(db, actor="sam", action="x", subject="b")
        assert _entries(db) == [(1, "a"), (2, "b")]      # read inside the write
        journal.append(db, actor="sam", action="x", subject="c")
        with pytest.raises(RuntimeError), write(db):     # a savepoint, undone
            journal.append(db, actor="sam", action="x", subject="lost")
            raise RuntimeError
        with write(db):                                  # one that holds
            journal.append(db, actor="sam", action="x", subject="d")
        journal.append(db, actor="sam", action="x", subject="e")
    assert _entries(db) == [(1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, "e")]
    assert journal.verify(db).ok
    assert db.execute("SELECT last_id FROM journal_head").fetchone()[0] == 5


def test_a_sale_writes_its_journal_rows_in_one_insert(demo_db: Database) -> None:
    """Its money row and its order row: one insert, and the head moved once."""
    from core.sales import checkout
    from core.sales.tenders import Tender
    from tests.support.constants import FIXED_NOW
    from tests.support.selling_helpers import STATION, cart_with, hall_performance, user

    sam = user(demo_db, "sam")
    cart_id = cart_with(demo_db, sam, hall_performance(demo_db), ["ORCH-B-101"], FIXED_NOW)
    sent: list[str] = []
    later = demo_db.execute_later

    def recording(sql: str, params: Sequence[object] = ()) -> None:
        sent.append(sql)
        later(sql, params)

    demo_db.execute_later = recording  # type: ignore[method-assign]
    try:
        order = checkout.checkout(demo_db, sam, cart_id, [Tender("cash", 13824)],
                                  station=STATION, now=FIXED_NOW)
    finally:
        del demo_db.execute_later
    assert [s for s in sent if s.startswith("INSERT INTO journal")] == [
        "INSERT INTO journal (id, at, actor, action, subject, data, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?)"]
    assert sum(s.startswith("UPDATE journal_head") for s in sent) == 1
    assert [action for (action,) in demo_db.execute(
        "SELECT action FROM journal WHERE subject = ? ORDER BY id",
        [f"order:{order.id}"])] == ["money", "order.create"]
    assert journal.verify(demo_db).ok


def test_cli_verify_exit_codes_and_message(tmp_path: Path) -> None:
    path = tmp_path / "box.db"
    db = open_database(path)
    _fill(db)
    runner = CliRunner()
    good = runner.invoke(main, ["journal", "verify", "--db", str(path)])
    assert good.exit_code == 0, good.output
    assert "5 rows" in good.output
    drop_trigger(db, "journal_no_update", "journal")
    db.execute("UPDATE journal SET actor = 'mallory' WHERE id = 4")
    bad = runner.invoke(main, ["journal", "verify", "--db", str(path)])
    assert bad.exit_code == 1
    assert "row 4" in bad.output


def test_cli_verify_on_a_missing_database_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["journal", "verify", "--db", str(tmp_path / "no.db")])
    assert result.exit_code == 2
    assert "no database" in result.output
    assert not (tmp_path / "no.db").exists()
