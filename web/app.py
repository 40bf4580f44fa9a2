"""The storefront's ASGI app: `create_app()` (uvicorn's factory, see `boxoffice serve`).

Pages (server-rendered, working without JavaScript; a small hand-written script only
refreshes availability):
- `/`: the performances from today on, with what is on sale, from when, sold out or
  few left;
- `/performances/{id}`: prices by zone and price type with the fee shown, the seat map as
  SVG (its geometry cached per map version), and the available seats as a list;
- `/performances/{id}/map.svg`: the map alone (cacheable by its version);
- `/performances/{id}/state`: the seats taken now, as JSON, with an ETag: an unchanged
  map costs a 304;
- `/health`.

Every figure comes from core services; this module only shapes them for the browser.
Errors never show a stack trace: a clear page with the status.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from core import clock
from core.admin import site
from core.config import Config, database_location, load_config
from core.errors import NotFound
from core.money import format_cents
from core.sales import online, online_settings
from core.sales.card_provider import CardProvider
from core.seatmap import section_drawing, venue_drawing
from core.store.db import as_location
from core.venue import performances, pricing, seat_plan, venues
from core.venue.performances import Performance
from web import buying, flexing, orders, packages, paying, renewing
from web import session as sessions
from web.seatmap_svg import seat_map_svg, seat_words
from web.site import HERE, Storefront, storefront

FEW_LEFT = 0.10           # "few left" under this share of the capacity


@dataclass(frozen=True)
class Listing:
    performance: Performance
    when: str
    status: str             # on sale, on sale from ..., sold out, few left, off sale
    open_seats: int
    capacity: int


def listing(store: Storefront, performance: Performance, now: datetime) -> Listing:
    by_zone, _ = store.counts(performance.id, now)
    open_seats = sum(z["open"] for z in by_zone.values())
    capacity = sum(z["capacity"] for z in by_zone.values())
    why = online_settings.online_status(store.db, performance.id, now)
    if not why:
        status = ("sold out" if open_seats == 0 else
                  "few left" if open_seats < capacity * FEW_LEFT else "on sale")
    else:
        opens = (performance.on_sale_at if why == "not_on_sale_yet" else
                 online_settings.online_settings(store.db, performance.id).on_sale_at)
        status = {"not_on_sale_yet": f"on sale from {store.local(opens) if opens else ''}",
                  "online_later": f"on sale from {store.local(opens) if opens else ''}",
                  "not_online": "at the box office only",
                  "performance_cancelled": "cancelled"}.get(why, "off sale")
    return Listing(performance, store.local(performance.starts_at), status, open_seats,
                   capacity)


def _performance(request: Request) -> Performance:
    try:
        return performances.get_performance(storefront(request).db,
                                            int(request.path_params["performance_id"]))
    except NotFound:
        raise HTTPException(404, "There is no such performance.") from None


def index(request: Request) -> HTMLResponse:
    store = storefront(request)
    now = clock.now()
    today = datetime.combine(now.astimezone(store.config.zone).date(), time(0),
                             store.config.zone)
    shows = [listing(store, p, now) for p in performances.list_performances(store.db,
                                                                           since=today)
             if p.status != "cancelled"]
    return store.page("index.html", shows=shows)


def performance_page(request: Request) -> Response:
    store = storefront(request)
    performance = _performance(request)
    session = sessions.load(request, store.secret)
    now = clock.now()
    grid = pricing.price_grid(store.db, performance.id)
    seatmap = venues.venue_seatmap(store.db, performance.venue_id)
    shown = listing(store, performance, now)
    types = online.online_price_types(store.db, store.rules, grid) or grid.price_types
    settings = online_settings.online_settings(store.db, performance.id)
    common: dict[str, Any] = {
        "listing": shown, "grid": grid, "zones": seatmap.zones, "csrf": session.csrf,
        "flash": session.take_flash(), "types": types, "online_fee": settings.fee_cents,
        "max_tickets": settings.max_tickets or store.rules.max_tickets,
        "selling": shown.status in ("on sale", "few left") and bool(types)}
    section = str(request.path_params.get("section", ""))
    if seatmap.overview is not None and not section:
        # a stadium: its sections (each opens its own map) and its standing areas
        _, by_section = store.counts(performance.id, now)
        sections = [(item.name, item.code, by_section.get(item.code, {}).get("open", 0))
                    for item in seatmap.sections]
        areas = [(area.name, area.code, by_section.get(area.code, {}).get("open", 0))
                 for area in seatmap.areas]
        page = store.page("stadium.html", sections=sections, areas=areas, **common)
        return sessions.save(page, session, store.secret, request)
    if section and section not in {item.code for item in seatmap.sections}:
        raise HTTPException(404, "There is no such section.")
    drawing = section_drawing(seatmap, section) if section else venue_drawing(seatmap)
    index = store.seat_index(performance)
    taken = {key for key in seat_plan.plan_states(store.db, performance.id, now, index, None)
             if not section or key[0] == section}
    available: dict[str, list[tuple[str, str]]] = {}
    for seat in drawing.seats:
        if (seat.section, seat.row, seat.number) not in taken:
            zone = seatmap.zones[seat.zone]
            price = grid.get(seat.zone, types[0][0]) if types else None
            available.setdefault(zone.name, []).append((
                f"{seat.section}-{seat.row}-{seat.number}",
                html.unescape(seat_words(seat, zone.name))
                + (f", {format_cents(price.total_cents + settings.fee_cents)}" if price
                   else "")))
    # the seats taken when the page was made, greyed without JavaScript too
    taken_css = ",".join(f"#s-{s}-{r}-{n}" for (s, r, n) in taken)
    state_url = f"/performances/{performance.id}/state" + (
        f"?section={section}" if section else "")
    page = store.page("performance.html", available=available, taken_css=taken_css,
                      svg=seat_map_svg(seatmap, section), map_version=seatmap.sha256[:12],
                      section=section, state_url=state_url, **common)
    return sessions.save(page, session, store.secret, request)


def map_svg(request: Request) -> Response:
    store = storefront(request)
    performance = _performance(request)
    seatmap = venues.venue_seatmap(store.db, performance.venue_id)
    return Response(seat_map_svg(seatmap), media_type="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=86400",
                             "ETag": f'"{seatmap.sha256[:16]}"'})


def state(request: Request) -> Response:
    """The seats not available now: {"taken": ["ORCH-F-107", ...]}, with an ETag over
    them, so a page that polls an unchanged map gets a 304 and no body."""
    store = storefront(request)
    performance = _performance(request)
    index = store.seat_index(performance)
    section = request.query_params.get("section", "")
    taken = sorted(f"{s}-{r}-{n}" for (s, r, n) in seat_plan.plan_states(
        store.db, performance.id, clock.now(), index, None) if not section or s == section)
    body = json.dumps({"taken": taken}, separators=(",", ":"))
    tag = '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers={"ETag": tag})
    return Response(body, media_type="application/json",
                    headers={"ETag": tag, "Cache-Control": "no-cache"})


def info_page(request: Request) -> Response:
    store = storefront(request)
    try:
        page = site.get_page(store.db, str(request.path_params["slug"]))
    except NotFound:
        raise HTTPException(404, "There is no such page.") from None
    # Markdown without raw HTML: a page cannot carry a script
    body = MarkdownIt("commonmark", {"html": False}).render(page.body)
    return store.page("info.html", page=page, body=body)


def logo(request: Request) -> Response:
    found = site.logo(storefront(request).db)
    if found is None:
        raise HTTPException(404, "There is no logo.")
    content, media_type = found
    return Response(content, media_type=media_type,
                    headers={"Cache-Control": "public, max-age=300"})


def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def http_error(request: Request, exc: Exception) -> HTMLResponse:
    store = storefront(request)
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = exc.detail if isinstance(exc, HTTPException) else \
        "Something went wrong on our side. Please try again in a moment."
    return store.page("error.html", status=status, status_code=status, message=message)


def create_app(database: str | Path | None = None, config: Config | None = None,
               provider: CardProvider | None = None) -> Starlette:
    """The app; with no arguments (uvicorn's factory), the database and config come from
    BOXOFFICE_DB and BOXOFFICE_CONFIG, as `boxoffice serve` sets them."""
    config = config or load_config(Path(os.environ["BOXOFFICE_CONFIG"])
                                   if os.environ.get("BOXOFFICE_CONFIG") else None)
    path = as_location(database or os.environ.get("BOXOFFICE_DB")
                       or database_location(config))
    app = Starlette(routes=[
        Route("/", index),
        Route("/performances/{performance_id:int}", performance_page),
        Route("/performances/{performance_id:int}/sections/{section:str}", performance_page),
        Route("/performances/{performance_id:int}/map.svg", map_svg),
        Route("/performances/{performance_id:int}/state", state),
        Route("/performances/{performance_id:int}/seats", buying.add_seats, methods=["POST"]),
        Route("/performances/{performance_id:int}/best", buying.add_best, methods=["POST"]),
        Route("/performances/{performance_id:int}/places", buying.add_places,
              methods=["POST"]),
        Route("/cart", buying.cart_page),
        Route("/queue", buying.queue_page),
        Route("/queue/status", buying.queue_status),
        Route("/cart/{action:str}", buying.cart_action, methods=["POST"]),
        Route("/checkout", buying.checkout, methods=["POST"]),
        Route("/orders", orders.find_page),
        Route("/orders", orders.find, methods=["POST"]),
        Route("/orders/{number:str}", orders.order_page),
        Route("/orders/{number:str}/tickets.pdf", orders.tickets_file),
        Route("/orders/{number:str}/pay", paying.pay_page),
        Route("/orders/{number:str}/retry", paying.retry, methods=["POST"]),
        Route("/orders/{number:str}/confirm", paying.confirm, methods=["POST"]),
        Route("/webhooks/payments", paying.webhook, methods=["POST"]),
        Route("/subscriptions", packages.list_page),
        Route("/subscriptions/{package_id:int}", packages.package_page),
        Route("/subscriptions/{package_id:int}/seats", buying.add_package, methods=["POST"]),
        Route("/renew", renewing.find_page),
        Route("/renew", renewing.find, methods=["POST"]),
        Route("/renew/{code:str}", renewing.renewal_page),
        Route("/renew/{code:str}/pay", renewing.renew, methods=["POST"]),
        Route("/renew/{code:str}/change", renewing.change, methods=["POST"]),
        Route("/flex", flexing.find_page),
        Route("/flex", flexing.find, methods=["POST"]),
        Route("/flex/{pass_id:int}", flexing.pass_page),
        Route("/flex/{pass_id:int}/tickets.pdf", flexing.tickets_file),
        Route("/flex/{pass_id:int}/performances/{performance_id:int}", flexing.seats_page),
        Route("/flex/{pass_id:int}/performances/{performance_id:int}", flexing.redeem,
              methods=["POST"]),
        Route("/info/{slug:str}", info_page),
        Route("/site/logo", logo),
        Route("/health", health),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ], exception_handlers={HTTPException: http_error, Exception: http_error},
        middleware=[Middleware(GZipMiddleware, minimum_size=1000, compresslevel=5)])
    app.state.storefront = Storefront(path, config, provider)
    return app
