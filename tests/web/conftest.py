"""The storefront under a real uvicorn and Debian's chromium, for the browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from core.config import Config, TicketsConfig
from core.store.db import Database
from tests.support.web_server import served
from web.app import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking"]


@pytest.fixture
def storefront(demo_db: Database, demo_path: Path, tmp_path: Path) -> Iterator[str]:
    """The app under a real uvicorn on 127.0.0.1, in a thread of this process (so it
    shares the test's pinned clock)."""
    app = create_app(demo_path, Config(tickets=TicketsConfig(key_dir=str(tmp_path / "keys"))))
    with served(app) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=ARGS)
        yield launched
        launched.close()
