"""`boxoffice gate-server`: its own process, on the address and port the config names
(127.0.0.1 unless told otherwise), answering health and serving its OpenAPI document."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support import postgres
from tests.support.constants import REPO
from tests.support.fixture_types import Cli
from tests.support.gate_server import free_port


def test_gate_server_listens_where_the_config_says(demo_path: Path, tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "gate.toml"
    config.write_text(f'[database]\n{postgres.database_key()} = "{demo_path}"\n\n'
                      f'[gate_server]\nport = {port}\n')
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("BOXOFFICE_CONFIG", None)
    process = subprocess.Popen(
        [sys.executable, "-c", "from tui.cli import main; main()", "--config", str(config),
         "gate-server"], cwd=tmp_path, env=env)
    try:
        deadline = time.monotonic() + 20
        answer = None
        while time.monotonic() < deadline and answer is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=0.5)
            except httpx.HTTPError:
                assert process.poll() is None, "the server stopped"
                time.sleep(0.1)
        assert answer is not None and answer.json()["status"] == "ok"
        document = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2).json()
        assert "/v1/scans" in document["paths"]
        unauthorised = httpx.post(f"http://127.0.0.1:{port}/v1/scans", json={}, timeout=2)
        assert unauthorised.status_code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(10)


def test_tls_needs_both_files(cli: Cli, tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("not really")
    code, output = cli("gate-server", "--certfile", str(cert))
    assert code == 2 and "--certfile and --keyfile together" in output
