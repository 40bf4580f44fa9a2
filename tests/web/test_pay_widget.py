"""The card payment form (web/templates/_pay.html, web/static/pay.js) in a real browser:
Debian's chromium through Playwright, served by a small test-only Starlette app that
includes the partial, paying a PaymentIntent on a real localstripe.

localstripe's stand-in stripe.js has no Payment Element and cannot confirm a payment: it
draws a plain card form and makes card tokens, so the form posts the token to the
confirm_url and the server confirms (and the stand-in plays 3-D Secure). The Payment
Element path, which real Stripe.js takes, cannot load here (no network): it runs against
a small recording double of the Stripe.js calls pay.js makes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from jinja2 import ChoiceLoader, DictLoader, Environment, FileSystemLoader, select_autoescape
from playwright.sync_api import Browser, Page, sync_playwright
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from core.sales.card_provider import Intent, ProviderError, StripeProvider
from tests.support.constants import REPO
from tests.support.gate_server import free_port
from tests.support.localstripe import PUBLISHABLE_KEY, SECRET_KEY, LocalStripe

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking"]
CSRF = "csrf-of-this-session"
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pay</title>
</head><body><main><h1>Pay for order 7</h1>{% include "_pay.html" %}</main></body></html>"""

# What pay.js asks of real Stripe.js, recorded: Stripe(key), elements({clientSecret}),
# create("payment").mount(selector), confirmPayment({elements, confirmParams, redirect}).
STRIPE_DOUBLE = """
window.calls = [];
window.Stripe = function (key) {
  calls.push(["Stripe", key]);
  return {
    elements: function (options) {
      calls.push(["elements", options.clientSecret]);
      return { create: function (type) {
        calls.push(["create", type]);
        return { mount: function (where) {
          calls.push(["mount", where]);
          document.querySelector(where).textContent = "payment element";
        } };
      } };
    },
    confirmPayment: async function (options) {
      calls.push(["confirmPayment", options.confirmParams.return_url, options.redirect,
                  typeof options.elements.create]);
      if (document.cookie.includes("decline=1")) {
        return { error: { message: "Your card has insufficient funds." } };
      }
      return { paymentIntent: { id: "pi_double", status: "succeeded" } };
    },
  };
};
"""


@dataclass
class Shop:
    url: str
    provider: StripeProvider
    intent: Intent


def shop_app(provider: StripeProvider, intent: Intent, js_url: str) -> Starlette:
    templates = Environment(
        loader=ChoiceLoader([DictLoader({"page.html": PAGE}),
                             FileSystemLoader(REPO / "web" / "templates")]),
        autoescape=select_autoescape())

    def pay(request: Request) -> Response:
        return HTMLResponse(templates.get_template("page.html").render(
            publishable_key=provider.publishable_key, js_url=js_url,
            client_secret=intent.client_secret, return_url="/paid",
            confirm_url="/pay/confirm", csrf=CSRF, pay_label="Pay $25.00"))

    async def confirm(request: Request) -> Response:
        form = await request.form()
        if form.get("csrf") != CSRF:
            return JSONResponse({"message": "This form has expired."}, status_code=403)
        token = str(form.get("token") or "")
        try:
            paid = provider.confirm_card_token(intent.id, token,
                                               idempotency_key=f"{intent.id}-{token}")
        except ProviderError as refusal:
            return JSONResponse({"message": refusal.message}, status_code=402)
        return JSONResponse({"status": paid.status, "intent": paid.id})

    def paid(request: Request) -> Response:
        # the return page asks the provider itself; the browser's arrival proves nothing
        return HTMLResponse(f"<p id='outcome'>{provider.retrieve(intent.id).status}</p>")

    def double(request: Request) -> Response:
        return Response(STRIPE_DOUBLE, media_type="application/javascript")

    return Starlette(routes=[
        Route("/pay", pay), Route("/pay/confirm", confirm, methods=["POST"]),
        Route("/paid", paid), Route("/stripe-double.js", double),
        Mount("/static", StaticFiles(directory=REPO / "web" / "static"), name="static")])


def serve(app: Starlette) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/static/pay.js", timeout=0.5)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield url
    server.should_exit = True
    thread.join(10)


def make_shop(localstripe: LocalStripe, js_url: str = "") -> Iterator[Shop]:
    provider = StripeProvider(secret_key=SECRET_KEY, publishable_key=PUBLISHABLE_KEY,
                              webhook_secret="whsec_unused", api_base=localstripe.url,
                              js_url=localstripe.js_url, max_network_retries=0)
    intent = provider.create_intent(2500, "USD", idempotency_key=f"widget-{time.monotonic()}",
                                    metadata={"order": "7"})
    app = shop_app(provider, intent, js_url or provider.js_url)
    for url in serve(app):
        yield Shop(url=url, provider=provider, intent=intent)


@pytest.fixture
def shop(localstripe: LocalStripe) -> Iterator[Shop]:
    yield from make_shop(localstripe)


@pytest.fixture
def double_shop(localstripe: LocalStripe) -> Iterator[Shop]:
    yield from make_shop(localstripe, js_url="/stripe-double.js")


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=ARGS)
        yield launched
        launched.close()


def type_card(page: Page, number: str) -> None:
    """The stand-in's card form: five plain inputs named by their placeholders (it wants
    the 16 digits without spaces and a two-digit year)."""
    for field, value in (("number", number), ("exp_month", "12"), ("exp_year", "31"),
                         ("cvc", "123"), ("postal_code", "10001")):
        page.locator(f'#pay-card input[placeholder="{field}"]').fill(value)


def test_a_card_typed_into_the_form_pays_on_localstripe(shop: Shop, browser: Browser,
                                                        tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(shop.url + "/pay")
    assert page.locator("#pay-card input").count() == 5       # the stand-in's card form
    assert page.locator("#pay-button").is_enabled()
    # typed as a patron types, key by key: the stand-in moves to the next field itself
    page.locator('#pay-card input[placeholder="number"]').click()
    page.keyboard.type("4242424242424242" "12" "31" "123" "10001", delay=10)
    assert page.locator('#pay-card input[placeholder="cvc"]').input_value() == "123"
    page.screenshot(path=str(tmp_path / "pay.png"))
    page.locator("#pay-button").click()
    page.wait_for_url(f"**/paid?payment_intent={shop.intent.id}")
    assert page.locator("#outcome").inner_text() == "succeeded"
    assert shop.provider.retrieve(shop.intent.id).succeeded


def test_a_declined_card_says_so_and_can_try_again(shop: Shop, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(shop.url + "/pay")
    type_card(page, "4000000000000341")       # localstripe declines it when charged
    page.locator("#pay-button").click()
    message = page.locator("#pay-message")
    message.filter(has_text="Your card was declined.").wait_for()
    assert message.get_attribute("aria-live") == "polite"
    assert page.locator("#pay-button").is_enabled()
    assert page.url.endswith("/pay")
    assert not shop.provider.retrieve(shop.intent.id).succeeded


def test_a_card_that_asks_for_3d_secure_is_verified_in_the_browser(
        shop: Shop, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(shop.url + "/pay")
    type_card(page, "4000002500003155")
    page.locator("#pay-button").click()
    page.get_by_role("button", name="Complete authentication").click()   # the stand-in's
    page.wait_for_url("**/paid?payment_intent=*")
    assert page.locator("#outcome").inner_text() == "succeeded"


def test_the_payment_element_path_makes_the_calls_stripe_js_documents(
        double_shop: Shop, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(double_shop.url + "/pay")
    page.locator("#pay-card").filter(has_text="payment element").wait_for()
    serious = [(v["id"], v["impact"]) for v in Axe().run(page).response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == [], serious          # our form; the provider's fields are its own
    assert page.evaluate("window.calls") == [
        ["Stripe", PUBLISHABLE_KEY], ["elements", double_shop.intent.client_secret],
        ["create", "payment"], ["mount", "#pay-card"]]
    page.context.add_cookies([{"name": "decline", "value": "1", "url": double_shop.url}])
    page.locator("#pay-button").click()
    page.locator("#pay-message").filter(has_text="insufficient funds").wait_for()
    assert page.evaluate("window.calls")[-1] == [
        "confirmPayment", f"{double_shop.url}/paid", "if_required", "function"]
    assert page.locator("#pay-button").is_enabled()
    page.context.clear_cookies()
    page.locator("#pay-button").click()
    page.wait_for_url("**/paid?payment_intent=pi_double")
    # the double's intent is not localstripe's: the return page asks the provider, and
    # the real intent is unpaid whatever the browser says
    assert page.locator("#outcome").inner_text() == "requires_payment_method"
