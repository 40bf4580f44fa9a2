"""Season packages on the storefront: what is sold as a season (`/subscriptions`), and a
fixed package's page, where the seat is chosen once on the first performance's map or
list (a seat not free at every performance of the series is greyed), or as the best
seats free at every performance. The seats go into the patron's ordinary cart and are
checked out like any tickets (web/buying.py's `add_package`); core decides
(core.sales.online_packages)."""

from __future__ import annotations

import html
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from core import clock
from core.errors import NotFound
from core.sales import online_packages
from core.sales.package_seats import package_plan
from core.seatmap import venue_drawing
from core.venue import performances, seat_plan, venues
from web import session as sessions
from web.seatmap_svg import seat_map_svg, seat_words
from web.site import storefront


def list_page(request: Request) -> Response:
    store = storefront(request)
    now = clock.now()
    offers = online_packages.packages_online(store.db, store.rules, now)
    dates = {offer.package.id: (store.local(performances.get_performance(
        store.db, offer.series.performance_ids[0]).starts_at), store.local(
        performances.get_performance(store.db, offer.series.performance_ids[-1]).starts_at))
        for offer in offers}
    return store.page("subscriptions.html", offers=offers, dates=dates)


def package_page(request: Request) -> Response:
    store = storefront(request)
    now = clock.now()
    try:
        offer = online_packages.package_offer(store.db, int(request.path_params["package_id"]),
                                              store.rules, now)
    except NotFound:
        raise HTTPException(404, "There is no such season package.") from None
    session = sessions.load(request, store.secret)
    first = performances.get_performance(store.db, offer.series.performance_ids[0])
    seatmap = venues.venue_seatmap(store.db, first.venue_id)
    # a seat is offered only when it is free at every performance of the series
    taken = set(seat_plan.plan_states(store.db, first.id, now, store.seat_index(first),
                                      None)) | set(package_plan(
        store.db, offer.package.id, now, index=store.seat_index(first)))
    available: dict[str, list[tuple[str, str]]] = {}
    for seat in venue_drawing(seatmap).seats if seatmap.overview is None else ():
        if (seat.section, seat.row, seat.number) not in taken:
            zone = seatmap.zones[seat.zone]
            available.setdefault(zone.name, []).append((
                f"{seat.section}-{seat.row}-{seat.number}",
                html.unescape(seat_words(seat, zone.name))))
    zones = {code: zone.name for code, zone in seatmap.zones.items()}
    types = list(dict.fromkeys(p.price_type for p in offer.prices))
    values: dict[str, Any] = {
        "offer": offer, "csrf": session.csrf, "flash": session.take_flash(),
        "names": store.performance_names(offer.series.performance_ids),
        "zones": zones, "types": types,
        "grid": {(p.zone, p.price_type): p.total_cents for p in offer.prices},
        "price_zones": list(dict.fromkeys(p.zone for p in offer.prices)),
        "stadium": seatmap.overview is not None, "available": available,
        "svg": seat_map_svg(seatmap, "") if seatmap.overview is None else "",
        "taken_css": ",".join(f"#s-{s}-{r}-{n}" for (s, r, n) in taken),
        "state_url": f"/performances/{first.id}/state", "map_version": seatmap.sha256[:12],
        "max_seats": store.rules.max_tickets}
    page = store.page("package.html", **values)
    return sessions.save(page, session, store.secret, request)
