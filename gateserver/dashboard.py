"""The live admissions page the check-in server serves to the LAN: `/` lists the
performances that have lanes, `/admissions/{id}` draws core.gate.admissions with inline
SVG charts. Server-rendered HTML, refreshed by the browser every 5 s (no JavaScript).
Read-only aggregates (no names, no codes): it asks for no token."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from core import clock
from core.config import Config
from core.errors import NotFound
from core.gate import admissions, lanes
from core.gate.checkin import WORDS
from core.store.db import Database
from core.venue import performances
from gateserver.charts import arrival_curve, per_minute_bars

_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(["html"]))


def routes(config: Config, database: Callable[[], Database]) -> list[Route]:
    def local(moment: datetime) -> str:
        return moment.astimezone(config.zone).strftime("%a %d %b %H:%M")

    def index(request: Request) -> Response:
        db = database()
        counts: dict[int, int] = {}
        for lane in lanes.list_lanes(db, include_revoked=False):
            counts[lane.performance_id] = counts.get(lane.performance_id, 0) + 1
        shows = [(performances.get_performance(db, pid), n) for pid, n in counts.items()]
        html = _TEMPLATES.get_template("index.html").render(
            shows=shows, starts=lambda show: local(show.starts_at))
        return HTMLResponse(html)

    def page(request: Request) -> Response:
        db = database()
        try:
            performance_id = int(request.path_params["performance_id"])
            picture = admissions.admissions(db, performance_id, now=clock.now())
        except NotFound as error:
            return HTMLResponse(f"<p>{error.message}</p>", status_code=404)
        html = _TEMPLATES.get_template("admissions.html").render(
            a=picture, starts=local(picture.starts_at), now=local(picture.now),
            words=WORDS, arrivals=arrival_curve(picture.arrivals, admissions.BUCKET_MINUTES),
            per_gate=per_minute_bars([(g.gate, g.scans_last_minute) for g in picture.gates]))
        return HTMLResponse(html)

    return [Route("/", index, methods=["GET"]),
            Route("/admissions/{performance_id:int}", page, methods=["GET"])]
