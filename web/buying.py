"""Choosing seats, the cart and checkout: the storefront's forms.

Every form posts back here with the session's CSRF token and ends in a redirect (303), so
a reload never posts twice. What a patron may do is decided in core (core.sales.online
and core.sales.reservations); this module reads the form, calls core, and says what
happened. A refusal (a seat just taken, a limit, a bad email) comes back as a message on
the page the patron was on, with nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from core import clock
from core.errors import BoxOfficeError, DatabaseBusy
from core.sales import card_checkout, online, online_packages, reservations, waiting_room
from core.sales.carts import view_cart
from core.sales.reservations import Contact
from core.venue import pricing, seat_plan
from web import session as sessions
from web.mailing import send_order_email
from web.session import Session
from web.site import Storefront, storefront

MAX_FIELD = 200        # characters in any text field; more is a tampered form


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    if not isinstance(value, str) or len(value) > MAX_FIELD:
        raise HTTPException(400, f"The form's '{name}' field is not valid.")
    return value.strip()


def _number(form: FormData, name: str, low: int, high: int) -> int:
    text = _text(form, name)
    if not text.isdigit() or not low <= int(text) <= high:
        raise BoxOfficeError(f"choose a number from {low} to {high}", code="bad_quantity")
    return int(text)


async def _posted(request: Request, work: Callable[[Storefront, Session, FormData, datetime],
                                                     str]) -> Response:
    """Run a form's work: CSRF and rate limit checked first, the database write through
    the storefront's limiter, any refusal shown as a message; redirect where `work` says
    (or back where the patron came from)."""
    store = storefront(request)
    form = await request.form()
    if not store.holds.allow(store.client(request)):
        raise HTTPException(429, "Too many requests from your connection: wait a minute "
                                 "and try again.")

    def run() -> Response:
        session = sessions.load(request, store.secret)
        if not sessions.csrf_ok(session, form.get("csrf")):
            raise HTTPException(403, "This form has expired or was not sent by our site: "
                                     "go back, reload the page and try again.")
        back = request.headers.get("referer") or "/"
        if not in_line_and_admitted(store, session, clock.now()):
            return sessions.save(RedirectResponse("/queue", status_code=303), session,
                                 store.secret, request)
        try:
            with store.writing():
                target = work(store, session, form, clock.now())
        except DatabaseBusy:
            session.say("The box office is very busy right now: please try again.")
            target = back if back.startswith(str(request.base_url)) else "/cart"
        except BoxOfficeError as refusal:
            session.say(_sentence(str(refusal)))
            target = back if back.startswith(str(request.base_url)) else "/cart"
        return sessions.save(RedirectResponse(target, status_code=303), session,
                             store.secret, request)

    return await run_in_threadpool(run)


def in_line_and_admitted(store: Storefront, session: Session, now: datetime) -> bool:
    """True when the waiting room is off, or this patron's turn has come."""
    if not waiting_room.queue_settings(store.db).enabled:
        return True
    with store.writing():
        found = waiting_room.place(store.db, session.queue_entry, session.queue_token, now)
    return found is not None and found.admitted


def queue_page(request: Request) -> Response:
    """The line: this patron's place (joining it on the first visit), refreshed by the
    page itself every 10 s; when their turn comes, the way back to the seats."""
    store = storefront(request)
    session = sessions.load(request, store.secret)
    now = clock.now()
    settings = waiting_room.queue_settings(store.db)
    if not settings.enabled:
        return RedirectResponse("/", status_code=303)
    with store.writing():
        found = waiting_room.place(store.db, session.queue_entry, session.queue_token, now)
        if found is None:
            entry_id, token = waiting_room.join(store.db, now)
            session.use_queue(entry_id, token)
            found = waiting_room.place(store.db, entry_id, token, now)
    assert found is not None
    page = store.page("queue.html", place=found, flash=session.take_flash(),
                      opens=store.local(settings.opens_at) if settings.opens_at and
                      now < settings.opens_at else "")
    page.headers["Cache-Control"] = "no-store"
    return sessions.save(page, session, store.secret, request)


def queue_status(request: Request) -> Response:
    """{"admitted": bool, "ahead": n} for the line's page script (never joins)."""
    store = storefront(request)
    session = sessions.load(request, store.secret)
    with store.writing():
        found = waiting_room.place(store.db, session.queue_entry, session.queue_token,
                                   clock.now())
    if found is None:
        return JSONResponse({"admitted": False, "ahead": None}, status_code=404)
    return JSONResponse({"admitted": found.admitted, "ahead": found.ahead},
                        headers={"Cache-Control": "no-store"})


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def _performance_id(request: Request) -> int:
    return int(request.path_params["performance_id"])


async def add_seats(request: Request) -> Response:
    def work(store: Storefront, session: Session, form: FormData, now: datetime) -> str:
        show = _performance_id(request)
        keys = [value for value in form.getlist("seat") if isinstance(value, str)]
        if not keys:
            raise BoxOfficeError("choose at least one seat first")
        if len(keys) > store.rules.max_tickets:
            raise BoxOfficeError(f"one order can have at most {store.rules.max_tickets} "
                                 "tickets")
        index = store.seat_index_for(show)
        seat_ids = []
        for key in keys:
            seat_id = _seat_id(index, key)
            if seat_id is None:
                raise BoxOfficeError(f"there is no seat {key[:40]} at this performance")
            seat_ids.append(seat_id)
        session.use_cart(online.add_seats(store.db, session.cart_id, show, seat_ids,
                                          store.rules, now))
        return "/cart"
    return await _posted(request, work)


def _seat_id(index: seat_plan.SeatIndex, key: str) -> int | None:
    section, _, rest = key.partition("-")
    row, _, number = rest.rpartition("-")
    if not number.isdigit():
        return None
    return index.ids.get((section, row, int(number)))


async def add_best(request: Request) -> Response:
    def work(store: Storefront, session: Session, form: FormData, now: datetime) -> str:
        quantity = _number(form, "quantity", 1, store.rules.max_tickets)
        zone = _text(form, "zone") or None
        section = _text(form, "section") or None
        session.use_cart(online.add_best(store.db, session.cart_id, _performance_id(request),
                                         quantity, zone, store.rules, now, section=section))
        return "/cart"
    return await _posted(request, work)


async def add_places(request: Request) -> Response:
    def work(store: Storefront, session: Session, form: FormData, now: datetime) -> str:
        quantity = _number(form, "quantity", 1, store.rules.max_tickets)
        session.use_cart(online.add_places(store.db, session.cart_id,
                                           _performance_id(request), _text(form, "area"),
                                           quantity, store.rules, now))
        return "/cart"
    return await _posted(request, work)


def _cart_of(store: Storefront, session: Session, now: datetime) -> int:
    cart_id = online.live_cart(store.db, session.cart_id, now)
    if cart_id is None:
        session.use_cart(None)
        raise BoxOfficeError("your cart ran out of time and its seats went back on sale: "
                             "choose again")
    return cart_id


def _item(form: FormData) -> int:
    text = _text(form, "item")
    if not text.isdigit():
        raise HTTPException(400, "The form's 'item' field is not valid.")
    return int(text)


async def cart_action(request: Request) -> Response:
    action = request.path_params["action"]

    def work(store: Storefront, session: Session, form: FormData, now: datetime) -> str:
        cart_id = _cart_of(store, session, now)
        if action == "remove":
            online.remove(store.db, cart_id, _item(form), now)
        elif action == "type":
            online.set_price_type(store.db, cart_id, _item(form), _text(form, "price_type"),
                                  store.rules, now)
        elif action == "extend":
            until = online.extend(store.db, cart_id, store.rules, now)
            session.say(f"Your seats are held until {store.clock_time(until)}.")
        elif action == "empty":
            online.empty(store.db, cart_id, now)
            session.use_cart(None)
            return "/"
        else:
            raise HTTPException(404, "There is no such page.")
        return "/cart"
    return await _posted(request, work)


async def checkout(request: Request) -> Response:
    def work(store: Storefront, session: Session, form: FormData, now: datetime) -> str:
        cart_id = _cart_of(store, session, now)
        contact = Contact(_text(form, "name"), _text(form, "email"), _text(form, "phone"))
        method = _text(form, "method")
        if method == "card" and store.provider is not None:
            started = card_checkout.start(store.db, cart_id, contact, store.provider,
                                          store.config.web, now,
                                          currency=store.currency)
            session.use_cart(None)
            number = reservations.web_order(store.db, started.order_id).number
            return store.order_link(number).replace("?", "/pay?")
        if method != "reserve":
            raise BoxOfficeError("choose how to pay")
        order = reservations.reserve(store.db, cart_id, contact, store.config.web, now)
        session.use_cart(None)
        send_order_email(store, order.id, store.config.web.base_url
                         or str(request.base_url).rstrip("/"))
        return store.order_link(order.number)
    return await _posted(request, work)


def cart_page(request: Request) -> Response:
    store = storefront(request)
    session = sessions.load(request, store.secret)
    now = clock.now()
    if session.cart_id is None and not in_line_and_admitted(store, session, now):
        return sessions.save(RedirectResponse("/queue", status_code=303), session,
                             store.secret, request)
    cart_id = online.live_cart(store.db, session.cart_id, now)
    values: dict[str, Any] = {"cart": None, "csrf": session.csrf,
                              "flash": session.take_flash()}
    if cart_id is None:
        session.use_cart(None)
    else:
        cart = view_cart(store.db, cart_id)
        names = store.performance_names({line.performance_id for line in cart.lines})
        types = {line.performance_id: online.online_price_types(
            store.db, store.rules, pricing.price_grid(store.db, line.performance_id))
            for line in cart.lines}
        values.update(cart=cart, names=names, types=types,
                      seconds_left=max(0, int((cart.expires_at - now).total_seconds())),
                      until=store.clock_time(cart.expires_at),
                      extensions=online.extensions_left(store.db, cart_id, store.rules),
                      reserve=store.config.web.reserve_hours > 0,
                      card=store.provider is not None)
    return sessions.save(store.page("cart.html", **values), session, store.secret, request)


async def add_package(request: Request) -> Response:
    """A season package's seats (ticked or clicked on the first performance's map, or
    the best free at every performance) into the cart, for every performance."""
    def work(store: Storefront, session: Session, form: FormData, now: datetime) -> str:
        package_id = int(request.path_params["package_id"])
        price_type = _text(form, "price_type")
        if _text(form, "how") == "best":
            cart_id = online_packages.add_package(
                store.db, session.cart_id, package_id, price_type, store.rules, now,
                best=_number(form, "quantity", 1, store.rules.max_tickets),
                zone=_text(form, "zone") or None)
        else:
            keys = [value for value in form.getlist("seat") if isinstance(value, str)]
            if len(keys) > store.rules.max_tickets:
                raise BoxOfficeError(f"one order can have at most {store.rules.max_tickets} "
                                     "subscriptions")
            cart_id = online_packages.add_package(store.db, session.cart_id, package_id,
                                                  price_type, store.rules, now,
                                                  seat_keys=keys)
        session.use_cart(cart_id)
        return "/cart"
    return await _posted(request, work)
