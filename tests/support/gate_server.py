"""A real check-in server for the tests: `boxoffice`'s gateserver under uvicorn in its own
process on 127.0.0.1, its clock travelled to the instant the test names (the test process
pins its own clock; a server reading the real date would judge every ticket TOO LATE).

Run as a module it is that process: `python -m tests.support.gate_server` with
GATE_TEST_DB, GATE_TEST_PORT and GATE_TEST_NOW (ISO 8601) in the environment.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from types import TracebackType

import httpx

from tests.support.constants import REPO


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class GateServer:
    """Start, kill (-9) and restart a server on one port over one database file."""

    def __init__(self, db_path: Path, now: datetime, *, port: int | None = None) -> None:
        self.db_path = db_path
        self.now = now
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, wait: float = 20.0) -> GateServer:
        env = {**os.environ, "GATE_TEST_DB": str(self.db_path),
               "GATE_TEST_PORT": str(self.port), "GATE_TEST_NOW": self.now.isoformat(),
               "PYTHONPATH": str(REPO)}
        env.pop("BOXOFFICE_CONFIG", None)
        self.process = subprocess.Popen([sys.executable, "-m", "tests.support.gate_server"],
                                        cwd=REPO, env=env)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the gate server exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=0.5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the gate server did not answer in time")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def __enter__(self) -> GateServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.kill()


def _serve() -> None:
    import time_machine
    import uvicorn

    os.environ["BOXOFFICE_GATE_DB"] = os.environ["GATE_TEST_DB"]
    with time_machine.travel(datetime.fromisoformat(os.environ["GATE_TEST_NOW"]), tick=True):
        uvicorn.run("gateserver.app:app_from_environment", factory=True, host="127.0.0.1",
                    port=int(os.environ["GATE_TEST_PORT"]), log_level="warning",
                    access_log=False)


if __name__ == "__main__":
    _serve()
