"""A flex pass online: found by its number or code and the holder's email or phone, its
page (admissions left, the series' performances, the tickets redeemed with their QR
codes and a PDF), and redeeming it for a performance: seats on the map or in the list,
the best seats free, or general-admission places. What may be redeemed is decided in
core (core.sales.online_flex over core.sales.flex)."""

from __future__ import annotations

import html
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from core import clock
from core.errors import BoxOfficeError, NotFound
from core.sales import flex, online_flex
from core.sales.online_flex import flex_key, flex_key_ok
from core.seatmap import venue_drawing
from core.venue import performances, seat_plan, venues
from hardware.ticket_pdf import tickets_pdf
from web import session as sessions
from web.orders import qr_svg
from web.renewing import field, lookup, posted
from web.seatmap_svg import seat_map_svg, seat_words
from web.session import Session
from web.site import Storefront, storefront
from web.tickets import ticket_prints


def pass_link(store: Storefront, pass_id: int, tail: str = "") -> str:
    return f"/flex/{pass_id}{tail}?key={flex_key(store.secret, pass_id)}"


def find_page(request: Request) -> Response:
    store = storefront(request)
    session = sessions.load(request, store.secret)
    page = store.page("flex_find.html", csrf=session.csrf, flash=session.take_flash())
    return sessions.save(page, session, store.secret, request)


async def find(request: Request) -> Response:
    """The pass's number or code and the email or phone on file: the pass's page."""
    def found(store: Storefront, form: FormData) -> str:
        chosen = online_flex.find_for_patron(store.db, field(form, "pass", 300),
                                             field(form, "contact"))
        return pass_link(store, chosen.id)
    return await lookup(request, found, "/flex")


def _checked_pass(store: Storefront, request: Request) -> flex.FlexPass:
    pass_id = int(request.path_params["pass_id"])
    if not flex_key_ok(store.secret, pass_id, request.query_params.get("key", "")):
        raise HTTPException(404, "There is no such pass, or the link is not complete: "
                                 "enter your pass again.")
    try:
        return flex.get_pass(store.db, pass_id)
    except NotFound:
        raise HTTPException(404, "There is no such pass.") from None


def pass_page(request: Request) -> Response:
    store = storefront(request)
    chosen = _checked_pass(store, request)
    session = sessions.load(request, store.secret)
    offer = online_flex.pass_offer(store.db, chosen, clock.now())
    values: dict[str, Any] = {
        "offer": offer, "flex": chosen, "flash": session.take_flash(),
        "when": {show.performance_id: store.local(show.starts_at)
                 for show in offer.performances},
        "events": {show.performance_id: performances.get_performance(
            store.db, show.performance_id).event_name for show in offer.performances},
        "key": flex_key(store.secret, chosen.id),
        "tickets": [(t, qr_svg(t.code)) for t in ticket_prints(store, chosen.order_id)],
        "pdf": pass_link(store, chosen.id, "/tickets.pdf")}
    response = store.page("flex.html", **values)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return sessions.save(response, session, store.secret, request)


def tickets_file(request: Request) -> Response:
    store = storefront(request)
    chosen = _checked_pass(store, request)
    prints = ticket_prints(store, chosen.order_id)
    if not prints:
        raise HTTPException(404, "This pass has no tickets yet: choose a performance.")
    body = tickets_pdf(prints, title=f"Flex pass {chosen.id}")
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="flex-pass-{chosen.id}.pdf"',
        "Cache-Control": "no-store"})


def seats_page(request: Request) -> Response:
    """Choosing seats for a pass at one performance: the hall's map and list (a stadium:
    the best seats in a section), and the general-admission areas."""
    store = storefront(request)
    chosen = _checked_pass(store, request)
    now = clock.now()
    performance_id = int(request.path_params["performance_id"])
    offer = online_flex.pass_offer(store.db, chosen, now)
    show = next((s for s in offer.performances if s.performance_id == performance_id),
                None)
    if show is None:
        raise HTTPException(404, "That performance is not one this pass can be used for.")
    performance = performances.get_performance(store.db, performance_id)
    session = sessions.load(request, store.secret)
    seatmap = venues.venue_seatmap(store.db, performance.venue_id)
    _, by_section = store.counts(performance_id, now)
    values: dict[str, Any] = {
        "flex": chosen, "performance": performance, "when": store.local(show.starts_at),
        "why_not": show.why_not, "csrf": session.csrf, "flash": session.take_flash(),
        "action": pass_link(store, chosen.id, f"/performances/{performance_id}"),
        "back": pass_link(store, chosen.id), "stadium": seatmap.overview is not None,
        "most": min(chosen.left, chosen.per_performance),
        "zones": [(code, zone.name) for code, zone in seatmap.zones.items()],
        "sections": [(s.name, s.code, by_section.get(s.code, {}).get("open", 0))
                     for s in seatmap.sections],
        "areas": [(a.name, a.code, by_section.get(a.code, {}).get("open", 0))
                  for a in seatmap.areas],
        "available": {}, "svg": "", "taken_css": "", "state_url": "", "map_version": ""}
    if seatmap.overview is None:
        drawing = venue_drawing(seatmap)
        taken = set(seat_plan.plan_states(store.db, performance_id, now,
                                          store.seat_index(performance), None))
        available: dict[str, list[tuple[str, str]]] = {}
        for seat in drawing.seats:
            if (seat.section, seat.row, seat.number) not in taken:
                zone = seatmap.zones[seat.zone]
                available.setdefault(zone.name, []).append((
                    f"{seat.section}-{seat.row}-{seat.number}",
                    html.unescape(seat_words(seat, zone.name))))
        values.update(available=available, svg=seat_map_svg(seatmap, ""),
                      taken_css=",".join(f"#s-{s}-{r}-{n}" for (s, r, n) in taken),
                      state_url=f"/performances/{performance_id}/state",
                      map_version=seatmap.sha256[:12])
    page = store.page("flex_seats.html", **values)
    page.headers["Cache-Control"] = "no-store"
    return sessions.save(page, session, store.secret, request)


def _count(form: FormData, name: str) -> int:
    text = field(form, name)
    if not text.isdigit() or not 1 <= int(text) <= 20:
        raise BoxOfficeError("choose a number from 1 to 20", code="bad_quantity")
    return int(text)


async def redeem(request: Request) -> Response:
    """Use admissions of the pass: seats, best available or places; back to the pass's
    page with its tickets, or to the seats with what went wrong."""
    store = storefront(request)
    chosen = _checked_pass(store, request)
    performance_id = int(request.path_params["performance_id"])
    back = pass_link(store, chosen.id, f"/performances/{performance_id}")

    def work(store: Storefront, session: Session, form: FormData) -> str:
        how = field(form, "how")
        now = clock.now()
        if how == "best":
            order = online_flex.redeem_online(
                store.db, chosen.id, performance_id, now, best=_count(form, "quantity"),
                zone=field(form, "zone") or None, section=field(form, "section") or None)
        elif how == "places":
            order = online_flex.redeem_online(
                store.db, chosen.id, performance_id, now, area=field(form, "area"),
                quantity=_count(form, "quantity"))
        else:
            keys = [value for value in form.getlist("seat") if isinstance(value, str)]
            if len(keys) > 20 or any(len(key) > 40 for key in keys):
                raise HTTPException(400, "The form's 'seat' field is not valid.")
            order = online_flex.redeem_online(store.db, chosen.id, performance_id, now,
                                              seat_keys=keys)
        used = flex.get_pass(store.db, chosen.id)
        session.say(f"Done: {used.used - chosen.used} admission(s) used, {used.left} left. "
                    f"Your tickets are below (order {order.number}).")
        return pass_link(store, chosen.id) + "#tickets"
    return await posted(request, back, work)
