"""The storefront in a real browser (Debian's chromium driven by Playwright): what's on
reached by keyboard alone, the seat map drawn, a seat the window sells greyed out within
seconds, and the page at phone size without sideways scrolling. Screenshots of both
sizes are kept in the test's folder to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from core.store.db import Database
from tests.support.order_helpers import sell
from tests.support.selling_helpers import hall_performance


def test_keyboard_to_a_performance_and_a_seat_sold_at_the_window_greys_out(
        storefront: str, browser: Browser, demo_db: Database, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(storefront + "/")
    assert page.locator("h1").inner_text() == "What's on"
    # keyboard only: the skip link, the house name, then the first performance
    show = hall_performance(demo_db)
    link = page.locator(f'a[href="/performances/{show}"]')
    for _ in range(12):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the performance's link is not reachable by Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/performances/{show}")
    seats = page.locator("circle.seat")
    assert seats.count() > 1000
    assert page.locator("#s-ORCH-F-110").get_attribute("class") == "seat z-A"
    page.screenshot(path=str(tmp_path / "desktop.png"), full_page=False)
    sell(demo_db, ["ORCH-F-110"])                    # a window sells it meanwhile
    page.wait_for_function(
        "document.getElementById('s-ORCH-F-110').classList.contains('taken')",
        timeout=15000)


def test_a_phone_sees_the_page_without_sideways_scrolling(
        storefront: str, browser: Browser, demo_db: Database, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                            is_mobile=True, has_touch=True)
    page.goto(f"{storefront}/performances/{hall_performance(demo_db)}")
    assert page.locator("table.prices").is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=False)
    assert (tmp_path / "phone.png").stat().st_size > 10_000


def test_no_serious_accessibility_violations(storefront: str, browser: Browser,
                                             demo_db: Database) -> None:
    """axe-core (axe-playwright-python) on each page: nothing serious or critical."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    from core.venue import performances

    stadium = next(p.id for p in performances.list_performances(demo_db)
                   if p.venue_kind == "stadium")
    for path in ("/", f"/performances/{hall_performance(demo_db)}",
                 f"/performances/{stadium}", "/nowhere"):
        page.goto(storefront + path)
        results = axe.run(page)
        serious = [(v["id"], v["impact"], len(v["nodes"]))
                   for v in results.response["violations"]
                   if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{path}: {serious}"
