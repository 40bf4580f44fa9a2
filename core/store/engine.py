"""What every service takes: a `Database`, the same on SQLite and on PostgreSQL.

Services call `execute` with `?` placeholders and read rows as tuples; they never reach
the driver's connection (`conn`), which only the store, the gate pack (always a SQLite
file) and backups use. The few SQL fragments that differ between the engines are
methods here (`engine` says which one is open)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit, urlunsplit

BUSY_MESSAGE = ("The box office database is busy (another window held it too long): "
                "nothing was changed; try again.")


class Cursor(Protocol):
    """The rows of one statement (sqlite3's or psycopg's cursor)."""

    @property
    def rowcount(self) -> int: ...

    @property
    def description(self) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Database(ABC):
    """One connection to the box office's database."""

    engine: Literal["sqlite", "postgresql"]

    def __init__(self, conn: Any, location: str) -> None:
        self.conn = conn
        # the file path or the URL (with any password: show it through db.redacted())
        self.location = location
        self.savepoint_depth = 0
        # what a write transaction learnt and may reuse until it ends or rolls back to a
        # savepoint (the journal's tail: see journal.append); emptied by `write`
        self.memo: dict[str, Any] = {}
        # rows a write gathers and writes as one statement (see `defer`), by kind
        self._deferred: dict[str, tuple[Callable[[Database, list[Any]], None],
                                        list[Any]]] = {}

    @abstractmethod
    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        """Run one statement (`?` placeholders) and return its rows."""

    @abstractmethod
    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        """Run one statement once per row of parameters."""

    @abstractmethod
    def executescript(self, sql: str) -> None:
        """Run several statements without parameters (migrations)."""

    @property
    @abstractmethod
    def in_transaction(self) -> bool:
        """True inside a transaction this connection began."""

    @abstractmethod
    def begin_write(self) -> None:
        """Begin a write transaction holding the box office's write lock (see `write`)."""

    @abstractmethod
    def begin_read(self) -> None:
        """Begin a read-only transaction that sees one moment (see `read_snapshot`)."""

    def execute_later(self, sql: str, params: Sequence[object] = ()) -> None:
        """A write inside a transaction whose result nobody reads (no rows, no row count).
        SQLite runs it now; PostgreSQL sends it with this connection's next statement, in
        the same round trip, and raises its error there. Only for statements that fail on
        a bug, never for one whose refusal a caller turns into its own message."""
        self.execute(sql, params)

    def fetch_each(self, queries: Sequence[tuple[str, Sequence[object]]]
                   ) -> list[list[Any]]:
        """The rows of several independent reads, in order (one round trip on
        PostgreSQL)."""
        return [self.execute(sql, params).fetchall() for sql, params in queries]

    def fetch_ahead(self, sql: str, params: Sequence[object] = ()) -> None:
        """Inside a write: a read this transaction will `fetch` later, sent early with
        the next round trip (PostgreSQL; on SQLite a read costs no trip: nothing). Only
        for rows the transaction does not change before it fetches them."""
        return None

    def fetch(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        """The rows of one read: those of a `fetch_ahead` of the same statement and
        parameters when one was sent, else read now."""
        return self.execute(sql, params).fetchall()

    def forget_ahead(self) -> None:
        """Inside a write: the reads sent ahead may be stale (the write changed their
        rows before fetching them): each is read again when fetched."""
        return None

    def reserve_ids(self, counts: Mapping[str, int | tuple[str, Sequence[object]]]
                    ) -> None:
        """Inside a write: ids for new rows of each table that `new_ids` will hand out,
        taken with the next round trip in one statement (PostgreSQL's sequences; on
        SQLite: nothing). Each count is a number, or a read of one (SQL, parameters)."""
        return None

    @abstractmethod
    def new_ids(self, table: str, count: int) -> list[int]:
        """Inside a write: `count` ids for new rows of `table` (a table whose `id` is
        its INTEGER PRIMARY KEY, not AUTOINCREMENT), so that the rows can be inserted
        with `execute_later` (nobody waits for `RETURNING id`). Insert them before
        asking for more ids of the same table."""

    def defer(self, kind: str, write_rows: Callable[[Database, list[Any]], None],
              row: Any) -> None:
        """Inside a write: `row` joins the rows of `kind` gathered so far, and
        `write_rows(db, rows)` writes them all (with `execute_later`) just before this
        connection's next statement that is not itself sent later: a read, a savepoint,
        the COMMIT (`write` flushes them there). Rows gathered inside a savepoint that
        is rolled back are dropped with it. So the journal rows of a sale are one insert
        (journal.append)."""
        if not self.in_transaction:
            write_rows(self, [row])
            return
        self._deferred.setdefault(kind, (write_rows, []))[1].append(row)

    def flush_deferred(self) -> None:
        """Write the rows gathered by `defer` now (queued with `execute_later`)."""
        while self._deferred:
            deferred, self._deferred = self._deferred, {}
            for write_rows, rows in deferred.values():
                write_rows(self, rows)

    def savepoint(self, name: str) -> None:
        self.execute(f"SAVEPOINT {name}")

    def release_savepoint(self, name: str) -> None:
        self.execute(f"RELEASE SAVEPOINT {name}")

    def rollback_to_savepoint(self, name: str) -> None:
        """Undo everything since `savepoint(name)`, and end that savepoint."""
        self._deferred = {}     # gathered since the savepoint: `savepoint` flushed the rest
        self.execute(f"ROLLBACK TO SAVEPOINT {name}")
        self.execute(f"RELEASE SAVEPOINT {name}")

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        self._deferred = {}
        self.execute("ROLLBACK")

    @abstractmethod
    def close(self) -> None:
        """Close the connection."""

    @abstractmethod
    def columns(self, table: str) -> list[str]:
        """The table's column names, in order."""

    @abstractmethod
    def table_names(self) -> list[str]:
        """The box office's tables, sorted."""

    def has_table(self, name: str) -> bool:
        """True when the table exists."""
        return name in self.table_names()

    @abstractmethod
    def json_text(self, column: str, key: str) -> str:
        """SQL for the text of `key` in the JSON object held in `column`."""


def redacted(url: str) -> str:
    """The URL without its password: safe in a message or a log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))
