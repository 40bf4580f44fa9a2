"""Buying a season's fixed package online (issue 20): the seat chosen once on the first
performance's map (or the best free at every performance) is claimed at every
performance into the ordinary cart, all or none; checked out by card (the provider's
word records the subscription with its tickets) or reserved and paid at the window; a
seat taken at any performance is named and nothing is added; a package's line is not
removed or repriced alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from core.config import Config, TicketsConfig, WebConfig
from core.sales import reservations, subscriptions
from core.sales.orders import find_order
from core.sales.tenders import Tender
from core.store.db import Database
from core.venue.inventory import seat_states
from tests.support.constants import FIXED_NOW
from tests.support.fake_card_provider import FakeCardProvider
from tests.support.renewal_helpers import PACKAGE_A_TOTAL
from tests.support.selling_helpers import cart_with, seat, user
from tests.support.subscription_helpers import hall_series
from web.app import create_app


@pytest.fixture
def fake() -> FakeCardProvider:
    return FakeCardProvider()


@pytest.fixture
def client(demo_db: Database, demo_path: Path, tmp_path: Path,
           fake: FakeCardProvider) -> TestClient:
    config = Config(tickets=TicketsConfig(key_dir=str(tmp_path / "keys")), web=WebConfig())
    return TestClient(create_app(demo_path, config, provider=fake),
                      raise_server_exceptions=False)


def _csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def _checkout(client: TestClient, csrf: str, method: str) -> str:
    answer = client.post("/checkout", data={"csrf": csrf, "name": "Rosa Diaz",
                                            "email": "rosa@example.org", "method": method},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def test_a_season_bought_online_by_card_becomes_a_subscription(
        client: TestClient, demo_db: Database, fake: FakeCardProvider) -> None:
    made, package = hall_series(demo_db, 3)
    listing = client.get("/subscriptions").text
    assert "Full season: Opera season" in listing and f"/subscriptions/{package.id}" in listing
    page = client.get(f"/subscriptions/{package.id}").text
    assert 'id="c-ORCH-A-103"' in page and "336.96" in page      # zone A, adult
    csrf = _csrf(client, f"/subscriptions/{package.id}")
    answer = client.post(f"/subscriptions/{package.id}/seats",
                         data={"csrf": csrf, "how": "seats", "seat": ["ORCH-A-103"],
                               "price_type": "ADULT"})
    assert answer.url.path == "/cart", answer.text
    assert answer.text.count("season package, adult") == 3
    assert "Total (3 tickets): <strong>336.96" in answer.text
    for show in made.performance_ids:
        assert seat_states(demo_db, show, FIXED_NOW)[seat(demo_db, show, "ORCH-A-103")
                                                     ].state == "cart"
    # a package's line keeps its price type; removing it removes the seat everywhere
    line = demo_db.execute("SELECT min(id) FROM cart_items").fetchone()[0]
    refused = client.post("/cart/type", data={"csrf": csrf, "item": str(line),
                                              "price_type": "SENIOR"},
                          headers={"referer": "http://testserver/cart"})
    assert "keeps the price type it was added with" in refused.text
    assert refused.text.count("season package, adult") == 3
    assert "Remove from every performance" in refused.text
    emptied = client.post("/cart/remove", data={"csrf": csrf, "item": str(line)})
    assert "season package" not in emptied.text and "Your cart is empty" in emptied.text
    for show in made.performance_ids:
        assert seat(demo_db, show, "ORCH-A-103") not in seat_states(demo_db, show, FIXED_NOW)
    answer = client.post(f"/subscriptions/{package.id}/seats",
                         data={"csrf": csrf, "how": "seats", "seat": ["ORCH-A-103"],
                               "price_type": "ADULT"})
    assert answer.text.count("season package, adult") == 3
    pay = _checkout(client, csrf, "card")
    number = pay.split("/")[2]
    intent = demo_db.execute("SELECT intent_id FROM payment_attempts").fetchone()[0]
    fake.pay(intent)
    body, signature = fake.deliveries[-1]
    assert client.post("/webhooks/payments", content=body,
                       headers={"stripe-signature": signature}).status_code == 200
    order = find_order(demo_db, number)
    assert order.status == "complete" and len(order.tickets) == 3
    assert order.paid_cents == PACKAGE_A_TOTAL
    [sold] = subscriptions.list_subscriptions(demo_db, package_id=package.id)
    assert (sold.customer_name, sold.seat_label, sold.live_tickets, sold.order_number) == (
        "Rosa Diaz", "ORCH-A-103", 3, number)


def test_a_seat_taken_at_any_performance_is_named_and_nothing_is_added(
        client: TestClient, demo_db: Database) -> None:
    made, package = hall_series(demo_db, 3)
    cart_with(demo_db, user(demo_db, "sam"), made.performance_ids[2], ["ORCH-A-103"],
              FIXED_NOW)
    # taken at the third performance only: greyed on the first one's map, not offered
    page = client.get(f"/subscriptions/{package.id}").text
    assert 'id="c-ORCH-A-103"' not in page and "#s-ORCH-A-103" in page
    assert 'id="c-ORCH-A-104"' in page
    csrf = _csrf(client, f"/subscriptions/{package.id}")
    answer = client.post(f"/subscriptions/{package.id}/seats",
                         data={"csrf": csrf, "how": "seats", "seat": ["ORCH-A-103"],
                               "price_type": "ADULT"},
                         headers={"referer": f"http://testserver/subscriptions/{package.id}"})
    assert answer.url.path == f"/subscriptions/{package.id}"
    flash = answer.text[answer.text.find("flash"):][:300]
    assert f"ORCH A-103 is cart at #{made.performance_ids[2]}" in answer.text, flash
    for show in made.performance_ids[:2]:
        assert seat(demo_db, show, "ORCH-A-103") not in seat_states(demo_db, show, FIXED_NOW)
    comp = client.post(f"/subscriptions/{package.id}/seats",
                       data={"csrf": csrf, "how": "seats", "seat": ["ORCH-A-104"],
                             "price_type": "COMP"},
                       headers={"referer": f"http://testserver/subscriptions/{package.id}"})
    assert "is not a price of this package sold online" in comp.text
    assert demo_db.execute("SELECT count(*) FROM cart_items i JOIN carts c ON c.id = "
                           "i.cart_id JOIN users u ON u.id = c.user_id WHERE "
                           "u.username = 'web'").fetchone()[0] == 0


def test_the_best_seats_reserved_online_and_paid_at_the_window(
        client: TestClient, demo_db: Database) -> None:
    _, package = hall_series(demo_db, 3)
    csrf = _csrf(client, f"/subscriptions/{package.id}")
    answer = client.post(f"/subscriptions/{package.id}/seats",
                         data={"csrf": csrf, "how": "best", "quantity": "2", "zone": "A",
                               "price_type": "ADULT"})
    assert answer.url.path == "/cart" and answer.text.count("season package, adult") == 6
    link = _checkout(client, csrf, "reserve")
    number = link.split("/")[2].split("?")[0]
    web_order = reservations.find_reservation(demo_db, number)
    assert web_order.status == "reserved"
    paid = reservations.pay_reservation(demo_db, user(demo_db, "sam"), web_order.id,
                                        [Tender("cash", web_order.total_cents)],
                                        station="window-1", now=FIXED_NOW)
    assert paid.status == "complete"
    sold = subscriptions.list_subscriptions(demo_db, package_id=package.id)
    assert len(sold) == 2 and {s.live_tickets for s in sold} == {3}
    assert {s.customer_name for s in sold} == {"Rosa Diaz"}
