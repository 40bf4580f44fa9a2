"""Shared fixtures: a fresh database per test, and the demo database at a fixed time."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from core.admin.demo import build_demo
from core.config import Config
from core.store.db import Database
from core.store.schema import open_database
from tests.support import postgres
from tests.support.constants import DATE_SENSITIVE, FIXED_NOW, SERIAL, ZONE
from tests.support.fixture_types import Cli
from tests.support.localstripe import localstripe as localstripe  # the session's localstripe


def pytest_configure(config: pytest.Config) -> None:
    # python-escpos caches a capabilities pickle in one shared folder; test workers
    # running at once (xdist) each get their own, so none reads another's half-written file
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = tempfile.mkdtemp(
            prefix=f"boxoffice-escpos-{worker}-")


# A test that takes one of these reaches the box office's database: the PostgreSQL run
# (`-m database`) runs those again.
DATABASE_FIXTURES = frozenset({"db", "demo_db", "bare_demo_db", "demo_path", "cli",
                               "demo_template", "bare_demo_template", "empty_template"})


# The window's screens driven by Pilot: the PostgreSQL pass leaves them out (make test's
# time budget). What they reach of the database is core's, which the core, CLI, web and
# check-in tests run on PostgreSQL.
SCREEN_TESTS = ("test_app", "test_window", "test_snapshots", "test_gate_screen",
                "test_gate_lane")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.database)
        if item.path.parent.name == "tui" and item.path.stem.startswith(SCREEN_TESTS):
            item.add_marker(pytest.mark.screens)
        if item.path.stem in DATE_SENSITIVE:
            item.add_marker(pytest.mark.dates)
        if item.path.stem in SERIAL:
            item.add_marker(pytest.mark.serial)


@pytest.fixture(autouse=True)
def pinned_clock(request: pytest.FixtureRequest) -> Iterator[time_machine.Traveller | None]:
    """Every test runs at FIXED_NOW, the instant the demo template is built at: the CLI,
    the window app and core.clock all read it, so a date a test writes relative to
    FIXED_NOW never goes stale. A test that needs time to pass moves it with
    `pinned_clock.shift(...)` or `.move_to(...)`; one marked `no_pinned_clock` sees the
    real time."""
    if request.node.get_closest_marker("no_pinned_clock"):
        yield None
        return
    with time_machine.travel(FIXED_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(scope="session")
def empty_template() -> str | None:
    """PostgreSQL: a migrated, empty database to copy for each test (None on SQLite)."""
    if not postgres.on_postgresql():
        return None
    name = f"bo_t_{postgres.worker()}_empty"
    open_database(postgres.create_database(name)).close()
    return name


@pytest.fixture
def db(empty_template: str | None) -> Iterator[Database]:
    """A fresh, migrated database: in memory on SQLite, a copy of the empty template on
    PostgreSQL."""
    if empty_template is None:
        database = open_database(":memory:")
        yield database
        database.close()
        return
    name, url = postgres.copy_of(empty_template)
    database = open_database(url)
    yield database
    database.close()
    postgres.drop_database(name)


def _settle(database: Database) -> None:
    """Close a template so it can be copied (a SQLite file with its WAL folded in)."""
    if database.engine == "sqlite":
        database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()


@pytest.fixture(scope="session")
def bare_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path | str:
    """The demo database, built once per run (it takes a second: 40,000 stadium seats),
    with no shift open: a file on SQLite, a template database's name on PostgreSQL."""
    if postgres.on_postgresql():
        name = f"bo_t_{postgres.worker()}_bare"
        database = open_database(postgres.create_database(name))
    else:
        path = tmp_path_factory.mktemp("demo") / "bare.db"
        database = open_database(path)
    build_demo(database, now=FIXED_NOW, zone=ZONE)
    _settle(database)
    return name if postgres.on_postgresql() else path


@pytest.fixture(scope="session")
def demo_template(bare_demo_template: Path | str,
                  tmp_path_factory: pytest.TempPathFactory) -> Path | str:
    """The demo database with a shift open for sam (at window-1), cora and ada, so the
    selling tests can take money."""
    from tests.support.selling_helpers import open_shifts

    if isinstance(bare_demo_template, str):
        name = f"bo_t_{postgres.worker()}_demo"
        database = open_database(postgres.create_database(name, bare_demo_template))
    else:
        path = tmp_path_factory.mktemp("demo") / "template.db"
        shutil.copyfile(bare_demo_template, path)
        database = open_database(path)
    open_shifts(database, FIXED_NOW - timedelta(hours=8))
    _settle(database)
    return name if isinstance(bare_demo_template, str) else path


def _private_copy(template: Path | str, path: Path) -> Iterator[Path]:
    """A copy of a template for one test: the file `path`, or on PostgreSQL a new
    database (its URL, typed as the tests' Path: they pass it on as text), dropped after."""
    if isinstance(template, str):
        name, url = postgres.copy_of(template)
        yield url  # type: ignore[misc]
        postgres.drop_database(name)
        return
    shutil.copyfile(template, path)
    yield path


@pytest.fixture
def bare_demo_db(bare_demo_template: Path | str, tmp_path: Path) -> Iterator[Database]:
    """A private copy of the demo database with no shift open (closing-out tests)."""
    for location in _private_copy(bare_demo_template, tmp_path / "bare-demo.db"):
        database = open_database(location)
        yield database
        database.close()


@pytest.fixture
def demo_path(demo_template: Path | str, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the demo database for one test (on PostgreSQL: its URL)."""
    yield from _private_copy(demo_template, tmp_path / "demo.db")


@pytest.fixture
def demo_db(demo_path: Path) -> Iterator[Database]:
    database = open_database(demo_path)
    yield database
    database.close()


@pytest.fixture
def config() -> Config:
    return Config()


@pytest.fixture
def cli(demo_path: Path, tmp_path: Path) -> Cli:
    """Run `boxoffice` on a private demo database, with a config file in tmp_path."""
    from click.testing import CliRunner

    from tui.cli import main

    config = tmp_path / "config.toml"
    key = "url" if postgres.on_postgresql() else "path"
    config.write_text(f'[database]\n{key} = "{demo_path}"\n')

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["--config", str(config), *args])
        return result.exit_code, result.output

    return run
