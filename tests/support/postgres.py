"""The test databases on PostgreSQL: which engine this run tests, and throwaway
databases copied from migrated templates.

`make test` runs the suite twice: on SQLite, then with BOXOFFICE_TEST_DATABASE=postgresql
inside tools/with_postgres.sh, which starts a throwaway cluster and names it in
BOXOFFICE_TEST_PG (a URL of its `postgres` database). A run that asks for PostgreSQL
and finds no server fails: a skipped backend is not a pass."""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from core.store.db import Database

ENGINE = os.environ.get("BOXOFFICE_TEST_DATABASE", "sqlite")
_counter = itertools.count()


def on_postgresql() -> bool:
    return ENGINE == "postgresql"


def server_url() -> str:
    url = os.environ.get("BOXOFFICE_TEST_PG", "")
    if not url:
        pytest.fail("BOXOFFICE_TEST_DATABASE=postgresql needs a PostgreSQL server in "
                    "BOXOFFICE_TEST_PG: run the tests through tools/with_postgres.sh "
                    "(make test does)", pytrace=False)
    return url


def database_url(name: str) -> str:
    """The URL of database `name` on the test server."""
    parts = urlsplit(server_url())
    return urlunsplit(parts._replace(path=f"/{name}"))


def worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def create_database(name: str, template: str | None = None) -> str:
    """A new database (dropped first if a crashed run left it); returns its URL."""
    import psycopg

    with psycopg.connect(server_url(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" '
                          "STRATEGY FILE_COPY")
        else:
            admin.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(server_url(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_of(template: str) -> tuple[str, str]:
    """A private copy of `template` for one test: (its name, its URL)."""
    name = f"bo_{worker()}_{os.getpid()}_{next(_counter)}"
    return name, create_database(name, template)


def name_of(url: str) -> str:
    return urlsplit(url).path.strip("/")


def drop_trigger(db: Database, name: str, table: str) -> None:
    """What a forger does first: drop one of the rules' triggers (either engine)."""
    on = f" ON {table}" if db.engine == "postgresql" else ""
    db.execute(f"DROP TRIGGER {name}{on}")


def database_key() -> str:
    """The [database] key a test's config.toml names its database with."""
    return "url" if on_postgresql() else "path"


def private_copy(template: Path | str, path: Path) -> Path:
    """A copy of a demo template for a test's own use: the file copied to `path`, or on
    PostgreSQL a new database from the template, its URL typed as the tests' Path (they
    hand it on as text). Left for the throwaway cluster to take away."""
    if isinstance(template, str):
        return copy_of(template)[1]  # type: ignore[return-value]
    shutil.copyfile(template, path)
    return path
