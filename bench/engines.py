"""The two engines a benchmark runs on in one run: SQLite files and PostgreSQL databases
on one server (the same host), each copied from a template built once.

    --engines sqlite,postgresql  --postgresql URL (default: $BOXOFFICE_TEST_PG)

The URL names a server and a database we may connect to (`postgres`); the templates and
copies are databases of their own on that server, dropped at the end. Services reach
either engine through `core.store.db.connect(location)`; only this helper (creating and
dropping databases) and the bare baselines talk to a driver directly.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ENGINES = ("sqlite", "postgresql")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engines", default="sqlite,postgresql",
                        help="comma list of sqlite, postgresql")
    parser.add_argument("--postgresql", default=os.environ.get("BOXOFFICE_TEST_PG"),
                        help="a postgresql:// URL of the server's postgres database "
                             "(default: $BOXOFFICE_TEST_PG, set by tools/with_postgres.sh)")


def chosen(args: argparse.Namespace) -> list[str]:
    names = [name.strip() for name in args.engines.split(",") if name.strip()]
    for name in names:
        if name not in ENGINES:
            raise SystemExit(f"unknown engine {name!r}: choose from {', '.join(ENGINES)}")
    if "postgresql" in names and not args.postgresql:
        raise SystemExit("PostgreSQL needs --postgresql URL or BOXOFFICE_TEST_PG "
                         "(run under tools/with_postgres.sh)")
    return names


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@dataclass
class Engine:
    """Where one engine's databases live, and the ones made so far (dropped by close)."""

    name: str
    server: str | None = None     # PostgreSQL: the URL of a database to administer from
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bench-")))
    made: list[str] = field(default_factory=list)
    count: int = 0

    def _fresh_name(self, what: str) -> str:
        self.count += 1
        return f"bench_{what}_{os.getpid()}_{self.count}"

    def _admin(self, sql: str) -> None:
        import psycopg

        assert self.server is not None
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(sql)

    def template(self, build: Callable[[Any], None]) -> str:
        """A migrated database `build(db)` fills; returns its location."""
        from core.store.schema import open_database

        if self.name == "sqlite":
            location = str(self.directory / f"{self._fresh_name('template')}.db")
        else:
            name = self._fresh_name("template")
            self._admin(f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0")
            self.made.append(name)
            location = with_database(str(self.server), name)
        db = open_database(location)
        try:
            build(db)
            if db.engine == "sqlite":
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            else:
                db.execute("ANALYZE")
        finally:
            db.close()
        return location

    def copy(self, template: str) -> str:
        """A fresh copy of a template: a file copy, or CREATE DATABASE ... TEMPLATE."""
        if self.name == "sqlite":
            target = self.directory / f"{self._fresh_name('copy')}.db"
            shutil.copyfile(template, target)
            return str(target)
        name = self._fresh_name("copy")
        source = urlsplit(template).path.strip("/")
        self._admin(f"CREATE DATABASE {name} TEMPLATE {source} STRATEGY FILE_COPY")
        self.made.append(name)
        return with_database(str(self.server), name)

    def drop(self, location: str) -> None:
        if self.name == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(location + suffix).unlink(missing_ok=True)
            return
        name = urlsplit(location).path.strip("/")
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if name in self.made:
            self.made.remove(name)

    def close(self) -> None:
        for name in list(self.made):
            self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.made.clear()
        shutil.rmtree(self.directory, ignore_errors=True)

    def describe(self) -> str:
        if self.name == "sqlite":
            import sqlite3

            return f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=FULL)"
        import psycopg

        assert self.server is not None
        with psycopg.connect(self.server, autocommit=True) as conn:
            version = conn.execute("SHOW server_version").fetchone()
            settings: dict[str, str] = dict(conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', "
                "'synchronous_commit', 'full_page_writes')").fetchall())
        host = urlsplit(self.server).hostname
        return (f"PostgreSQL {version[0] if version else '?'} on {host}, psycopg "
                f"{psycopg.__version__}, fsync={settings.get('fsync')}, "
                f"synchronous_commit={settings.get('synchronous_commit')}, "
                f"full_page_writes={settings.get('full_page_writes')}")


def open_engines(args: argparse.Namespace) -> list[Engine]:
    return [Engine(name, args.postgresql if name == "postgresql" else None)
            for name in chosen(args)]


class CountingConnection:
    """A driver connection that counts the round trips sent through it: each statement,
    or on PostgreSQL each pipeline of statements sent together (`statements` holds one
    entry per round trip: the first word, or the first words joined by "+")."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self.statements: list[str] = []
        self.seconds = 0.0      # spent inside the driver's calls
        self._batch: list[str] | None = None

    def execute(self, sql: Any, *args: Any, **kwargs: Any) -> Any:
        word = str(sql).split()[0].upper() if str(sql).split() else ""
        if self._batch is not None:
            self._batch.append(word)
            return self._conn.execute(sql, *args, **kwargs)
        self.statements.append(word)
        begin = time.perf_counter()
        try:
            return self._conn.execute(sql, *args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - begin

    @contextmanager
    def pipeline(self) -> Iterator[Any]:
        self._batch = []
        begin = time.perf_counter()
        try:
            with self._conn.pipeline() as pipeline:
                yield pipeline
        finally:
            self.seconds += time.perf_counter() - begin
            self.statements.append("+".join(self._batch))
            self._batch = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def round_trip_ms(location: str, times: int = 2000) -> tuple[float, float]:
    """Median and p99 of one `SELECT 1` on an open connection (a loopback round trip on
    PostgreSQL; a call into the library on SQLite)."""
    from core.store.db import connect

    db = connect(location)
    samples = []
    try:
        for _ in range(times):
            start = time.perf_counter()
            db.execute("SELECT 1").fetchone()
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        db.close()
    return statistics.median(samples), percentile(samples, 0.99)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def spread(values: Sequence[float], digits: int = 2) -> str:
    """`median (min-max)` of repeated runs."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return (f"{statistics.median(values):.{digits}f} "
            f"({min(values):.{digits}f}-{max(values):.{digits}f})")
