"""Renewing a subscription online in a real browser: the renewal code and email typed on a
phone, the renewal page (seat, price, deadline) with a seat change request sent, then
renewed by card on a desktop (Stripe through localstripe, its stand-in stripe.js), back
on the order page paid with a ticket for every performance; a flex pass redeemed by
seats clicked on the map. axe-core finds no serious violation on these pages; the
screenshots land in the test's temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from core.config import Config, TicketsConfig
from core.sales import flex, renewals
from core.sales.card_provider import StripeProvider
from core.sales.subscriptions import NewSubscriber
from core.sales.tenders import Tender
from core.store.db import Database
from tests.support.constants import FIXED_NOW
from tests.support.localstripe import PUBLISHABLE_KEY, SECRET_KEY, LocalStripe
from tests.support.renewal_helpers import rolled_season
from tests.support.selling_helpers import STATION, user
from tests.support.subscription_helpers import flex_package, hall_series
from tests.support.web_server import served
from web.app import create_app

PHONE: ViewportSize = {"width": 390, "height": 844}


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


def _serious(page: Page) -> list[tuple[str, str, int]]:
    from axe_playwright_python.sync_playwright import Axe

    return [(v["id"], v["impact"], len(v["nodes"]))
            for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")]


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"


def test_a_subscriber_renews_by_card_in_the_browser(
        card_storefront: str, browser: Browser, demo_db: Database, tmp_path: Path) -> None:
    season = rolled_season(demo_db)
    phone = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                             has_touch=True)
    phone.goto(f"{card_storefront}/")
    phone.click("text=Subscriptions")
    phone.wait_for_url("**/subscriptions")
    phone.click("text=Renew with your renewal code")
    phone.wait_for_url("**/renew")
    assert _serious(phone) == [], "the renewal lookup"
    phone.fill("#code", "RN1")
    phone.fill("#contact", "wrong@example.org")
    phone.click("text=Show my renewal")
    assert "No renewal has that code" in phone.inner_text(".flash")
    phone.fill("#code", "rn1")
    phone.fill("#contact", "ann@example.org")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/renew/RN1?key=*")
    main = phone.inner_text("main")
    for words in ("Ann Lee", "ORCH, row A, seat 101", "336.96", "Opera season 2028"):
        assert words in main, words
    _no_sideways_scroll(phone)
    assert _serious(phone) == [], "the renewal page"
    phone.screenshot(path=str(tmp_path / "renewal-phone.png"), full_page=True)
    phone.fill("#request", "Closer to the aisle if one comes free")
    phone.click("text=Send my request")
    phone.wait_for_url("**/renew/RN1?key=*")
    assert "Your request is recorded" in phone.inner_text(".flash")
    assert renewals.get_renewal(demo_db, 1).change_request.startswith("Closer to the aisle")
    link = phone.url

    desktop = browser.new_page(viewport={"width": 1280, "height": 900})
    desktop.goto(link)
    desktop.screenshot(path=str(tmp_path / "renewal-desktop.png"), full_page=True)
    desktop.click("text=Renew and pay 336.96 by card")
    desktop.wait_for_url("**/pay?key=*")
    assert "Pay 336.96" in desktop.locator("#pay-button").inner_text()
    desktop.locator('#pay-card input[placeholder="number"]').click()
    desktop.keyboard.type("4242424242424242" "12" "31" "123" "10001", delay=5)
    desktop.locator("#pay-button").click()
    desktop.wait_for_url("**/orders/*?key=*", timeout=20000)
    assert "Paid." in desktop.inner_text("main")
    assert desktop.locator(".ticket").count() == len(season.series.performance_ids)
    desktop.screenshot(path=str(tmp_path / "renewed-desktop.png"), full_page=True)
    assert renewals.get_renewal(demo_db, 1).status == "renewed"
    desktop.goto(link)
    assert "Renewed." in desktop.inner_text("main")


def test_a_flex_pass_redeemed_by_clicking_seats_on_the_map(
        card_storefront: str, browser: Browser, demo_db: Database, tmp_path: Path) -> None:
    season = rolled_season(demo_db)
    package = flex_package(demo_db, season.series)
    sold = flex.sell_flex_pass(demo_db, user(demo_db, "sam"), package.id, "ADULT",
                               [Tender("cash", 22464, tendered_cents=22464)],
                               customer_id=NewSubscriber("Flex Fan", "", "fan@example.org"),
                               station=STATION, now=FIXED_NOW)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{card_storefront}/flex")
    page.fill("#pass", str(sold.id))
    page.fill("#contact", "fan@example.org")
    page.click("text=Show my pass")
    page.wait_for_url(f"**/flex/{sold.id}?key=*")
    assert _serious(page) == [], "the pass page"
    page.locator("a", has_text="choose seats").first.click()
    page.wait_for_url("**/performances/*?key=*")
    assert _serious(page) == [], "a pass's seats"
    page.click("#s-ORCH-F-107")
    page.click("#s-ORCH-F-108")
    assert "2 seats chosen" in page.inner_text("#chosen-count")
    page.screenshot(path=str(tmp_path / "flex-seats-desktop.png"))
    page.click("text=Use my pass for the chosen seats")
    page.wait_for_url(f"**/flex/{sold.id}?key=*")
    assert "2 admission(s) used, 2 left" in page.inner_text(".flash")
    assert page.locator(".ticket").count() == 2
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page)
    assert _serious(page) == [], "the pass page with tickets"
    page.screenshot(path=str(tmp_path / "flex-phone.png"), full_page=True)
    assert flex.get_pass(demo_db, sold.id).left == 2


def test_a_season_package_chosen_on_the_map_fills_the_cart(
        card_storefront: str, browser: Browser, demo_db: Database, tmp_path: Path) -> None:
    made, package = hall_series(demo_db, 3)
    phone = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                             has_touch=True)
    phone.goto(f"{card_storefront}/subscriptions")
    assert _serious(phone) == [], "the packages"
    phone.screenshot(path=str(tmp_path / "subscriptions-phone.png"), full_page=True)
    phone.click("text=Full season: Opera season")
    phone.wait_for_url(f"**/subscriptions/{package.id}")
    _no_sideways_scroll(phone)
    assert _serious(phone) == [], "a package"
    phone.screenshot(path=str(tmp_path / "package-phone.png"))
    desktop = browser.new_page(viewport={"width": 1280, "height": 900})
    desktop.goto(phone.url)
    desktop.click("#s-ORCH-A-103")
    assert "1 seat chosen" in desktop.inner_text("#chosen-count")
    desktop.screenshot(path=str(tmp_path / "package-desktop.png"))
    desktop.click("text=Add the season to cart")
    desktop.wait_for_url("**/cart")
    assert desktop.locator("text=season package, adult").count() == len(made.performance_ids)
    assert "336.96" in desktop.inner_text(".total")
    desktop.screenshot(path=str(tmp_path / "package-cart-desktop.png"), full_page=True)
