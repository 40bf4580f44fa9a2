"""A flex pass redeemed online (issue 20): found by its number or signed code with the
holder's email or phone, a performance of its series chosen, seats (ticked, or the best
free) turned into tickets on the pass's page with QR codes and a PDF; the count goes
down, at most M at one performance; beyond either, a taken seat, a performance off sale
online: a clear message and nothing changed."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from core.config import Config, TicketsConfig, WebConfig
from core.gate import keys as gate_keys
from core.sales import flex
from core.sales.online_flex import flex_key
from core.sales.online_settings import OnlineSettings, set_online_settings
from core.sales.subscriptions import NewSubscriber
from core.sales.tenders import Tender
from core.store.db import Database
from core.venue.inventory import seat_states
from core.venue.series import Series
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import STATION, cart_with, seat, user
from tests.support.subscription_helpers import flex_package, hall_series
from web.app import create_app

FLEX_TOTAL = 22464          # (200.00 + 8.00) * 1.08


@pytest.fixture
def client(demo_db: Database, demo_path: Path, tmp_path: Path) -> TestClient:
    config = Config(tickets=TicketsConfig(key_dir=str(tmp_path / "keys")), web=WebConfig())
    return TestClient(create_app(demo_path, config), raise_server_exceptions=False)


def sold_pass(db: Database) -> tuple[Series, flex.FlexPass]:
    made, _ = hall_series(db, 3)
    package = flex_package(db, made)          # 4 admissions, at most 2 at one performance
    sold = flex.sell_flex_pass(db, user(db, "sam"), package.id, "ADULT",
                               [Tender("cash", FLEX_TOTAL, tendered_cents=FLEX_TOTAL)],
                               customer_id=NewSubscriber("Flex Fan", "555 010 9999",
                                                         "fan@example.org"),
                               station=STATION, now=FIXED_NOW)
    return made, sold


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/flex").text)
    assert found
    return found.group(1)


def _pass_page(client: TestClient, text: str, contact: str) -> str:
    answer = client.post("/flex", data={"csrf": _csrf(client), "pass": text,
                                        "contact": contact})
    assert answer.status_code == 200
    return str(answer.url)


def _redeem(client: TestClient, link: str, show: int, **form: str | list[str]) -> str:
    target = link.replace("?", f"/performances/{show}?")
    answer = client.post(target, data={"csrf": _csrf(client), **form})
    assert answer.status_code == 200, answer.text
    return answer.text


def test_finding_a_pass_by_number_or_code_with_the_holders_contact(
        client: TestClient, demo_db: Database, tmp_path: Path) -> None:
    _, sold = sold_pass(demo_db)
    for text, contact in ((str(sold.id), "other@example.org"), ("99", "fan@example.org"),
                          ("not a code", "fan@example.org")):
        answer = client.post("/flex", data={"csrf": _csrf(client), "pass": text,
                                            "contact": contact})
        assert answer.url.path == "/flex"
        assert "No flex pass has that number or code with that email or phone" in answer.text
    link = _pass_page(client, str(sold.id), "555-010-9999")
    assert re.search(rf"/flex/{sold.id}\?key=[0-9a-f]{{32}}$", link)
    client.get("/")                                   # the site makes its signing key
    gate_keys.ensure_signing_key(demo_db, tmp_path / "keys")
    code = flex.pass_code(gate_keys.load_signer(demo_db, tmp_path / "keys"), sold.id)
    assert _pass_page(client, code, "FAN@example.org") == link
    page = client.get(link).text
    assert "Flex pass" in page and "<strong>4</strong> of 4" in page
    assert "at most 2 at one performance" in page
    assert page.count("choose seats") == 3
    assert client.get(f"/flex/{sold.id}?key=" + flex_key("x", sold.id)).status_code == 404


def test_redeeming_seats_online_counts_down_and_shows_the_tickets(
        client: TestClient, demo_db: Database) -> None:
    made, sold = sold_pass(demo_db)
    first, second, third = made.performance_ids
    link = _pass_page(client, str(sold.id), "fan@example.org")
    seats = client.get(link.replace("?", f"/performances/{first}?")).text
    assert 'id="c-ORCH-F-107"' in seats and "up to <strong>2</strong>" in seats
    page = _redeem(client, link, first, how="seats", seat=["ORCH-F-107", "ORCH-F-108"])
    assert "2 admission(s) used, 2 left" in page
    assert page.count('class="ticket"') == 2
    for label in ("ORCH-F-107", "ORCH-F-108"):
        assert seat_states(demo_db, first, FIXED_NOW)[seat(demo_db, first, label)
                                                      ].state == "sold"
    pdf = client.get(link.replace("?", "/tickets.pdf?"))
    assert pdf.headers["content-type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 2
    # a third at the same performance: more than the pass allows there
    page = _redeem(client, link, first, how="seats", seat=["ORCH-F-109"])
    assert "at most 2 at one performance" in page
    assert seat(demo_db, first, "ORCH-F-109") not in seat_states(demo_db, first, FIXED_NOW)
    # the best two free at the second performance
    page = _redeem(client, link, second, how="best", quantity="2", zone="")
    assert "2 admission(s) used, 0 left" in page and page.count('class="ticket"') == 4
    assert flex.get_pass(demo_db, sold.id).left == 0
    # beyond the count: refused, nothing changed
    page = _redeem(client, link, third, how="seats", seat=["ORCH-F-107"])
    assert "has 0 admission(s) left, not 1" in page
    assert seat(demo_db, third, "ORCH-F-107") not in seat_states(demo_db, third, FIXED_NOW)
    assert "no admissions left" in client.get(link).text


def test_a_taken_seat_or_a_performance_off_sale_online_changes_nothing(
        client: TestClient, demo_db: Database) -> None:
    made, sold = sold_pass(demo_db)
    first, second, _ = made.performance_ids
    link = _pass_page(client, str(sold.id), "fan@example.org")
    cart_with(demo_db, user(demo_db, "sam"), first, ["ORCH-F-108"], FIXED_NOW)
    page = _redeem(client, link, first, how="seats", seat=["ORCH-F-107", "ORCH-F-108"])
    assert "Not available: ORCH F-108" in page, page[page.find("flash"):][:200]
    assert seat(demo_db, first, "ORCH-F-107") not in seat_states(demo_db, first, FIXED_NOW)
    assert flex.get_pass(demo_db, sold.id).left == 4
    set_online_settings(demo_db, user(demo_db, "cora"),
                        OnlineSettings(second, enabled=False))
    assert "at the box office only" in client.get(link).text
    assert client.get(link.replace("?", f"/performances/{second}?")).status_code == 200
    page = _redeem(client, link, second, how="best", quantity="1", zone="")
    assert "not sold online" in page
    assert flex.get_pass(demo_db, sold.id).left == 4
    forged = client.post(link.replace("?", f"/performances/{first}?"),
                         data={"csrf": "forged", "how": "best", "quantity": "1"})
    assert forged.status_code == 403


def test_general_admission_places_on_a_stadium_pass(client: TestClient,
                                                    demo_db: Database) -> None:
    from core.venue import series as series_service
    from core.venue.inventory import area_count, area_id
    from tests.support.selling_helpers import keep_on_sale, stadium_performance
    from tests.support.subscription_helpers import PRICING

    cora = user(demo_db, "cora")
    show = stadium_performance(demo_db)
    keep_on_sale(demo_db)
    made = series_service.create_series(demo_db, cora, "Match days", [show], now=FIXED_NOW)
    package = series_service.create_package(demo_db, cora, made.id, "FLEX3", "Any three",
                                            now=FIXED_NOW, admissions=3)
    series_service.set_package_price(demo_db, cora, package.id, "ANY", "ADULT", 9000,
                                     defaults=PRICING, fee_cents=0)
    total = series_service.package_prices(demo_db, package.id)[0].total_cents
    sold = flex.sell_flex_pass(demo_db, user(demo_db, "sam"), package.id, "ADULT",
                               [Tender("cash", total, tendered_cents=total)],
                               customer_id=NewSubscriber("Fan Field", "", "field@example.org"),
                               station=STATION, now=FIXED_NOW)
    link = _pass_page(client, str(sold.id), "field@example.org")
    page = client.get(link.replace("?", f"/performances/{show}?")).text
    assert 'name="area"' in page and "Field (" in page and 'id="map"' not in page
    field = area_id(demo_db, show, "FIELD")
    before = area_count(demo_db, show, field, FIXED_NOW).available
    page = _redeem(client, link, show, how="places", area="FIELD", quantity="4")
    assert "has 3 admission(s) left, not 4" in page
    page = _redeem(client, link, show, how="places", area="FIELD", quantity="3")
    assert "3 admission(s) used, 0 left" in page and page.count('class="ticket"') == 3
    assert "general admission" in page
    assert area_count(demo_db, show, field, FIXED_NOW).available == before - 3
