"""An online gate lane: asks the check-in server first, judges from its own gate pack when
the server is slow or gone, and uploads what it judged offline when the server is back.

It lives in tui/ because it is the gate front end's way to the host, not a device (that is
hardware/: printers, cameras, scanners behind a Protocol with a replay) and not the
domain (core does no network I/O: the judging offline, the outbox and the folding of
changes are core.gate.feed's, this module only carries them over HTTP). It imports no
Textual, so tests, the benchmark and the gate screen's worker threads all drive it alike.

- Online, a scan goes to `POST /v1/scans` with a fresh nonce and a short timeout (1 s
  by default). No answer in time (or the connection refused, or a 5xx): the same scan is
  judged from the pack with the same nonce and queued, and the lane is OFFLINE.
- Offline, scans are judged from the pack at once (a lane turns over every 3 s; it must
  not wait a timeout per scan). `sync()`, run every few seconds, uploads the queue and
  pulls changes; the first answer puts the lane back ONLINE.
- A 401 (the token was revoked) stops the lane: `LaneStopped` on every later scan.
"""

from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, Final, cast

import httpx

from core.errors import BoxOfficeError
from core.gate import checkin, feed, gatepack
from core.gate.checkin import GateSession, Verdict
from core.store.db import Database

UPLOAD_BATCH: Final = 500
SYNC_TIMEOUT_FLOOR: Final = 5.0     # uploads and pulls may wait longer than a scan


class LaneStopped(BoxOfficeError):
    """The server refused this lane's token (`revoked_token`, `unknown_token`)."""

    code = "lane_stopped"


@dataclass(frozen=True)
class LaneVerdict:
    verdict: Verdict
    online: bool                # judged by the server (False: from the pack, queued)


class LaneClient:
    """One lane's link to the check-in server and its gate pack (thread-safe)."""

    def __init__(self, server: str, token: str, *, gate: str, pack_path: Path,
                 mode: str = "entry", timeout: float = 1.0, zone: tzinfo | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.server = server.rstrip("/")
        self.gate = gate
        self.mode = mode
        self.timeout = timeout
        self.zone = zone
        self.pack_path = Path(pack_path)
        headers = {"Authorization": f"Bearer {token}"}
        sync_timeout = max(timeout, SYNC_TIMEOUT_FLOOR)
        # one client for scans, one for the sync worker: neither waits behind the other
        self.http = httpx.Client(base_url=self.server, headers=headers,
                                 timeout=httpx.Timeout(timeout), transport=transport)
        self.sync_http = httpx.Client(base_url=self.server, headers=headers,
                                      timeout=httpx.Timeout(sync_timeout),
                                      transport=transport)
        self.lock = threading.RLock()
        self.online = False
        self.stopped = ""           # why the server refused the token; "" while it did not
        self.name = ""
        self.device = ""
        self.event = ""
        self.pack: Database
        self.session: GateSession

    # -- starting -----------------------------------------------------------------

    def connect(self) -> LaneClient:
        """Ask the server who this lane is and fetch a pack if there is none yet; with
        the server away, start offline from an existing pack. Raises LaneStopped, and
        BoxOfficeError `no_pack` (no server and no pack) or `foreign_pack`."""
        info: dict[str, Any] | None = None
        try:
            answer = self.sync_http.get("/v1/lane")
            self._check(answer)
            info = answer.json()
        except httpx.HTTPError:
            info = None
        if not self.pack_path.exists():
            if info is None:
                raise BoxOfficeError(
                    f"the check-in server {self.server} does not answer and there is no "
                    f"gate pack at {self.pack_path} yet: a lane needs one or the other to "
                    "start", code="no_pack")
            self._download_pack()
        settings = gatepack.pack_settings(self.pack_path)
        if info is not None and settings.get(gatepack.SOURCE) != info.get("database_id"):
            raise BoxOfficeError(
                f"the gate pack {self.pack_path} was made from another box office "
                "database than this server's: move it aside to fetch a fresh one",
                code="foreign_pack")
        performance_id = int(settings[gatepack.PERFORMANCE])
        if info is not None and int(info["performance_id"]) != performance_id:
            raise BoxOfficeError(f"the gate pack {self.pack_path} is for another "
                                 "performance than this lane's token", code="foreign_pack")
        self.device = str(info["device"]) if info else settings.get(gatepack.MADE_BY, "")
        self.name = str(info["name"]) if info else self.device.removeprefix("lane:")
        self.pack = gatepack.open_pack(self.pack_path)
        self.session = checkin.session_for(self.pack, performance_id, self.gate,
                                           mode=self.mode, actor=self.device,
                                           zone=self.zone or UTC)
        self.event = self.session.event_name
        self.online = info is not None
        if self.online:
            self.sync()
        return self

    def _download_pack(self) -> None:
        partial = self.pack_path.with_name(f".{self.pack_path.name}.{os.getpid()}.part")
        try:
            with self.sync_http.stream("GET", "/v1/pack",
                                       timeout=httpx.Timeout(60.0)) as answer:
                if answer.status_code != 200:
                    answer.read()
                    self._check(answer)
                with open(partial, "wb") as out:
                    for chunk in answer.iter_bytes():
                        out.write(chunk)
            partial.rename(self.pack_path)
        finally:
            partial.unlink(missing_ok=True)

    def close(self) -> None:
        self.http.close()
        self.sync_http.close()
        with self.lock:
            if hasattr(self, "pack"):
                self.pack.close()

    # -- judging ------------------------------------------------------------------

    def judge(self, code: str, now: datetime) -> LaneVerdict:
        """Judge one scanned code: online when the server answers in time, else from the
        pack (queued with the same nonce). Raises LaneStopped once the token is refused,
        and BoxOfficeError for a request the server refuses (a bad gate name)."""
        if self.stopped:
            raise LaneStopped(self.stopped)
        nonce = secrets.token_hex(12)
        if self.online:
            try:
                answer = self.http.post("/v1/scans", json={
                    "gate": self.session.gate, "mode": self.session.mode, "nonce": nonce,
                    "code": code})
                if answer.status_code < 500:
                    self._check(answer)
                    body = answer.json()
                    verdict = Verdict(**{k: body["verdict"][k] for k in (
                        "code", "detail", "ticket_id", "reason", "replayed")})
                    if body.get("scan"):
                        with self.lock:
                            feed.record_judged(self.pack, body["scan"])
                    return LaneVerdict(verdict, True)
            except httpx.HTTPError:
                pass
            self.online = False
        with self.lock:
            verdict = feed.judge_offline(self.pack, self.session, code, now=now,
                                         nonce=nonce, device=self.device)
        return LaneVerdict(verdict, False)

    def set_mode(self, mode: str) -> None:
        """Entry, exit or status from the next scan on (online and offline alike)."""
        if mode not in checkin.MODES:
            raise BoxOfficeError(f"a lane's mode is entry, exit or status, not {mode!r}",
                                 code="bad_mode")
        with self.lock:
            self.session.mode = cast(checkin.Mode, mode)
            self.mode = mode

    @property
    def queue_length(self) -> int:
        with self.lock:
            return feed.queue_length(self.pack)

    # -- keeping up ---------------------------------------------------------------

    def sync(self) -> bool:
        """Upload the scans judged offline and pull the changes; True when the server
        answered (the lane is then ONLINE). Raises LaneStopped on a refused token."""
        if self.stopped:
            raise LaneStopped(self.stopped)
        try:
            self._upload()
            self._pull()
        except httpx.HTTPError:
            self.online = False
            return False
        self.online = True
        return True

    def _upload(self) -> None:
        while True:
            with self.lock:
                queued = feed.queued_scans(self.pack, limit=UPLOAD_BATCH)
            if not queued:
                return
            answer = self.sync_http.post("/v1/uploads", json={"scans": queued})
            self._check(answer)
            with self.lock:
                feed.mark_uploaded(self.pack, answer.json()["nonces"])

    def _pull(self) -> None:
        while True:
            with self.lock:
                cursor = feed.lane_cursor(self.pack)
                queue = feed.queue_length(self.pack)
            answer = self.sync_http.get("/v1/changes", params={"since": cursor,
                                                              "queue": queue})
            self._check(answer)
            page = feed.changes_from_json(answer.json())
            with self.lock:
                feed.apply_changes(self.pack, page)
                if page.tickets or page.revocations:
                    self.session.refresh(self.pack)
            if not page.more:
                return

    def _check(self, answer: httpx.Response) -> None:
        """Raise for a refusal: 401 stops the lane; 5xx is the server's trouble (treated
        like no answer); any other 4xx is a BoxOfficeError with the server's words."""
        if answer.status_code < 400:
            return
        try:
            body = answer.json()
            code, message = str(body["error"]), str(body["message"])
        except (ValueError, KeyError, TypeError):
            code, message = "server_error", f"the server answered {answer.status_code}"
        if answer.status_code == 401:
            self.stopped = f"the check-in server refused this lane: {message}"
            self.online = False
            raise LaneStopped(self.stopped, code=code)
        if answer.status_code >= 500:
            raise httpx.HTTPStatusError(message, request=answer.request, response=answer)
        raise BoxOfficeError(message, code=code)
