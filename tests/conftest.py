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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
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


@pytest.fixture
def db() -> Iterator[Database]:
    """A fresh, migrated in-memory database."""
    database = open_database(":memory:")
    yield database
    database.conn.close()


@pytest.fixture(scope="session")
def bare_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once per run (it takes a second: 40,000 stadium seats),
    with no shift open."""
    path = tmp_path_factory.mktemp("demo") / "bare.db"
    database = open_database(path)
    build_demo(database, now=FIXED_NOW, zone=ZONE)
    database.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.conn.close()
    return path


@pytest.fixture(scope="session")
def demo_template(bare_demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database with a shift open for sam (at window-1), cora and ada, so the
    selling tests can take money."""
    from tests.support.selling_helpers import open_shifts

    path = tmp_path_factory.mktemp("demo") / "template.db"
    shutil.copyfile(bare_demo_template, path)
    database = open_database(path)
    open_shifts(database, FIXED_NOW - timedelta(hours=8))
    database.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.conn.close()
    return path


@pytest.fixture
def bare_demo_db(bare_demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A private copy of the demo database with no shift open (closing-out tests)."""
    path = tmp_path / "bare-demo.db"
    shutil.copyfile(bare_demo_template, path)
    database = open_database(path)
    yield database
    database.conn.close()


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database for one test."""
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    return path


@pytest.fixture
def demo_db(demo_path: Path) -> Iterator[Database]:
    database = open_database(demo_path)
    yield database
    database.conn.close()


@pytest.fixture
def config() -> Config:
    return Config()


@pytest.fixture
def cli(demo_path: Path, tmp_path: Path) -> Cli:
    """Run `boxoffice` on a private demo database, with a config file in tmp_path."""
    from click.testing import CliRunner

    from tui.cli import main

    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{demo_path}"\n')

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["--config", str(config), *args])
        return result.exit_code, result.output

    return run
