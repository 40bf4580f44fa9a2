"""The PostgreSQL side of the store (core/store/postgresql.py): placeholders, the write
lock, values that must come back as SQLite gives them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from core.errors import BoxOfficeError, DatabaseBusy
from core.people.users import authenticate
from core.sales import carts, checkout
from core.sales.tenders import Tender
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


def test_text_with_a_nul_is_refused_clearly_and_nothing_is_written(pg: Database) -> None:
    with pytest.raises(BoxOfficeError, match="NUL") as refused, write(pg):
        pg.execute("INSERT INTO settings (key, value) VALUES ('ok', '1')")
        pg.execute("INSERT INTO settings (key, value) VALUES ('x', ?)", ["a\x00b"])
    assert refused.value.code == "bad_text"
    assert pg.execute("SELECT count(*) FROM settings WHERE key IN ('ok', 'x')"
                      ).fetchone()[0] == 0


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


class _RoundTrips:
    """The driver connection, counting round trips: each statement sent alone, or each
    pipeline of statements sent together."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self.count = 0
        self._piping = False

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        self.count += not self._piping
        return self._conn.execute(*args, **kwargs)

    @contextmanager
    def pipeline(self) -> Iterator[Any]:
        self.count += 1
        self._piping = True
        try:
            with self._conn.pipeline() as pipeline:
                yield pipeline
        finally:
            self._piping = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def _checkout_round_trips(db: Database, seats: int) -> int:
    sam = authenticate(db, "sam", "1111")
    hold = timedelta(minutes=10)
    cart = carts.open_cart(db, sam, "window-1", FIXED_NOW, hold)
    free = [seat_id for (seat_id,) in db.execute(
        "SELECT s.id FROM seats s JOIN sections c ON c.id = s.section_id JOIN performances p "
        "ON p.venue_id = c.venue_id WHERE p.id = 1 AND s.active = 1 AND NOT EXISTS (SELECT "
        "1 FROM seat_claims k WHERE k.performance_id = 1 AND k.seat_id = s.id) ORDER BY s.id "
        "LIMIT ?", [seats])]
    total = carts.add_seats(db, sam, cart, 1, free, "ADULT", FIXED_NOW, hold).total_cents
    counting = _RoundTrips(db.conn)
    db.conn = counting
    try:
        order = checkout.checkout(db, sam, cart, [Tender("cash", total, tendered_cents=total)],
                                  station="window-1", now=FIXED_NOW)
    finally:
        db.conn = counting._conn
    assert len(order.tickets) == seats
    return counting.count


def test_a_checkout_takes_two_round_trips_whatever_its_size(demo_db: Database) -> None:
    """The write lock is held across a checkout's round trips (docs/postgresql.md): the
    lock with every read (the cart with its seats' claims) and the ids; then every row
    with the COMMIT. They must not grow with the order."""
    if demo_db.engine != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of make test (BOXOFFICE_TEST_DATABASE)")
    two, forty = _checkout_round_trips(demo_db, 2), _checkout_round_trips(demo_db, 40)
    assert two == forty == 2


def test_adding_seats_takes_two_round_trips_whatever_their_number(
        demo_db: Database) -> None:
    """The lock with every check's read; then the claims, the cart's lines and the cart
    read back with the COMMIT."""
    if demo_db.engine != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of make test (BOXOFFICE_TEST_DATABASE)")
    sam = authenticate(demo_db, "sam", "1111")
    hold = timedelta(minutes=10)
    free = [seat_id for (seat_id,) in demo_db.execute(
        "SELECT s.id FROM seats s JOIN sections c ON c.id = s.section_id JOIN performances p "
        "ON p.venue_id = c.venue_id WHERE p.id = 1 AND s.active = 1 AND NOT EXISTS (SELECT "
        "1 FROM seat_claims k WHERE k.performance_id = 1 AND k.seat_id = s.id) ORDER BY s.id "
        "LIMIT 42")]
    trips = []
    for seats in (free[:2], free[2:]):
        cart = carts.open_cart(demo_db, sam, "window-1", FIXED_NOW, hold)
        counting = _RoundTrips(demo_db.conn)
        demo_db.conn = counting
        try:
            view = carts.add_seats(demo_db, sam, cart, 1, seats, "ADULT", FIXED_NOW, hold)
        finally:
            demo_db.conn = counting._conn
        assert view.ticket_count == len(seats)
        trips.append(counting.count)
    assert trips == [2, 2]
