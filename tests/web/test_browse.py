"""The storefront's browsing pages through the ASGI app: what's on, a performance's
prices and seats, the availability state with its ETag, and clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from core.store.db import Database
from tests.support.order_helpers import sell
from tests.support.selling_helpers import hall_performance
from web.app import create_app


@pytest.fixture
def client(demo_db: Database, demo_path: Path) -> TestClient:
    return TestClient(create_app(demo_path), raise_server_exceptions=False)


def test_whats_on_lists_the_performances_with_their_state(client: TestClient,
                                                          demo_db: Database) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "What's on" in page.text and "The Marriage of Figaro" in page.text
    assert "Harbor City FC v Riverside United" in page.text
    assert 'class="status status-on">on sale' in page.text
    assert f'href="/performances/{hall_performance(demo_db)}"' in page.text


def test_a_hall_performance_shows_prices_fees_and_its_seats(client: TestClient,
                                                          demo_db: Database) -> None:
    show = hall_performance(demo_db)
    sell(demo_db, ["ORCH-F-107"])
    page = client.get(f"/performances/{show}")
    assert page.status_code == 200
    text = page.text
    assert "<svg" in text and 'id="s-ORCH-F-108"' in text
    assert "fees " in text and "Premium" in text
    assert ">Complimentary<" not in text and ">Group<" not in text   # not sold online
    # the sold seat is greyed without JavaScript and missing from the list of seats
    assert "#s-ORCH-F-107" in text
    assert 'value="ORCH-F-108" id="c-ORCH-F-108"> ORCH, row F, seat 108, Premium, ' in text
    assert ('value="ORCH-F-107"' in text) is False


def test_the_state_changes_when_a_seat_sells_and_costs_a_304_when_not(
        client: TestClient, demo_db: Database) -> None:
    show = hall_performance(demo_db)
    first = client.get(f"/performances/{show}/state")
    assert first.status_code == 200
    tag = first.headers["etag"]
    same = client.get(f"/performances/{show}/state", headers={"If-None-Match": tag})
    assert same.status_code == 304 and same.content == b""
    sell(demo_db, ["ORCH-F-109"])
    after = client.get(f"/performances/{show}/state", headers={"If-None-Match": tag})
    assert after.status_code == 200 and "ORCH-F-109" in after.json()["taken"]


def test_the_map_svg_is_cacheable_by_its_version(client: TestClient,
                                                 demo_db: Database) -> None:
    show = hall_performance(demo_db)
    svg = client.get(f"/performances/{show}/map.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg")
    assert "max-age" in svg.headers["cache-control"] and svg.headers["etag"]


def test_a_stadium_lists_its_sections(client: TestClient, demo_db: Database) -> None:
    from core.venue import performances

    stadium = next(p.id for p in performances.list_performances(demo_db)
                   if p.venue_kind == "stadium")
    page = client.get(f"/performances/{stadium}")
    assert page.status_code == 200 and "Sections" in page.text and "(224)" in page.text


@pytest.mark.parametrize("path", ["/performances/999999", "/nowhere",
                                  "/performances/abc", "/performances/-1/state"])
def test_bad_addresses_get_a_clear_page_and_no_trace(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 404
    assert "Traceback" not in page.text and "See what's on" in page.text


def test_a_stadium_section_opens_its_own_map_and_sells_from_it(client: TestClient,
                                                              demo_db: Database) -> None:
    from tests.support.selling_helpers import stadium_performance

    match = stadium_performance(demo_db)
    overview = client.get(f"/performances/{match}").text
    assert f'href="/performances/{match}/sections/101"' in overview
    page = client.get(f"/performances/{match}/sections/101")
    assert page.status_code == 200
    seats = re.findall(r'<circle id="s-([^"]+)"', page.text)
    assert len(seats) > 500 and all(key.startswith("101-") for key in seats)
    assert f'data-state="/performances/{match}/state?section=101"' in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    answer = client.post(f"/performances/{match}/seats",
                         data={"csrf": csrf.group(1), "seat": [seats[0]]})
    assert answer.url.path == "/cart" and seats[0].replace("-", " ", 1) in answer.text
    state = client.get(f"/performances/{match}/state?section=101").json()
    assert state["taken"] == [seats[0]]
    assert client.get(f"/performances/{match}/state?section=102").json()["taken"] == []
    assert client.get(f"/performances/{match}/sections/999").status_code == 404


def test_wheelchair_and_companion_seats_are_marked_and_said(client: TestClient,
                                                           demo_db: Database) -> None:
    show = hall_performance(demo_db)
    page = client.get(f"/performances/{show}").text
    wheelchair = re.search(r'<circle id="s-([^"]+)" class="seat z-\w+ wheelchair"', page)
    companion = re.search(r'<circle id="s-([^"]+)" class="seat z-\w+ companion"', page)
    assert wheelchair and companion
    section, row, number = wheelchair.group(1).rsplit("-", 2)
    assert f"{section}, row {row}, seat {number}, " in page
    assert f'value="{wheelchair.group(1)}"' in page
    listed = page[page.index(f'value="{wheelchair.group(1)}"'):][:200]
    assert "wheelchair space" in listed
    assert ">W</text>" in page and ">C</text>" in page


def test_the_webhook_without_a_provider_answers_json(client: TestClient) -> None:
    answer = client.post("/webhooks/payments", content=b"{}")
    assert answer.status_code == 404 and answer.json()["error"].startswith("no card")
