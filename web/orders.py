"""After buying: the order's page (by its signed link, or by number and email), its
tickets as QR codes and as a PDF, the same signed codes the window prints."""

from __future__ import annotations

from typing import Any

import qrcode
import qrcode.image.svg
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core import clock
from core.errors import BoxOfficeError, NotFound
from core.sales import card_checkout, reservations
from core.sales.orders import find_order
from core.sales.reservations import WebOrder
from hardware.ticket_pdf import tickets_pdf
from web import session as sessions
from web.mailing import send_order_email
from web.site import Storefront, storefront
from web.tickets import ticket_prints

MAX_FIELD = 200


def checked_order(store: Storefront, request: Request) -> WebOrder:
    """The order named in the path, if the link's key is right (404 otherwise: the same
    answer for a wrong key as for no such order)."""
    number = str(request.path_params["number"])
    key = request.query_params.get("key", "")
    if not sessions.order_key_ok(store.secret, number, key):
        raise HTTPException(404, "There is no such order, or the link is not complete: "
                                 "find your order with its number and email.")
    try:
        return reservations.web_order(store.db, find_order(store.db, number).id)
    except NotFound:
        raise HTTPException(404, "There is no such order.") from None


def qr_svg(code: str) -> str:
    image = qrcode.make(code, image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                        border=2)
    text: str = image.to_string(encoding="unicode")
    return text


def order_page(request: Request) -> Response:
    store = storefront(request)
    order = checked_order(store, request)
    session = sessions.load(request, store.secret)
    if order.status == "pending" and store.provider is not None:
        # back from paying: ask the provider ourselves (the webhook may be on its way)
        try:
            with store.writing():
                settled = card_checkout.check(store.db, order.id, store.provider,
                                              clock.now(), zone=store.config.zone)
            if settled.outcome in ("issued", "refunded"):
                send_order_email(store, order.id, store.config.web.base_url
                                 or str(request.base_url).rstrip("/"))
            order = settled.order
        except BoxOfficeError as unsure:
            session.say(unsure.message[:1].upper() + unsure.message[1:] + ".")
    values: dict[str, Any] = {
        "order": order, "flash": session.take_flash(),
        "names": store.performance_names({line.performance_id for line in order.cart.lines}),
        "pay_by": store.local(order.pay_by) if order.pay_by else "",
        "expired": order.expired(clock.now()),
        "pdf": f"/orders/{order.number}/tickets.pdf?key="
               f"{sessions.order_key(store.secret, order.number)}",
        "tickets": [(t, qr_svg(t.code)) for t in ticket_prints(store, order.id)]
        if order.status == "complete" else [],
        "address": store.config.venue.house_address,
        "csrf": session.csrf, "key": sessions.order_key(store.secret, order.number),
        "attempts": card_checkout.attempts(store.db, order.id),
        "refunded": order.status == "cancelled" and card_checkout.refunded(store.db,
                                                                          order.id),
    }
    response = store.page("order.html", **values)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return sessions.save(response, session, store.secret, request)


def tickets_file(request: Request) -> Response:
    store = storefront(request)
    order = checked_order(store, request)
    if order.status != "complete":
        raise HTTPException(404, "This order has no tickets yet: they are issued when it "
                                 "is paid.")
    body = tickets_pdf(ticket_prints(store, order.id), title=f"Order {order.number}")
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="tickets-{order.number}.pdf"',
        "Cache-Control": "no-store"})


def find_page(request: Request) -> Response:
    store = storefront(request)
    session = sessions.load(request, store.secret)
    return sessions.save(store.page("find.html", csrf=session.csrf,
                                    flash=session.take_flash()),
                         session, store.secret, request)


async def find(request: Request) -> Response:
    """Number and email: the order's link, or one answer for every miss (rate limited
    per client, so order numbers cannot be walked)."""
    store = storefront(request)
    form = await request.form()

    def run() -> Response:
        session = sessions.load(request, store.secret)
        if not sessions.csrf_ok(session, form.get("csrf")):
            raise HTTPException(403, "This form has expired: reload the page and try again.")
        if not store.lookups.allow(store.client(request)):
            raise HTTPException(429, "Too many lookups from your connection: wait a few "
                                     "minutes, or ask the box office.")
        number, email = form.get("number", ""), form.get("email", "")
        if not isinstance(number, str) or not isinstance(email, str) or \
                len(number) > MAX_FIELD or len(email) > MAX_FIELD:
            raise HTTPException(400, "The form is not valid.")
        try:
            order = reservations.find_web_order(store.db, number, email)
        except NotFound:
            session.say("No order has that number and email. Check both, or ask the box "
                        "office.")
            return sessions.save(RedirectResponse("/orders", status_code=303), session,
                                 store.secret, request)
        return sessions.save(RedirectResponse(store.order_link(order.number),
                                              status_code=303), session, store.secret,
                             request)

    return await run_in_threadpool(run)
