"""The PostgreSQL side of the store (core/store/postgresql.py): placeholders, the write
lock, values that must come back as SQLite gives them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, datetime

import pytest

from core.errors import DatabaseBusy
from core.store.db import Database, connect, write
from core.store.postgresql import PostgresDatabase, to_pyformat
from core.store.schema import open_database
from tests.support import postgres
from tests.support.constants import FIXED_NOW


def test_placeholders_become_pyformat_and_percent_signs_are_doubled() -> None:
    assert to_pyformat("SELECT a FROM t WHERE b = ? AND c LIKE 'x%'") == \
        "SELECT a FROM t WHERE b = %s AND c LIKE 'x%%'"
    # a ? inside a literal, an identifier or a comment is not a placeholder
    assert to_pyformat("SELECT '?', \"a?\" -- why?\n, ?") == "SELECT '?', \"a?\" -- why?\n, %s"
    assert to_pyformat("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', %s"


@pytest.fixture
def pg(db: Database) -> Database:
    if db.engine != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of make test (BOXOFFICE_TEST_DATABASE)")
    return db


pytestmark = pytest.mark.postgresql


def test_sums_of_cents_are_ints_and_averages_floats(pg: Database) -> None:
    with write(pg):
        pg.executemany("INSERT INTO settings (key, value) VALUES (?, ?)",
                       [("n1", "150"), ("n2", "250")])
    total, mean = pg.execute("SELECT sum(CAST(value AS BIGINT)), avg(CAST(value AS BIGINT) "
                             "+ 1) FROM settings WHERE key IN ('n1', 'n2')").fetchone()
    assert (total, type(total)) == (400, int)
    assert (mean, type(mean)) == (201, int)
    odd = pg.execute("SELECT avg(x) FROM (VALUES (1), (2)) AS v(x)").fetchone()[0]
    assert odd == 1.5


def test_bools_are_stored_as_integers_and_dates_as_iso_text(pg: Database) -> None:
    row = pg.execute("SELECT ? + 0, ?, ?", [True, date(2000, 1, 2),
                                            FIXED_NOW.replace(tzinfo=None)]).fetchone()
    assert row[0] == 1
    assert row[1] == "2000-01-02"
    assert row[2] == FIXED_NOW.replace(tzinfo=None).isoformat(" ")
    assert isinstance(row[2], str) and not isinstance(row[2], datetime)


def test_write_takes_the_advisory_lock_and_a_second_writer_gets_busy(pg: Database) -> None:
    other = connect(pg.location, lock_wait_ms=100)
    try:
        with write(pg):
            locks = pg.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                               "AND pid = pg_backend_pid()").fetchone()[0]
            assert locks == 1
            with pytest.raises(DatabaseBusy, match="busy"), write(other):
                pass
        assert not other.in_transaction
        with write(other):       # released at commit
            other.execute("INSERT INTO settings (key, value) VALUES ('after', '1')")
    finally:
        other.close()


def _bump_from_four_connections(pg: Database, times: int) -> int:
    """Four threads, each with its own connection, read-modify-write one counter
    `times` times each; returns the counter."""
    with write(pg):
        pg.execute("INSERT INTO settings (key, value) VALUES ('n', '0')")

    def bump() -> None:
        mine = connect(pg.location)
        try:
            for _ in range(times):
                with write(mine):
                    value = int(mine.execute("SELECT value FROM settings WHERE key = 'n'"
                                             ).fetchone()[0])
                    mine.execute("UPDATE settings SET value = ? WHERE key = 'n'",
                                 [str(value + 1)])
        finally:
            mine.close()

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return int(pg.execute("SELECT value FROM settings WHERE key = 'n'").fetchone()[0])


def test_writers_queue_on_the_lock_and_lose_no_update(pg: Database) -> None:
    """Read-modify-write from four connections: the lock taken first makes them queue."""
    assert _bump_from_four_connections(pg, 50) == 200


def test_without_the_lock_the_same_writers_lose_updates(pg: Database,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """The harness above catches the race: READ COMMITTED alone, with the write lock
    turned off, loses updates."""
    def begin_without_the_lock(self: PostgresDatabase) -> None:
        self.conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")

    monkeypatch.setattr(PostgresDatabase, "begin_write", begin_without_the_lock)
    assert _bump_from_four_connections(pg, 50) < 200


@pytest.fixture
def fresh_url() -> Iterator[str]:
    if not postgres.on_postgresql():
        pytest.skip("runs in the PostgreSQL pass of make test (BOXOFFICE_TEST_DATABASE)")
    name = f"bo_{postgres.worker()}_fresh"
    url = postgres.create_database(name)
    yield url
    postgres.drop_database(name)


def test_two_processes_opening_a_new_database_build_it_once(fresh_url: str) -> None:
    opened: list[Database] = []
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            opened.append(open_database(fresh_url))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    names = opened[0].execute("SELECT name FROM schema_migrations").fetchall()
    assert len(names) == len({row[0] for row in names})
    for database in opened:
        database.close()
