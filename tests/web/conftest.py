"""The storefront under a real uvicorn and Debian's chromium, for the browser tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, sync_playwright

from core.config import Config, TicketsConfig
from core.store.db import Database
from tests.support.gate_server import free_port
from web.app import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking"]


@pytest.fixture
def storefront(demo_db: Database, demo_path: Path, tmp_path: Path) -> Iterator[str]:
    """The app under a real uvicorn on 127.0.0.1, in a thread of this process (so it
    shares the test's pinned clock)."""
    port = free_port()
    app = create_app(demo_path, Config(tickets=TicketsConfig(key_dir=str(tmp_path / "keys"))))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=0.5).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield url
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=ARGS)
        yield launched
        launched.close()
