"""`boxoffice db copy`: a SQLite box office moved into an empty PostgreSQL database
(core/store/copy.py), verified before it commits, refused when the target holds anything.

Needs a PostgreSQL server: `tools/with_postgres.sh .venv/bin/python -m pytest -q
tests/core/test_db_copy.py` starts a throwaway one. Without it these tests fail."""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
import time_machine
from click.testing import CliRunner

from core.admin.demo import build_demo
from core.errors import BoxOfficeError
from core.gate import codes, keys
from core.sales import aftersale, carts, checkout, customer_merge, customers, orders
from core.sales.tenders import Tender
from core.store import copy, journal
from core.store.db import Database, integrity_errors, write
from core.store.schema import database_id, open_database
from core.till import shifts
from tests.support import postgres
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.selling_helpers import (
    FLOAT,
    STATION,
    cart_with,
    hall_performance,
    open_shifts,
    user,
)

pytestmark = pytest.mark.postgresql

NOW = FIXED_NOW
ADA = ("--user", "ada", "--pin", "4444")
_names = itertools.count()


def _sell(db: Database, who: str, labels: list[str], tender: str = "cash") -> int:
    seller = user(db, who)
    cart_id = cart_with(db, seller, hall_performance(db), labels, NOW)
    total = carts.view_cart(db, cart_id).total_cents
    pay = (Tender("cash", total, tendered_cents=total) if tender == "cash" else
           Tender("card", total, card_brand="VISA", card_last4="4242", approval_code="A1"))
    return checkout.checkout(db, seller, cart_id, [pay], station=STATION if who == "sam"
                             else f"{STATION}-{who}", now=NOW).id


def _build(path: Path, key_dir: Path) -> None:
    """The demo with money in it: three orders, a refund, a customer merged into a newer
    one (a row pointing forward in its own table), sam's shift counted and closed (Z 1),
    cora's and ada's still open, and a ticket signing key."""
    with time_machine.travel(NOW, tick=False):
        db = open_database(path)
        build_demo(db, now=NOW, zone=ZONE)
        open_shifts(db, NOW - timedelta(hours=8))
        keys.ensure_signing_key(db, key_dir / database_id(db))
        sam, cora = user(db, "sam"), user(db, "cora")
        first = _sell(db, "sam", ["ORCH-A-101", "ORCH-A-102"])
        _sell(db, "sam", ["ORCH-B-101"], tender="card")
        _sell(db, "cora", ["ORCH-C-101"])
        aftersale.refund(db, cora, first, reason="patron ill", station=f"{STATION}-cora",
                         now=NOW)
        older = customers.create_customer(db, sam, "Ann Older", phone="555-0101", now=NOW)
        newer = customers.create_customer(db, sam, "Ann Newer", phone="555-0102", now=NOW)
        customer_merge.merge_customers(db, cora, newer.id, older.id, now=NOW)
        shift_id = shifts.current_shift(db, sam.id, STATION)
        assert shift_id is not None
        report = shifts.x_report(db, shift_id.id, NOW, viewer=cora)
        cash = report.figures.expected_cash_cents
        shifts.submit_count(db, sam, shift_id.id, cash_counts=_counts(cash), checks_cents=0,
                            card_slips_cents=report.figures.expected_card_cents, now=NOW)
        shifts.close_shift(db, sam, shift_id.id, now=NOW)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()


def _counts(cents: int) -> dict[int, int]:
    result = {}
    for note in (10000, 5000, 2000, 1000, 500, 100, 25, 10, 5, 1):
        result[note], cents = divmod(cents, note)
    return {note: n for note, n in result.items() if n}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("copy")
    _build(folder / "template.db", folder / "keys")
    return folder / "template.db", folder / "keys"


@pytest.fixture
def source(template: tuple[Path, Path], tmp_path: Path) -> Iterator[Database]:
    """A private copy of the demo with money in it, on SQLite."""
    path = tmp_path / "boxoffice.db"
    shutil.copyfile(template[0], path)
    db = open_database(path)
    yield db
    db.close()


@pytest.fixture
def target() -> Iterator[str]:
    """A new, empty PostgreSQL database (its URL), dropped afterwards."""
    name = f"bo_copy_{postgres.worker()}_{os.getpid()}_{next(_names)}"
    url = postgres.create_database(name)
    yield url
    postgres.drop_database(name)


def _fingerprint(url: str) -> dict[str, str]:
    """Every table's rows, digested: what "unchanged" means for a refused copy."""
    with psycopg.connect(url) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        return {table: str(conn.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
            f'FROM "{table}" t').fetchone()) for table in tables}


def _counts_by_table(db: Database) -> dict[str, int]:
    return {table: int(db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
            for table in db.table_names() if table not in copy.SQLITE_ONLY
            and table not in copy.POSTGRESQL_ONLY}


def test_the_demo_with_its_money_copies_verified_and_sells_on(
        source: Database, target: str, template: tuple[Path, Path]) -> None:
    key_dir = template[1] / database_id(source)
    ticket_id = int(source.execute("SELECT min(id) FROM tickets WHERE status = "
                                   "'live'").fetchone()[0])
    order_id = int(source.execute("SELECT order_id FROM tickets WHERE id = ?",
                                  [ticket_id]).fetchone()[0])
    ticket = next(t for t in orders.get_order(source, order_id).tickets if t.id == ticket_id)
    code = orders.ticket_code(keys.load_signer(source, key_dir), ticket)
    before = _counts_by_table(source)
    assert before["z_reports"] == 1 and before["payments"] >= 4 and before["shifts"] == 3

    result = copy.copy_database(source, target, actor="ada", now=NOW)

    db = open_database(target)
    try:
        after = _counts_by_table(db)
        assert result.tables == before
        assert {t: n for t, n in after.items() if t != "journal"} == {
            t: n for t, n in before.items() if t != "journal"}
        assert after["journal"] == before["journal"] + 1       # the copy's own row
        assert (result.head_id, result.head_hash) == journal.head(source)
        assert result.copy_row == result.head_id + 1
        assert journal.verify_pinned(db).ok
        assert database_id(db) == database_id(source)
        copied = db.execute("SELECT actor, data FROM journal WHERE id = ?",
                            [result.copy_row]).fetchone()
        assert copied[0] == "ada" and json.loads(copied[1])["journal_head_hash"] == \
            result.head_hash
        # the Z report, the closed shift and the merge came over as they were
        assert db.execute("SELECT z_number, shift_id FROM z_reports").fetchall() == \
            source.execute("SELECT z_number, shift_id FROM z_reports").fetchall()
        assert db.execute("SELECT id, merged_into FROM customers ORDER BY id").fetchall() \
            == source.execute("SELECT id, merged_into FROM customers ORDER BY id").fetchall()
        # the same key signs the same code, and the target's keys check it
        ticket_there = next(t for t in orders.get_order(db, order_id).tickets
                            if t.id == ticket_id)
        assert orders.ticket_code(keys.load_signer(db, key_dir), ticket_there) == code
        checked = codes.verify_token(code, keys.public_keys(db), keys.revoked_set(db))
        assert checked.ok and checked.record is not None
        assert checked.record.ticket_id == ticket_id

        # the box office works on the target: a new shift, a sale, a close as Z 2
        sam = user(db, "sam")
        shift = shifts.open_shift(db, sam, station=STATION, float_counts=FLOAT, now=NOW)
        assert shift.id > max(r for (r,) in source.execute("SELECT id FROM shifts"))
        new_order = _sell(db, "sam", ["ORCH-D-101"])
        assert new_order > int(source.execute("SELECT max(id) FROM orders").fetchone()[0])
        figures = shifts.x_report(db, shift.id, NOW, viewer=user(db, "cora")).figures
        shifts.submit_count(db, sam, shift.id, cash_counts=_counts(
            figures.expected_cash_cents), checks_cents=0, card_slips_cents=0, now=NOW)
        assert shifts.close_shift(db, sam, shift.id, now=NOW).z_number == 2
        assert journal.verify_pinned(db).ok
        # the triggers are back: no payment into a closed shift
        with pytest.raises(integrity_errors(), match="open shift"):
            db.execute("INSERT INTO payments (order_id, tender, amount_cents, status, "
                       "user_id, station, created_at, shift_id) VALUES (?, 'cash', 100, "
                       "'approved', ?, 'x', 'now', ?)", [new_order, sam.id, shift.id])
    finally:
        db.close()


def test_a_target_that_holds_anything_is_refused_and_left_as_it_was(
        source: Database, target: str) -> None:
    copy.copy_database(source, target, actor="ada", now=NOW)
    before = _fingerprint(target)
    with pytest.raises(BoxOfficeError) as again:
        copy.copy_database(source, target, actor="ada", now=NOW)
    assert again.value.code == "target_not_empty"
    assert "is not empty: seats (38,516 rows), journal (" in again.value.message
    assert "nothing was changed" in again.value.message
    assert _fingerprint(target) == before


def test_an_empty_box_office_with_a_changed_grant_is_not_empty(
        source: Database, target: str) -> None:
    open_database(target).close()
    with psycopg.connect(target, autocommit=True) as conn:     # a grant taken away
        conn.execute("DELETE FROM role_permissions WHERE role = 'seller' AND "
                     "permission = 'sell'")
    before = _fingerprint(target)
    with pytest.raises(BoxOfficeError) as caught:
        copy.copy_database(source, target, actor="ada", now=NOW)
    assert caught.value.code == "target_not_empty"
    assert "role_permissions" in caught.value.message
    assert _fingerprint(target) == before


def test_another_applications_database_is_refused_untouched(
        source: Database, target: str) -> None:
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices (id integer)")
    with pytest.raises(BoxOfficeError) as caught:
        copy.copy_database(source, target, actor="ada", now=NOW)
    assert caught.value.code == "target_not_empty" and "invoices" in caught.value.message
    assert list(_fingerprint(target)) == ["invoices"]     # no box office tables made


def _failing(table: str, fault: Callable[[Database], None]) -> Callable[..., int]:
    real = copy.copy_table

    def copy_table(source: Database, target: Database, plan: copy.TablePlan) -> int:
        copied = real(source, target, plan)
        if plan.name == table:
            fault(target)
        return copied
    return copy_table


def _raise(_: Database) -> None:
    raise psycopg.OperationalError("the server closed the connection")


@pytest.mark.parametrize(("table", "fault", "code", "words"), [
    ("seats", _raise, "copy_failed", "copying table seats failed"),
    ("journal", lambda db: db.execute("DELETE FROM journal WHERE id = 3"), "copy_unverified",
     "table journal: "),
    ("journal", lambda db: db.execute("UPDATE journal SET actor = 'mallory' WHERE id = 5"),
     "copy_unverified", "does not verify at row 5"),
    ("z_reports", lambda db: db.execute("UPDATE z_reports SET journal_hash = 'x'"),
     "copy_unverified", "Z report 1"),
])
def test_a_failure_midway_leaves_the_target_empty(
        source: Database, target: str, monkeypatch: pytest.MonkeyPatch, table: str,
        fault: Callable[[Database], None], code: str, words: str) -> None:
    open_database(target).close()
    empty = _fingerprint(target)
    with monkeypatch.context() as patched:
        patched.setattr(copy, "copy_table", _failing(table, fault))
        with pytest.raises(BoxOfficeError) as caught:
            copy.copy_database(source, target, actor="ada", now=NOW)
    assert caught.value.code == code and words in caught.value.message
    assert _fingerprint(target) == empty
    # and then a copy goes through (the triggers were not left disabled either)
    assert copy.copy_database(source, target, actor="ada", now=NOW).rows > 38_000
    db = open_database(target)
    try:
        assert not db.execute("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND "
                              "tgenabled = 'D'").fetchone()[0]
    finally:
        db.close()


def test_a_postgresql_source_a_file_target_or_a_training_copy_is_refused(
        source: Database, target: str) -> None:
    with pytest.raises(BoxOfficeError) as file_target:
        copy.copy_database(source, "elsewhere.db", actor="ada", now=NOW)
    assert file_target.value.code == "not_postgresql"
    with write(source):
        source.execute("INSERT INTO settings (key, value) VALUES ('training', '1')")
    with pytest.raises(BoxOfficeError) as training:
        copy.copy_database(source, target, actor="ada", now=NOW)
    assert training.value.code == "training"
    assert not _fingerprint(target)     # not even migrated
    db = open_database(target)
    try:
        with pytest.raises(BoxOfficeError) as pg_source:
            copy.copy_database(db, target, actor="ada", now=NOW)
        assert pg_source.value.code == "not_sqlite"
    finally:
        db.close()


def _cli(config: Path, *args: str, password: str | None = None) -> tuple[int, str]:
    from tui.cli import main

    env = {"PGPASSWORD": password} if password else None
    result = CliRunner().invoke(main, ["--config", str(config), *args], env=env)
    return result.exit_code, result.output


def _codes(config: Path, number: str, password: str | None = None) -> list[str]:
    code, output = _cli(config, "order", "show", number, "--user", "sam", "--pin", "1111",
                        "--json", password=password)
    assert code == 0, output
    return [t["code"] for t in json.loads(output)["tickets"] if t["code"]]


def test_the_command_signs_in_copies_and_never_shows_the_password(
        source: Database, target: str, template: tuple[Path, Path], tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{source.location}"\n')
    shutil.copytree(template[1], tmp_path / "boxoffice-keys")   # the keys beside the file
    number = str(source.execute("SELECT o.number FROM orders o JOIN tickets t ON "
                                "t.order_id = o.id WHERE t.status = 'live' ORDER BY o.id "
                                "LIMIT 1").fetchone()[0])
    codes_before = _codes(config, number)
    assert codes_before
    name = postgres.name_of(target)
    with psycopg.connect(postgres.server_url(), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = "
                             "'bo_copier'").fetchone():
            admin.execute("CREATE ROLE bo_copier LOGIN PASSWORD 'hunter2-secret'")
        admin.execute(f'ALTER DATABASE "{name}" OWNER TO bo_copier')   # not a superuser
    url = target.replace("postgres@", "bo_copier:hunter2-secret@", 1)
    before = _fingerprint(target)

    code, output = _cli(config, "db", "copy", "--to", url, "--user", "ada", "--pin", "0000")
    assert code == 1 and "login_failed" in output
    code, output = _cli(config, "db", "copy", "--to", url, "--user", "sam", "--pin", "1111")
    assert code == 1 and "permission_denied" in output
    assert _fingerprint(target) == before

    code, output = _cli(config, "db", "copy", "--to", url, *ADA)
    assert code == 0, output
    assert "hunter2-secret" not in output and "bo_copier:***@" in output
    assert "every count equals the source's" in output
    head_id, head_hash = journal.head(source)
    assert f"head #{head_id} {head_hash}" in output
    assert "[database] url" in output
    assert "38,516" in output      # the seats
    keys_now = tmp_path / "boxoffice-keys" / database_id(source)
    keys_then = tmp_path / f"{name}-keys" / database_id(source)
    assert f"copy {keys_now} to {keys_then}" in output

    code, output = _cli(config, "db", "copy", "--to", url, *ADA, "--json")
    assert code == 1 and "hunter2-secret" not in output
    assert json.loads(output)["error"] == "target_not_empty"

    # as the output says: the keys moved, [database] url at the target (no password in it)
    shutil.copytree(keys_now, keys_then)
    config.write_text(f'[database]\nurl = "{target.replace("postgres@", "bo_copier@")}"\n')
    verified = _cli(config, "journal", "verify", password="hunter2-secret")
    assert verified[0] == 0 and "journal OK" in verified[1]
    assert _codes(config, number, password="hunter2-secret") == codes_before
