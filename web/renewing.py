"""Renewing a subscription online with the renewal code (the letter's, or the emailed
link), and the lookup and form helpers the flex pass's pages share (web/flexing.py).

A lookup (the code and the email or phone the box office has; rate limited like the
order lookup, one answer for every miss) leads to a signed link; every later page and
form carries that link's key. What may be renewed is decided in core
(core.sales.online_renewals); paying is the storefront's usual card form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core import clock
from core.errors import BoxOfficeError, NotFound
from core.sales import online_renewals, renewals, reservations
from core.sales.online_renewals import renewal_key, renewal_key_ok
from web import session as sessions
from web.session import Session
from web.site import Storefront, storefront

MAX_FIELD = 200
MAX_REQUEST = 500       # a seat change request's characters


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def field(form: FormData, name: str, longest: int = MAX_FIELD) -> str:
    value = form.get(name, "")
    if not isinstance(value, str) or len(value) > longest:
        raise HTTPException(400, f"The form's '{name}' field is not valid.")
    return value.strip()


async def lookup(request: Request, find: Callable[[Storefront, FormData], str],
                 back: str) -> Response:
    """A code-and-contact lookup form: CSRF, the lookup rate limit, then `find` gives the
    signed link to go to (NotFound: its message, back on the form)."""
    store = storefront(request)
    form = await request.form()

    def run() -> Response:
        session = sessions.load(request, store.secret)
        if not sessions.csrf_ok(session, form.get("csrf")):
            raise HTTPException(403, "This form has expired: reload the page and try again.")
        if not store.lookups.allow(store.client(request)):
            raise HTTPException(429, "Too many lookups from your connection: wait a few "
                                     "minutes, or ask the box office.")
        try:
            target = find(store, form)
        except NotFound as missed:
            session.say(sentence(missed.message))
            target = back
        return sessions.save(RedirectResponse(target, status_code=303), session,
                             store.secret, request)

    return await run_in_threadpool(run)


async def posted(request: Request, back: str,
                 work: Callable[[Storefront, Session, FormData], str]) -> Response:
    """A form on a signed page: CSRF and the posts' rate limit checked, the write through
    the storefront's limiter; a refusal comes back as a message on `back`, nothing
    changed."""
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
        try:
            with store.writing():
                target = work(store, session, form)
        except BoxOfficeError as refusal:      # a busy database too (DatabaseBusy)
            session.say(sentence(refusal.message))
            target = back
        return sessions.save(RedirectResponse(target, status_code=303), session,
                             store.secret, request)

    return await run_in_threadpool(run)


# -- renewals ----------------------------------------------------------------------------

def renewal_link(store: Storefront, code: str) -> str:
    return f"/renew/{code}?key={renewal_key(store.secret, code)}"


def find_page(request: Request) -> Response:
    store = storefront(request)
    session = sessions.load(request, store.secret)
    page = store.page("renew_find.html", csrf=session.csrf, flash=session.take_flash(),
                      code=request.query_params.get("code", "")[:20])
    return sessions.save(page, session, store.secret, request)


async def find(request: Request) -> Response:
    """The renewal code and the email or phone on file: the renewal's signed page."""
    def found(store: Storefront, form: FormData) -> str:
        renewal = online_renewals.find_for_patron(store.db, field(form, "code"),
                                                  field(form, "contact"))
        assert renewal.hold_code is not None
        return renewal_link(store, renewal.hold_code)
    return await lookup(request, found, "/renew")


def _checked_renewal(store: Storefront, request: Request) -> renewals.Renewal:
    code = str(request.path_params["code"]).upper()
    if not renewal_key_ok(store.secret, code, request.query_params.get("key", "")):
        raise HTTPException(404, "There is no such renewal, or the link is not complete: "
                                 "enter your renewal code again.")
    try:
        found = renewals.find_renewal(store.db, code)
    except NotFound:
        raise HTTPException(404, "There is no such renewal.") from None
    if found.hold_code is None:          # unseated: no code was ever given out for it
        raise HTTPException(404, "There is no such renewal.")
    return found


def renewal_page(request: Request) -> Response:
    store = storefront(request)
    renewal = _checked_renewal(store, request)
    session = sessions.load(request, store.secret)
    now = clock.now()
    offer = online_renewals.offer(store.db, renewal.id, now)
    assert renewal.hold_code is not None
    link = renewal_link(store, renewal.hold_code)
    values: dict[str, Any] = {
        "offer": offer, "renewal": offer.renewal, "csrf": session.csrf,
        "flash": session.take_flash(), "deadline": store.local(renewal.deadline),
        "names": store.performance_names(offer.performance_ids),
        "seat": renewal.seat_label.split("-", 2), "card": store.provider is not None,
        "pay": link.replace("?", "/pay?"), "change": link.replace("?", "/change?"),
        "address": store.config.venue.house_address,
        "paying": store.order_link(offer.paying_order).replace("?", "/pay?")
        if offer.paying_order else "",
        "renewed": store.order_link(offer.renewed_order) if offer.renewed_order else ""}
    response = store.page("renewal.html", **values)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return sessions.save(response, session, store.secret, request)


async def renew(request: Request) -> Response:
    """Renew by card in one step: the pending order's card form."""
    store = storefront(request)
    renewal = _checked_renewal(store, request)
    assert renewal.hold_code is not None
    back = renewal_link(store, renewal.hold_code)

    def work(store: Storefront, session: Session, form: FormData) -> str:
        if store.provider is None:
            raise BoxOfficeError("card payment is not offered here: renew at the box office "
                                 "with your renewal code")
        started = online_renewals.start_renewal(store.db, renewal.id, store.provider,
                                                store.config.web, clock.now(),
                                                currency=store.currency)
        number = reservations.web_order(store.db, started.order_id).number
        return store.order_link(number).replace("?", "/pay?")
    return await posted(request, back, work)


async def change(request: Request) -> Response:
    """A seat change request, recorded for the box office."""
    store = storefront(request)
    renewal = _checked_renewal(store, request)
    assert renewal.hold_code is not None
    back = renewal_link(store, renewal.hold_code)

    def work(store: Storefront, session: Session, form: FormData) -> str:
        online_renewals.request_change_online(store.db, renewal.id,
                                              field(form, "request", MAX_REQUEST),
                                              clock.now())
        session.say("Your request is recorded: the box office will be in touch. Your "
                    "seat stays held for you meanwhile.")
        return back
    return await posted(request, back, work)
