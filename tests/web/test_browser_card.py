"""The whole purchase by card in a real browser: two seats clicked on the map, checkout,
the card typed into the provider's form (Stripe through localstripe, its stand-in
stripe.js in the page), back on the order page paid (the server asked the provider
itself), the PDF's QR code read and admitted at the gate."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import zxingcpp
from playwright.sync_api import Browser
from pypdf import PdfReader

from core.config import Config, TicketsConfig
from core.gate import checkin
from core.sales.card_provider import StripeProvider
from core.sales.orders import find_order
from core.store.db import Database
from tests.support.constants import ZONE
from tests.support.dates import day_at
from tests.support.localstripe import PUBLISHABLE_KEY, SECRET_KEY, LocalStripe
from tests.support.selling_helpers import hall_performance, user
from tests.support.web_server import served
from web.app import create_app


@pytest.fixture
def card_storefront(demo_db: Database, demo_path: Path, tmp_path: Path,
                    localstripe: LocalStripe) -> Iterator[str]:
    provider = StripeProvider(secret_key=SECRET_KEY, publishable_key=PUBLISHABLE_KEY,
                              webhook_secret="whsec_not_registered_here",
                              api_base=localstripe.url, js_url=localstripe.js_url,
                              max_network_retries=0)
    app = create_app(demo_path, Config(tickets=TicketsConfig(key_dir=str(tmp_path / "keys"))),
                     provider=provider)
    with served(app) as url:
        yield url


def test_two_seats_bought_by_card_in_the_browser_admit_at_the_gate(
        card_storefront: str, browser: Browser, demo_db: Database, tmp_path: Path) -> None:
    show = hall_performance(demo_db)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{card_storefront}/performances/{show}")
    page.click("#s-ORCH-F-107")
    page.click("#s-ORCH-F-108")
    page.click("#choose .chosen-bar button")
    page.wait_for_url("**/cart")
    page.fill("#name", "Rosa Diaz")
    page.fill("#email", "rosa@example.org")
    assert page.locator('input[value="card"]').is_checked()
    page.click("text=Place order")
    page.wait_for_url("**/pay?key=*")
    assert "Pay 276.48" in page.locator("#pay-button").inner_text()
    page.locator('#pay-card input[placeholder="number"]').click()
    page.keyboard.type("4242424242424242" "12" "31" "123" "10001", delay=5)
    page.screenshot(path=str(tmp_path / "pay.png"))
    page.locator("#pay-button").click()
    page.wait_for_url("**/orders/*?key=*", timeout=20000)
    assert "Paid." in page.inner_text("main")
    assert page.locator(".ticket").count() == 2
    page.screenshot(path=str(tmp_path / "paid.png"), full_page=True)

    number = page.url.split("/orders/")[1].split("?")[0]
    order = find_order(demo_db, number)
    assert order.status == "complete" and order.paid_cents == 27648
    pdf_link = page.locator("a", has_text="PDF").get_attribute("href")
    assert pdf_link
    pdf = httpx.get(card_storefront + pdf_link, timeout=10)
    image = PdfReader(io.BytesIO(pdf.content)).pages[1].images[0].image
    (code,) = zxingcpp.read_barcodes(image)
    gate = checkin.open_gate(demo_db, user(demo_db, "gia"), show, "North", zone=ZONE)
    assert checkin.scan(demo_db, gate, code.text, now=day_at(1, "19:00", ZONE)
                        ).code == "ADMIT"
