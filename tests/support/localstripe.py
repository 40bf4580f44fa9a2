"""localstripe (a stateful stand-in for Stripe's API, test-only, GPL) in its own process on
127.0.0.1 for the tests: one per pytest worker, on a free port, stopped after the session.

It fails loudly: a localstripe that does not start is an error, never a skip, because the
tests that need it are the only proof that the Stripe provider works.

Run as a module it is that process: `python -m tests.support.localstripe PORT`. It serves
localstripe's own aiohttp app on 127.0.0.1 only (localstripe's `start()` binds every IPv6
address) and keeps its store in memory: localstripe pickles its whole store to the fixed
file /tmp/localstripe.pickle after every write, which parallel workers would share.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.support.constants import REPO
from tests.support.gate_server import free_port

SECRET_KEY = "sk_test_boxoffice_localstripe"
PUBLISHABLE_KEY = "pk_test_boxoffice_localstripe"


@dataclass(frozen=True)
class LocalStripe:
    """A running localstripe: its base URL (the provider's api_base) and its stripe.js."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path       # its stderr: a file, not a pipe nobody drains (a full pipe blocks it)

    @property
    def js_url(self) -> str:
        return f"{self.url}/js.stripe.com/v3/"

    def register_webhook(self, name: str, url: str, secret: str,
                         events: list[str] | None = None) -> None:
        """Have localstripe POST its events, signed with `secret`, to `url` (its
        `POST /_config/webhooks/<name>`; the same name again replaces the endpoint)."""
        data: dict[str, str | list[str]] = {"url": url, "secret": secret}
        if events:
            data["events[]"] = events
        answer = httpx.post(f"{self.url}/_config/webhooks/{name}", data=data, timeout=10)
        if answer.status_code != 200:
            raise RuntimeError(f"localstripe refused the webhook {name}: "
                               f"{answer.status_code} {answer.text}")

    def flush(self) -> None:
        """Forget every object (and keep the webhooks)."""
        httpx.delete(f"{self.url}/_config/data", timeout=10).raise_for_status()

    def api(self, method: str, path: str, data: dict[str, str] | None = None,
            *, key: str = SECRET_KEY) -> httpx.Response:
        """A raw call as Stripe.js or a dashboard would make it (form-encoded)."""
        return httpx.request(method, f"{self.url}{path}", data=data,
                             auth=(key, "") if key.startswith("sk_") else None, timeout=10)


def start_localstripe(*, wait: float = 30.0) -> LocalStripe:
    """Start localstripe on a free port and wait until it answers; RuntimeError otherwise."""
    port = free_port()
    handle, name = tempfile.mkstemp(prefix="localstripe-", suffix=".log")
    log = Path(name)
    with open(handle, "wb") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.localstripe", str(port)],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=errors)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text(errors="replace")[-2000:]
            log.unlink(missing_ok=True)
            raise RuntimeError(f"localstripe exited with {process.returncode}: {said}")
        try:
            if httpx.get(f"{url}/js.stripe.com/v3/", timeout=0.5).status_code == 200:
                return LocalStripe(url=url, process=process, log=log)
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    process.kill()
    process.wait(10)
    log.unlink(missing_ok=True)
    raise RuntimeError(f"localstripe did not answer on {url} within {wait:.0f} s")


def stop_localstripe(server: LocalStripe) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(10)
    server.log.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def localstripe() -> Iterator[LocalStripe]:
    """localstripe for this session (this xdist worker): started once, stopped at the end."""
    server = start_localstripe()
    try:
        yield server
    finally:
        stop_localstripe(server)


@dataclass
class WebhookReceiver:
    """A tiny HTTP endpoint on 127.0.0.1 that keeps every POST's raw body and
    Stripe-Signature header, standing in for the storefront's webhook route."""

    received: list[tuple[bytes, str]] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def __enter__(self) -> WebhookReceiver:
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append((body, self.headers.get("Stripe-Signature") or ""))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def wait_for(self, event_type: str, about: str, *,
                 timeout: float = 15.0) -> tuple[bytes, str]:
        """The first delivery of an event of `event_type` about the object `about` (an
        id). localstripe sends an event a second after it happens, to every endpoint
        registered then: one may arrive about an earlier test's payment."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for body, signature in list(self.received):
                if f'"type": "{event_type}"'.encode() in body and \
                        f'"id": "{about}"'.encode() in body:
                    return body, signature
            time.sleep(0.05)
        raise AssertionError(f"no {event_type} event arrived in {timeout:.0f} s "
                             f"({len(self.received)} other deliveries)")


def _serve(port: int) -> None:
    import logging

    from aiohttp import web
    from localstripe import resources, server

    # keep the store in memory: see the module's docstring
    resources.Store.dump_to_disk = lambda self: None
    resources.store.clear()
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    web.run_app(server.app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
