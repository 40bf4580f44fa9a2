"""Paying by card on the storefront: the payment page (the provider's own script takes
the card; it never reaches us), the provider's webhook, and a new attempt after a
decline. Whether an order is paid is decided in core (core.sales.card_checkout) from the
provider's signed webhook or its answer to our own check, never from the browser."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from core import clock
from core.config import STRIPE_JS_URL
from core.errors import BoxOfficeError
from core.money import format_cents
from core.sales import card_checkout
from core.sales.card_provider import CardDeclined, CardProvider, ForgedEvent, ProviderError
from web import session as sessions
from web.mailing import send_order_email
from web.orders import checked_order
from web.site import Storefront, storefront


def provider_of(store: Storefront) -> CardProvider:
    if store.provider is None:
        raise HTTPException(404, "Card payment is not offered here: reserve and pay at the "
                                 "box office.")
    return store.provider


def pay_page(request: Request) -> Response:
    """The order's payment form, for its newest attempt (a fresh one if the last failed)."""
    store = storefront(request)
    provider = provider_of(store)
    order = checked_order(store, request)
    if order.status != "pending":
        return RedirectResponse(store.order_link(order.number), status_code=303)
    current = card_checkout.current_attempt(store.db, order.id)
    if current is None:
        raise HTTPException(404, "There is no payment to make for this order.")
    attempt_id, intent_id = current
    intent = provider.retrieve(intent_id)
    if intent.status not in ("requires_payment_method", "requires_confirmation",
                             "requires_action"):
        return RedirectResponse(store.order_link(order.number), status_code=303)
    session = sessions.load(request, store.secret)
    link = store.order_link(order.number)
    base = store.config.web.base_url or str(request.base_url).rstrip("/")
    page = store.page(
        "pay.html", order=order, csrf=session.csrf, flash=session.take_flash(),
        names=store.performance_names({line.performance_id for line in order.cart.lines}),
        publishable_key=provider.publishable_key, js_url=provider.js_url,
        client_secret=intent.client_secret, return_url=base + link, order_link=link,
        declined=intent.failure_message, attempt=attempt_id,
        pay_label=f"Pay {format_cents(order.total_cents)}",
        # a stand-in stripe.js (localstripe) cannot confirm in the browser: its card
        # token comes to us and we confirm with the provider (real Stripe.js never does)
        confirm_url=("" if provider.js_url == STRIPE_JS_URL
                     else link.replace("?", "/confirm?")))
    page.headers["Cache-Control"] = "no-store"
    return sessions.save(page, session, store.secret, request)


async def retry(request: Request) -> Response:
    """A new payment attempt after a decline (its own idempotency key)."""
    store = storefront(request)
    form = await request.form()

    def run() -> Response:
        provider = provider_of(store)
        session = sessions.load(request, store.secret)
        if not sessions.csrf_ok(session, form.get("csrf")):
            raise HTTPException(403, "This form has expired: reload the page and try again.")
        order = checked_order(store, request)
        try:
            with store.writing():
                card_checkout.attempt(store.db, order.id, provider, clock.now(),
                                      currency=store.currency)
        except BoxOfficeError as refusal:
            session.say(refusal.message[:1].upper() + refusal.message[1:] + ".")
            return sessions.save(RedirectResponse(store.order_link(order.number),
                                                  status_code=303), session, store.secret,
                                 request)
        target = store.order_link(order.number).replace("?", "/pay?")
        return sessions.save(RedirectResponse(target, status_code=303), session,
                             store.secret, request)

    return await run_in_threadpool(run)


async def confirm(request: Request) -> Response:
    """A stand-in stripe.js's card token: confirm the order's current payment with it at
    the provider. JSON: {"status", "intent"}, or {"message"} with 402 (declined) or 502.
    Settling still waits for the provider's webhook or our own check on return."""
    store = storefront(request)
    form = await request.form()

    def run() -> Response:
        provider = provider_of(store)
        session = sessions.load(request, store.secret)
        if not sessions.csrf_ok(session, form.get("csrf")):
            return JSONResponse({"message": "This form has expired: reload the page."},
                                status_code=403)
        order = checked_order(store, request)
        current = card_checkout.current_attempt(store.db, order.id)
        token = form.get("token")
        if order.status != "pending" or current is None or not isinstance(token, str) \
                or not token.startswith("tok_") or len(token) > 100:
            return JSONResponse({"message": "There is nothing to pay on this order."},
                                status_code=400)
        attempt_id, intent_id = current
        try:
            intent = provider.confirm_card_token(intent_id, token,
                                                 idempotency_key=f"confirm-{attempt_id}")
        except CardDeclined as declined:
            return JSONResponse({"message": declined.message}, status_code=402)
        except ProviderError as error:
            return JSONResponse({"message": error.message}, status_code=502)
        return JSONResponse({"status": intent.status, "intent": intent.id})

    return await run_in_threadpool(run)


async def webhook(request: Request) -> Response:
    """The provider's events: verified on the raw body; a forged one is refused (400)
    and changes nothing; a replay is acknowledged and changes nothing."""
    store = storefront(request)
    if store.provider is None:          # a machine calls this: it gets JSON, not a page
        return JSONResponse({"error": "no card provider is configured here"},
                            status_code=404)
    provider = store.provider
    body = await request.body()
    signature = request.headers.get("stripe-signature", "")

    def run() -> Response:
        try:
            with store.writing():
                settled = card_checkout.handle_event(store.db, provider, body, signature,
                                                     clock.now(), zone=store.config.zone)
        except ForgedEvent:
            return JSONResponse({"error": "the event's signature does not verify"},
                                status_code=400)
        if settled is not None and settled.outcome in ("issued", "refunded"):
            base = store.config.web.base_url or str(request.base_url).rstrip("/")
            send_order_email(store, settled.order.id, base)
        return JSONResponse({"received": True})

    return await run_in_threadpool(run)
