"""What every storefront page shares: the config and rules, one database connection per
thread, the templates, the signing secret, the write limiter and the rate limits."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from core.admin import site
from core.config import Config
from core.gate import keys
from core.gate.codes import Signer
from core.money import format_cents
from core.reports import sell_through
from core.sales import online
from core.sales.card_provider import CardProvider, provider_from_config
from core.store.db import Database, Location, connect, home_path
from core.store.schema import database_id
from core.times import stamp
from core.venue import performances, seat_plan, venues
from core.venue.performances import Performance
from web import session as sessions
from web.seatmap_svg import web_colour

HERE = Path(__file__).parent
COUNTS_SECONDS = 5.0     # how long a performance's seat counts are reused
LOCK_WAIT_MS = 1500      # a web write waits this long for the lock; a window waits longer
WEB_WRITERS = 2          # web requests writing at once; the rest queue here, not in SQLite

Counts = tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]


class Storefront:
    def __init__(self, database: Location, config: Config,
                 provider: CardProvider | None = None) -> None:
        self.database = database
        self.config = config
        self.provider = provider if provider is not None else provider_from_config(config)
        self.currency = config.payments.currency or config.venue.currency
        self.rules = online.OnlineRules.from_config(config.web)
        self._local = threading.local()
        self._indexes: dict[tuple[int, str], seat_plan.SeatIndex] = {}
        self._writers = threading.BoundedSemaphore(WEB_WRITERS)
        self._counts: dict[int, tuple[float, Counts]] = {}
        self._counts_lock = threading.Lock()
        per_minute = config.web.posts_per_minute
        self.holds = sessions.RateLimiter(limit=per_minute, window=60)   # cart, checkout
        self.lookups = sessions.RateLimiter(limit=max(2, per_minute // 3), window=300)
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                     autoescape=select_autoescape(["html"]))
        self.templates.globals["money"] = format_cents
        self.templates.globals["colour"] = web_colour
        self._secret = config.web.secret
        self._signer: Signer | None = None

    @property
    def db(self) -> Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = connect(self.database, lock_wait_ms=LOCK_WAIT_MS)
        return db

    @property
    def secret(self) -> str:
        if not self._secret:
            self._secret = online.site_secret(self.db)
        return self._secret

    @contextmanager
    def writing(self) -> Iterator[None]:
        """The windows stay first: at most WEB_WRITERS web requests write at once, and
        each waits for SQLite's lock only LOCK_WAIT_MS (a window waits seconds)."""
        with self._writers:
            yield

    def client(self, request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def seat_index(self, performance: Performance) -> seat_plan.SeatIndex:
        """The venue's seats both ways, read once per performance and map version: the
        state every page polls would otherwise read every seat each time (a stadium's
        37,000 take ~150 ms)."""
        version = venues.venue_seatmap(self.db, performance.venue_id).sha256
        key = (performance.id, version)
        index = self._indexes.get(key)
        if index is None:
            index = self._indexes[key] = seat_plan.seat_index(self.db, performance.id)
        return index

    def counts(self, performance_id: int, now: datetime) -> Counts:
        """The performance's seats by zone and by section (sell_through.counts), reused
        for COUNTS_SECONDS: "few left" on the listing need not be exact to the second, and
        a stadium's 37,000 seats take ~60 ms to count. The seat map's own state is never
        cached."""
        moment = time.monotonic()
        with self._counts_lock:
            cached = self._counts.get(performance_id)
            if cached is not None and moment - cached[0] < COUNTS_SECONDS:
                return cached[1]
        by_zone, by_section, _ = sell_through.counts(self.db, performance_id, stamp(now))
        with self._counts_lock:
            self._counts[performance_id] = (moment, (dict(by_zone), dict(by_section)))
        return dict(by_zone), dict(by_section)

    def seat_index_for(self, performance_id: int) -> seat_plan.SeatIndex:
        return self.seat_index(performances.get_performance(self.db, performance_id))

    def page(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        """A template rendered with the site's name, colour, banner, hours, address and
        information pages (a coordinator may have changed them a moment ago)."""
        values.setdefault("site", site.site_info(self.db, self.config))
        values.setdefault("pages", site.list_pages(self.db))
        values.setdefault("house", values["site"].name)
        return HTMLResponse(self.templates.get_template(name).render(**values),
                            status_code=status)

    def local(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.config.zone):%a %d %b %Y, %H:%M}"

    def clock_time(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.config.zone):%H:%M}"

    def performance_names(self, ids: Iterable[int]) -> dict[int, str]:
        names = {}
        for performance_id in ids:
            show = performances.get_performance(self.db, performance_id)
            names[performance_id] = f"{show.event_name}, {self.local(show.starts_at)}"
        return names

    def order_link(self, number: str) -> str:
        return f"/orders/{number}?key={sessions.order_key(self.secret, number)}"

    def signer(self) -> Signer:
        """The key that signs ticket codes, the same the window prints with."""
        if self._signer is None:
            from core.config import ticket_key_dir

            source = self.config.source
            key_dir = ticket_key_dir(self.config, home_path(self.database, source.parent
                                                            if source else None),
                                     database_id(self.db))
            keys.ensure_signing_key(self.db, key_dir)
            self._signer = keys.load_signer(self.db, key_dir)
        return self._signer


def storefront(request: Request) -> Storefront:
    store: Storefront = request.app.state.storefront
    return store
