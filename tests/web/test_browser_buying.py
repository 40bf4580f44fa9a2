"""Buying in a real browser (Debian's chromium): seats clicked on the map, reserved, paid
at the window, and the QR code on the order page read off the screen admits at the gate;
seats chosen by keyboard alone from the list; a seat a window sells while the patron is
choosing drops out of the choice with a message; the cart on a phone; axe-core on the
cart, checkout and order pages. Screenshots stay in the test's folder."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page

from core.gate import checkin
from core.sales import reservations
from core.sales.tenders import Tender
from core.store.db import Database
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.dates import day_at
from tests.support.order_helpers import sell
from tests.support.selling_helpers import STATION, hall_performance, user


def _checkout(page: Page) -> str:
    page.fill("#name", "Rosa Diaz")
    page.fill("#email", "rosa@example.org")
    page.click("text=Place order")
    page.wait_for_url("**/orders/**")
    return page.url


def test_seats_clicked_on_the_map_are_reserved_paid_at_the_window_and_admit(
        storefront: str, browser: Browser, demo_db: Database, tmp_path: Path) -> None:
    show = hall_performance(demo_db)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{storefront}/performances/{show}")
    page.click("#s-ORCH-F-107")
    page.click("#s-ORCH-F-108")
    assert page.locator("#chosen-count").inner_text() == "2 seats chosen."
    assert "chosen" in (page.locator("#s-ORCH-F-108").get_attribute("class") or "")
    page.click("#choose .chosen-bar button")
    page.wait_for_url("**/cart")
    assert page.locator(".cart-lines li").count() == 2
    page.screenshot(path=str(tmp_path / "cart-desktop.png"))
    link = _checkout(page)
    assert "Reserved, not paid" in page.inner_text("main")

    number = link.split("/orders/")[1].split("?")[0]
    order = reservations.find_reservation(demo_db, number)
    reservations.pay_reservation(demo_db, user(demo_db, "sam"), order.id,
                                 [Tender("cash", order.total_cents)], station=STATION,
                                 now=FIXED_NOW + timedelta(hours=1))
    page.reload()
    assert page.locator(".ticket").count() == 2
    shot = tmp_path / "ticket.png"
    page.locator(".ticket").first.screenshot(path=str(shot))
    found = zxingcpp.read_barcodes(Image.open(shot))
    assert len(found) == 1, "the QR code on the page does not read"
    gate = checkin.open_gate(demo_db, user(demo_db, "gia"), show, "North", zone=ZONE)
    assert checkin.scan(demo_db, gate, found[0].text, now=day_at(1, "19:00", ZONE)
                        ).code == "ADMIT"


def test_keyboard_alone_chooses_seats_from_the_list(
        storefront: str, browser: Browser, demo_db: Database) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{storefront}/performances/{hall_performance(demo_db)}")
    page.locator("#list ~ details summary").first.focus()
    page.keyboard.press("Enter")                  # open the first zone's list
    page.keyboard.press("Tab")
    page.keyboard.press("Space")                  # tick its first seat
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.locator("#chosen-count").inner_text() == "2 seats chosen."
    page.locator("#choose .chosen-bar button").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/cart")
    assert page.locator(".cart-lines li").count() == 2


def test_a_seat_sold_at_the_window_drops_out_of_the_choice(
        storefront: str, browser: Browser, demo_db: Database) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{storefront}/performances/{hall_performance(demo_db)}")
    page.click("#s-ORCH-F-110")
    sell(demo_db, ["ORCH-F-110"])
    page.wait_for_function("document.getElementById('chosen-count').textContent"
                           ".includes('just taken')", timeout=15000)
    assert "chosen" not in (page.locator("#s-ORCH-F-110").get_attribute("class") or "")
    assert "taken" in (page.locator("#s-ORCH-F-110").get_attribute("class") or "")


def test_the_cart_on_a_phone_and_no_serious_accessibility_violations(
        storefront: str, browser: Browser, demo_db: Database, tmp_path: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                            is_mobile=True, has_touch=True)
    show = hall_performance(demo_db)
    page.goto(f"{storefront}/performances/{show}")
    page.fill("input[name=quantity]", "2")
    page.click("text=Find seats")
    page.wait_for_url("**/cart")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the cart scrolls sideways by {overflow}px on a phone"
    page.screenshot(path=str(tmp_path / "cart-phone.png"), full_page=True)
    axe = Axe()

    def serious() -> list[tuple[str, str, int]]:
        return [(v["id"], v["impact"], len(v["nodes"]))
                for v in axe.run(page).response["violations"]
                if v["impact"] in ("serious", "critical")]

    assert serious() == [], "cart"
    _checkout(page)
    assert serious() == [], "order"
    page.screenshot(path=str(tmp_path / "order-phone.png"), full_page=True)
    page.goto(f"{storefront}/orders")
    assert serious() == [], "find an order"
