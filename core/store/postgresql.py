"""The box office on PostgreSQL (psycopg 3), behind the same `Database` as SQLite.

- Placeholders: services write `?`; each statement is translated once (cached) to
  psycopg's `%s`, with every literal `%` doubled.
- Transactions: the connection is in autocommit mode and `write()` issues `BEGIN` itself,
  READ COMMITTED (never REPEATABLE READ: it oversells or fails under contention, see
  docs/postgresql.md), then takes the box office's write lock, a transaction-scoped
  advisory lock, as its first statement. That serialises writers like SQLite's
  `BEGIN IMMEDIATE`. `lock_timeout` bounds the wait: then DatabaseBusy, nothing changed.
- Round trips: every statement is one, and the lock is held across them, so what needs
  no answer yet waits and goes with the next statement, in one pipeline (psycopg's
  pipeline mode): the BEGIN and the lock, savepoints (one that saw no statement costs
  nothing), writes sent with `execute_later`; `fetch_each` sends several reads at once;
  `fetch_ahead` reads go with the next statement (or with the COMMIT, to be fetched
  just after it); `reserve_ids` takes new ids with the lock, so no insert waits for
  `RETURNING id`. A checkout, or an add of seats, is 2 round trips.
- Values: money stays integer cents. PostgreSQL's `sum()` of a bigint is `numeric`,
  which psycopg would load as Decimal; a loader makes every whole numeric an `int` (a
  fraction, from `avg()`, a float, as SQLite gives). Python's `bool` is stored as 0/1
  (flags are integer columns on both engines); dates and datetimes as ISO text, as
  sqlite3 stores them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import errors, pq
from psycopg.adapt import Dumper, Loader

from core.errors import BoxOfficeError, DatabaseBusy
from core.store.engine import BUSY_MESSAGE, Cursor, Database, redacted

# The one write lock: pg_advisory_xact_lock(WRITE_LOCK). A constant of our own (the
# bytes "boxoffic"), so that another application's advisory locks never meet ours.
WRITE_LOCK = 0x626F786F6666_6963

_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\?\d*|%",
                     re.S)


@lru_cache(maxsize=8192)
def translate(sql: str) -> tuple[str, tuple[int, ...] | None]:
    """`sql` with `?` placeholders as psycopg's `%s`, and every `%` (also inside quotes,
    where psycopg still sees it) doubled. A `?` inside a quoted literal stays. SQLite's
    numbered `?N` (one parameter used twice) becomes one `%s` each, with the order to
    pass the parameters in (None when they go as they are)."""
    order: list[int] = []
    numbered = False
    def one(match: re.Match[str]) -> str:
        nonlocal numbered
        token = match.group(0)
        if token.startswith("?"):
            if len(token) > 1:
                numbered = True
                order.append(int(token[1:]) - 1)
            else:
                order.append(order[-1] + 1 if order else 0)
            return "%s"
        return token.replace("%", "%%")
    text = _TOKENS.sub(one, sql)
    return text, tuple(order) if numbered else None


def to_pyformat(sql: str) -> str:
    """The statement as psycopg takes it (see `translate`)."""
    return translate(sql)[0]


# new ids of tables, from their identity columns' sequences: (table, id) rows, from
# (table, how many) rows. nextval is never rolled back: an id reserved and not used is a
# gap, as after any rolled-back insert
_RESERVE = ("SELECT r.t, nextval(pg_get_serial_sequence(r.t, 'id')) FROM (VALUES {rows}) "
            "AS r(t, n) CROSS JOIN LATERAL generate_series(1, r.n) ORDER BY 2")
_COUNT = "(?, CAST(? AS BIGINT))"


def _translated(sql: str, params: Sequence[object]) -> tuple[str, Sequence[object]]:
    text, order = translate(sql)
    return text, params if order is None else [params[i] for i in order]


class _WholeNumeric(Loader):
    """numeric -> int when whole (every sum of cents), else float (an average)."""

    def load(self, data: Any) -> int | float:
        value = Decimal(bytes(data).decode())
        if value == value.to_integral_value():
            return int(value)
        return float(value)


class _BoolAsInteger(Dumper):
    oid = psycopg.adapters.types["int8"].oid

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class _IsoDate(Dumper):
    oid = psycopg.adapters.types["text"].oid

    def dump(self, obj: Any) -> bytes:
        return str(obj.isoformat()).encode()


class _IsoDatetime(Dumper):
    oid = psycopg.adapters.types["text"].oid

    def dump(self, obj: Any) -> bytes:
        return str(obj.isoformat(" ")).encode()


class PostgresDatabase(Database):
    engine = "postgresql"

    def __init__(self, conn: psycopg.Connection[Any], location: str) -> None:
        super().__init__(conn, location)
        # statements sent with the next one (execute_later, savepoints, the write
        # transaction's BEGIN and lock, reads ahead), in one round trip
        self._later: list[tuple[str, Sequence[object]]] = []
        self._beginning = False     # a BEGIN waits in _later
        # fetch_ahead's reads, by statement and parameters: their rows once sent
        self._ahead: dict[tuple[str, tuple[object, ...]], list[Any] | None] = {}
        # reserve_ids: its reads (the tables each covers, the statement and parameters),
        # and the ids had per table, not yet handed out
        self._reserved: list[tuple[frozenset[str], str, list[object]]] = []
        self._ids: dict[str, list[int]] = {}

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        return self._send([(sql, params)])[0]

    def execute_later(self, sql: str, params: Sequence[object] = ()) -> None:
        if not self.in_transaction:     # nothing would carry it: now
            self.execute(sql, params)
            return
        self._later.append((sql, params))

    def fetch_each(self, queries: Sequence[tuple[str, Sequence[object]]]
                   ) -> list[list[Any]]:
        """The reads sent ahead give their rows; the others (and any ahead still
        waiting) go together in one round trip."""
        keys = [(sql, tuple(params)) for sql, params in queries]
        rows: dict[tuple[str, tuple[object, ...]], list[Any]] = {}
        for key in keys:
            had = self._ahead.get(key)
            if had is not None:
                rows[key] = had
                del self._ahead[key]
        waiting = [key for key in keys if key not in rows and key in self._ahead]
        rest = [(query, key) for query, key in zip(queries, keys, strict=True)
                if key not in rows and key not in self._ahead]
        if rest or waiting:
            cursors = self._send([query for query, _ in rest])
            for key in waiting:
                rows[key] = self._ahead.pop(key) or []
            for (_, key), cursor in zip(rest, cursors, strict=True):
                rows[key] = cursor.fetchall()
        return [rows[key] for key in keys]

    def fetch_ahead(self, sql: str, params: Sequence[object] = ()) -> None:
        self.flush_deferred()           # the read sees the rows gathered before it
        key = (sql, tuple(params))
        # one already read and not fetched may be stale by now: read again
        if self.in_transaction and self._ahead.get(key, ()) is not None:
            self._ahead[key] = None
            self._later.append((sql, params))

    def fetch(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        return self.fetch_each([(sql, params)])[0]

    def forget_ahead(self) -> None:
        self._ahead = {}

    def reserve_ids(self, counts: Mapping[str, int | tuple[str, Sequence[object]]]
                    ) -> None:
        rows: list[str] = []
        params: list[object] = []
        for table, count in counts.items():
            if isinstance(count, int):
                rows.append(_COUNT)
                params += [table, count]
            else:
                rows.append(f"(?, CAST(({count[0]}) AS BIGINT))")
                params += [table, *count[1]]
        sql = _RESERVE.format(rows=", ".join(rows))
        self.fetch_ahead(sql, params)
        self._reserved.append((frozenset(counts), sql, params))

    def new_ids(self, table: str, count: int) -> list[int]:
        for reserved in [r for r in self._reserved if table in r[0]]:
            self._reserved.remove(reserved)
            for name, new_id in self.fetch(reserved[1], reserved[2]):
                self._ids.setdefault(name, []).append(new_id)
        had = self._ids.get(table, [])
        if len(had) < count:
            had += [row[1] for row in self.execute(_RESERVE.format(rows=_COUNT),
                                                   [table, count - len(had)])]
        ids, self._ids[table] = had[:count], had[count:]
        return ids

    def _send(self, statements: list[tuple[str, Sequence[object]]]) -> list[Cursor]:
        """Run the statements waiting to go, then `statements`: one round trip (psycopg's
        pipeline mode when there are several). Returns the cursors of `statements`. The
        first error is raised, and nothing after it in the batch ran."""
        if not self.in_transaction:     # rows read ahead with the last COMMIT, unfetched
            self._ahead = {}
        self.flush_deferred()           # gathered rows go before this statement
        waiting, self._later = self._later, []
        self._beginning = False
        batch = [_translated(sql, params) for sql, params in waiting + statements]
        try:
            if not batch:
                return []
            if not waiting and len(batch) == 1:
                return [self.conn.execute(*batch[0])]
            with self.conn.pipeline():
                cursors = [self.conn.execute(text, values) for text, values in batch]
            for (sql, params), cursor in zip(waiting, cursors, strict=False):
                key = (sql, tuple(params))
                if key in self._ahead and self._ahead[key] is None:
                    self._ahead[key] = cursor.fetchall()
            return cursors[len(waiting):]
        except errors.LockNotAvailable as error:
            # the write lock (or a row lock) not had within lock_timeout: the caller's
            # write() rolls back
            raise DatabaseBusy(BUSY_MESSAGE) from error
        except psycopg.DataError as error:
            if "NUL" not in str(error):
                raise
            # SQLite keeps a NUL character in text; PostgreSQL cannot: refused, and the
            # write around it rolled back, like any other bad input
            raise BoxOfficeError("text with a NUL character (\\0) cannot be stored",
                                 code="bad_text") from error

    def savepoint(self, name: str) -> None:
        self.flush_deferred()           # rows gathered before it are not undone with it
        self._later.append((f"SAVEPOINT {name}", ()))

    def release_savepoint(self, name: str) -> None:
        if self._later and self._later[-1][0] == f"SAVEPOINT {name}":
            self._later.pop()           # nothing was sent inside it
            return
        self._later.append((f"RELEASE SAVEPOINT {name}", ()))

    def rollback_to_savepoint(self, name: str) -> None:
        opening = f"SAVEPOINT {name}"
        self._ahead, self._deferred = {}, {}
        for index in range(len(self._later) - 1, -1, -1):   # the latest of that name
            if self._later[index][0] == opening:   # never sent: drop it and what followed
                del self._later[index:]
                return
        # it was sent before whatever still waits, so all of that is inside it: dropped
        self._later = []
        self._send([(f"ROLLBACK TO SAVEPOINT {name}", ()), (f"RELEASE SAVEPOINT {name}", ())])

    def commit(self) -> None:
        # the reads still waiting go with the COMMIT, to be fetched just after it
        # (a write's result read back); what was read ahead earlier and never fetched
        # is dropped
        self._ahead = {key: rows for key, rows in self._ahead.items() if rows is None}
        try:
            self._send([("COMMIT", ())])
        except BaseException:
            if self.in_transaction:     # a statement sent with the COMMIT failed
                self.rollback()
            raise

    def rollback(self) -> None:
        never_sent = self._beginning
        self._later, self._beginning, self._ahead = [], False, {}
        self._deferred = {}
        self._reserved, self._ids = [], {}
        if not never_sent:
            self.conn.execute("ROLLBACK")

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        self._send([])      # what waits goes first
        with self.conn.cursor() as cursor:
            cursor.executemany(to_pyformat(sql), rows)

    def executescript(self, sql: str) -> None:
        self._send([])
        with psycopg.ClientCursor(self.conn) as cursor:
            cursor.execute(sql)

    @property
    def in_transaction(self) -> bool:
        return self._beginning or bool(
            self.conn.info.transaction_status != pq.TransactionStatus.IDLE)

    def begin_write(self) -> None:
        """BEGIN, then the write lock as the transaction's first statement: both sent
        with the transaction's first statement. Not getting the lock within
        lock_timeout raises DatabaseBusy there, and write() rolls back."""
        self._later = [("BEGIN ISOLATION LEVEL READ COMMITTED", ()),
                       ("SELECT pg_advisory_xact_lock(?)", [WRITE_LOCK])]
        self._beginning, self._ahead = True, {}
        self._reserved, self._ids = [], {}

    def begin_read(self) -> None:
        self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def close(self) -> None:
        self.conn.close()

    def columns(self, table: str) -> list[str]:
        return [row[0] for row in self.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = ? ORDER BY ordinal_position", [table])]

    def table_names(self) -> list[str]:
        return [row[0] for row in self.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "ORDER BY tablename")]

    def has_table(self, name: str) -> bool:
        # pg_class read by a query (the statement's snapshot), not through to_regclass
        # (the catalog cache): sent with the write lock, a cache could predate the lock
        return self.execute(
            "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON "
            "n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relname = ?",
            [name]).fetchone() is not None

    def json_text(self, column: str, key: str) -> str:
        return f"({column}::jsonb ->> '{key}')"


def connect_postgresql(url: str, *, lock_wait_ms: int) -> PostgresDatabase:
    """Connect to `url` in autocommit mode with the box office's adapters and timeouts."""
    try:
        conn = psycopg.connect(url, autocommit=True)
    except psycopg.OperationalError as error:
        raise BoxOfficeError(f"cannot connect to the database {redacted(url)}: "
                             f"{str(error).strip()}", code="database_unavailable") from error
    conn.adapters.register_loader("numeric", _WholeNumeric)
    conn.adapters.register_dumper(bool, _BoolAsInteger)
    conn.adapters.register_dumper(date, _IsoDate)
    conn.adapters.register_dumper(datetime, _IsoDatetime)
    conn.execute(f"SET lock_timeout = {int(lock_wait_ms)}")
    conn.execute("SET TIME ZONE 'UTC'")
    return PostgresDatabase(conn, url)
