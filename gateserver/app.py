"""The check-in server's Starlette app. Handlers are thin: read the request, call one core
service (core.gate.lanes, core.gate.feed), answer JSON. Every lane request carries
`Authorization: Bearer <device token>`; an unknown or revoked token is 401 and changes
nothing. The API is described in `/openapi.json` (gateserver/openapi.py).

Handlers are plain `def`s (Starlette runs them in its thread pool): core waits for
SQLite's writer with `time.sleep`. Each thread keeps its own connection; writes go one at
a time through a lock, so threads queue here instead of polling SQLite's lock.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from core import clock
from core.config import Config, database_location, load_config
from core.errors import BoxOfficeError
from core.gate import feed, lanes
from core.gate.checkin import Verdict
from core.gate.lanes import Lane
from core.store.db import Database, as_location
from core.store.schema import database_id, open_database
from core.venue import performances
from gateserver import dashboard
from gateserver.errors import RequestError, error_response
from gateserver.openapi import openapi_document

MAX_BODY: Final = 2_000_000        # bytes: an upload of 1,000 scans is about 300 kB


class Databases:
    """One connection per server thread, opened on first use."""

    def __init__(self, factory: Callable[[], Database]) -> None:
        self.factory = factory
        self.local = threading.local()

    def get(self) -> Database:
        db: Database | None = getattr(self.local, "db", None)
        if db is None:
            db = self.factory()
            self.local.db = db
        return db


def _body(request_body: bytes) -> dict[str, Any]:
    if len(request_body) > MAX_BODY:
        raise RequestError(f"a request body is at most {MAX_BODY} bytes",
                           code="body_too_large", status=413)
    try:
        data = json.loads(request_body or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        raise RequestError(f"the body is not JSON: {error}", code="bad_json",
                           status=400) from error
    if not isinstance(data, dict):
        raise RequestError("the body is a JSON object")
    return data


def _text(data: Mapping[str, Any], name: str, *, limit: int = 200) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise RequestError(f"{name} is text of 1 to {limit} characters")
    return value


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    return {"code": verdict.code, "word": verdict.word, "detail": verdict.detail,
            "tone": verdict.tone, "admitted": verdict.admitted,
            "ticket_id": verdict.ticket_id, "reason": verdict.reason,
            "replayed": verdict.replayed}


def create_app(config: Config, db_factory: Callable[[], Database]) -> Starlette:
    """The server over the database `db_factory` opens (once per thread)."""
    databases = Databases(db_factory)
    writer = threading.Lock()

    def lane_of(request: Request, db: Database, *, queue: int | None = None) -> Lane:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        with writer:
            return lanes.authenticate_lane(db, token.strip() if scheme.lower() == "bearer"
                                           else "", now=clock.now(), queue_length=queue)

    def answer(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def run(request: Request) -> Response:
            try:
                return handler(request)
            except BoxOfficeError as error:
                return error_response(error)
        return run

    def scans(request: Request) -> Response:
        db = databases.get()
        lane = lane_of(request, db)
        data = _body(_read(request))
        mode = data.get("mode", "entry")
        if not isinstance(mode, str):
            raise RequestError("mode is entry, exit or status")
        with writer:
            verdict, scan = lanes.judge(db, lane, _text(data, "gate", limit=40), mode,
                                        _text(data, "code", limit=4096),
                                        _text(data, "nonce", limit=64), now=clock.now(),
                                        zone=config.zone)
        return JSONResponse({"verdict": verdict_json(verdict), "scan": scan})

    def uploads(request: Request) -> Response:
        db = databases.get()
        lane = lane_of(request, db)
        data = _body(_read(request))
        rows = data.get("scans")
        if not isinstance(rows, list):
            raise RequestError("scans is a list of scans judged offline")
        with writer:
            done = lanes.upload(db, lane, rows, now=clock.now())
        return JSONResponse({"received": done.received, "added": done.added,
                             "already_recorded": done.already_recorded,
                             "conflicts": done.conflicts, "nonces": list(done.nonces)})

    def changes(request: Request) -> Response:
        db = databases.get()
        queue_text = request.query_params.get("queue")
        queue = None
        if queue_text is not None:
            if not queue_text.isdigit() or len(queue_text) > 9:
                lane_of(request, db)        # the token first: a stranger learns nothing
                raise RequestError("queue is the number of scans waiting on the lane")
            queue = int(queue_text)
        lane = lane_of(request, db, queue=queue)
        page = feed.changes_since(db, lane.performance_id,
                                  request.query_params.get("since", "0.0"))
        return JSONResponse({"cursor": page.cursor, "more": page.more, "scans": page.scans,
                             "tickets": page.tickets, "seats": page.seats,
                             "revocations": page.revocations})

    def lane_info(request: Request) -> Response:
        db = databases.get()
        lane = lane_of(request, db)
        show = performances.get_performance(db, lane.performance_id)
        return JSONResponse({"id": lane.id, "name": lane.name, "device": lane.device,
                             "performance_id": lane.performance_id,
                             "event": show.event_name,
                             "starts_at": show.starts_at.isoformat(),
                             "database_id": database_id(db)})

    def pack(request: Request) -> Response:
        db = databases.get()
        lane = lane_of(request, db)
        folder = Path(tempfile.mkdtemp(prefix="gate-pack-"))
        path = folder / "lane.pack"
        # not under the writer lock: the export reads one snapshot and journals once;
        # scans must not wait a second for a lane fetching its pack
        lanes.lane_pack(db, lane, path, now=clock.now())

        def remove() -> None:
            path.unlink(missing_ok=True)
            folder.rmdir()

        return FileResponse(path, media_type="application/vnd.sqlite3",
                            filename=f"lane-{lane.id}.pack", background=BackgroundTask(remove))

    def health(request: Request) -> Response:
        databases.get().execute("SELECT 1").fetchone()
        return JSONResponse({"status": "ok", "time": clock.now().isoformat()})

    def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document())

    routes = [
        Route("/v1/scans", answer(scans), methods=["POST"]),
        Route("/v1/uploads", answer(uploads), methods=["POST"]),
        Route("/v1/changes", answer(changes), methods=["GET"]),
        Route("/v1/lane", answer(lane_info), methods=["GET"]),
        Route("/v1/pack", answer(pack), methods=["GET"]),
        Route("/v1/health", answer(health), methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        *dashboard.routes(config, databases.get),
    ]
    return Starlette(routes=routes, middleware=[Middleware(BodyReader)])


def _read(request: Request) -> bytes:
    """The body of a request a sync handler serves (Starlette reads it on the loop)."""
    body = request.scope.get("gate.body")
    return body if isinstance(body, bytes) else b""


def app_from_environment() -> Any:
    """The app uvicorn starts (`boxoffice gate-server`): the config file and database named
    by BOXOFFICE_CONFIG and BOXOFFICE_GATE_DB."""
    config_path = os.environ.get("BOXOFFICE_CONFIG")
    config = load_config(Path(config_path) if config_path else None)
    db_path = as_location(os.environ.get("BOXOFFICE_GATE_DB") or database_location(config))
    open_database(db_path).close()     # migrate once, before the threads start
    return create_app(config, lambda: open_database(db_path))


class BodyReader:
    """ASGI middleware: reads the body on the event loop (at most MAX_BODY + 1 bytes) into
    the scope, so the thread-pool handlers never touch the loop."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] in ("POST", "PUT", "PATCH"):
            chunks: list[bytes] = []
            size = 0
            more = True
            while more:
                message = await receive()
                chunk = message.get("body", b"")
                size += len(chunk)
                if size <= MAX_BODY + 1:
                    chunks.append(chunk)
                more = message.get("more_body", False)
            scope = {**scope, "gate.body": b"".join(chunks)[:MAX_BODY + 1]}
        await self.app(scope, receive, send)
