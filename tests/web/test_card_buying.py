"""Paying by card on the storefront, with the fake provider standing in for Stripe: the
checkout starts a payment, only the provider's signed webhook (or our own check when the
patron comes back) marks the order paid, a forged webhook is refused and changes nothing,
a declined card is tried again, a late payment for seats that were sold is refunded and
the patron told."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from core.config import Config, TicketsConfig, WebConfig
from core.sales.orders import find_order
from core.store.db import Database
from tests.support.constants import FIXED_NOW
from tests.support.fake_card_provider import FakeCardProvider
from tests.support.selling_helpers import cart_with, hall_performance, user
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


def _buy(client: TestClient, show: int, *seats: str) -> tuple[str, str, str]:
    """(csrf, order number, the order's link) after choosing seats and paying by card."""
    page = client.get(f"/performances/{show}").text
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    csrf = found.group(1)
    client.post(f"/performances/{show}/seats", data={"csrf": csrf, "seat": list(seats)})
    cart = client.get("/cart").text
    assert 'value="card" checked' in cart
    answer = client.post("/checkout", data={"csrf": csrf, "name": "Rosa Diaz",
                                            "email": "rosa@example.org", "method": "card"},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    pay = answer.headers["location"]
    assert re.fullmatch(r"/orders/\d+/pay\?key=[0-9a-f]{32}", pay), pay
    number = pay.split("/")[2]
    return csrf, number, pay.replace("/pay?", "?")


def _webhook(client: TestClient, fake: FakeCardProvider, index: int = -1) -> int:
    body, signature = fake.deliveries[index]
    return client.post("/webhooks/payments", content=body,
                       headers={"stripe-signature": signature}).status_code


def test_the_webhook_marks_the_order_paid_and_the_page_shows_its_tickets(
        client: TestClient, demo_db: Database, fake: FakeCardProvider) -> None:
    _, number, link = _buy(client, hall_performance(demo_db), "ORCH-F-107", "ORCH-F-108")
    assert "Not paid yet" in client.get(link).text
    intent = demo_db.execute("SELECT intent_id FROM payment_attempts").fetchone()[0]
    fake.pay(intent)
    assert _webhook(client, fake) == 200
    assert _webhook(client, fake) == 200                   # a replay: acknowledged, no-op
    order = find_order(demo_db, number)
    assert order.status == "complete" and len(order.tickets) == 2
    assert order.paid_cents == 27648
    page = client.get(link).text
    assert "Paid." in page and page.count('class="ticket"') == 2


def test_a_forged_webhook_is_refused_and_changes_nothing(
        client: TestClient, demo_db: Database, fake: FakeCardProvider) -> None:
    _, number, _ = _buy(client, hall_performance(demo_db), "ORCH-F-107")
    intent = demo_db.execute("SELECT intent_id FROM payment_attempts").fetchone()[0]
    fake.pay(intent)
    body, signature = fake.deliveries[-1]
    forged = client.post("/webhooks/payments", content=body.replace(b"2", b"3", 1),
                         headers={"stripe-signature": signature})
    assert forged.status_code == 400
    unsigned = client.post("/webhooks/payments", content=body)
    assert unsigned.status_code == 400
    assert find_order(demo_db, number).status == "pending"


def test_coming_back_from_paying_asks_the_provider_itself(
        client: TestClient, demo_db: Database, fake: FakeCardProvider) -> None:
    _, number, link = _buy(client, hall_performance(demo_db), "ORCH-F-107")
    intent = demo_db.execute("SELECT intent_id FROM payment_attempts").fetchone()[0]
    fake.pay(intent)                                       # no webhook delivered
    assert "Paid." in client.get(link).text
    assert find_order(demo_db, number).status == "complete"
    assert fake.calls.count("retrieve") >= 1


def test_a_declined_card_is_tried_again_with_a_new_payment(
        client: TestClient, demo_db: Database, fake: FakeCardProvider) -> None:
    csrf, number, link = _buy(client, hall_performance(demo_db), "ORCH-F-107")
    first = demo_db.execute("SELECT intent_id FROM payment_attempts").fetchone()[0]
    fake.decline_next()
    with pytest.raises(Exception, match="declined"):
        fake.pay(first)
    assert _webhook(client, fake) == 200
    page = client.get(link).text
    assert "The last try did not go through" in page
    retried = client.post(link.replace("?", "/retry?"), data={"csrf": csrf},
                          follow_redirects=False)
    assert retried.status_code == 303 and "/pay?" in retried.headers["location"]
    second = demo_db.execute("SELECT intent_id FROM payment_attempts ORDER BY id DESC"
                             ).fetchone()[0]
    assert second != first
    fake.pay(second)
    assert _webhook(client, fake) == 200
    assert find_order(demo_db, number).status == "complete"


def test_a_late_payment_for_sold_seats_is_refunded_and_the_patron_told(
        client: TestClient, demo_db: Database, fake: FakeCardProvider,
        time_machine: object) -> None:
    show = hall_performance(demo_db)
    _, number, link = _buy(client, show, "ORCH-F-107")
    later = FIXED_NOW + timedelta(minutes=WebConfig().payment_minutes + 1)
    cart_with(demo_db, user(demo_db, "sam"), show, ["ORCH-F-107"], later)
    time_machine.move_to(later)  # type: ignore[attr-defined]
    intent = demo_db.execute("SELECT intent_id FROM payment_attempts").fetchone()[0]
    fake.pay(intent)
    assert _webhook(client, fake) == 200
    order = find_order(demo_db, number)
    assert order.status == "cancelled" and order.tickets == () and order.paid_cents == 0
    assert [refund.intent_id for refund in fake.refunds] == [intent]
    assert "We have refunded the full amount" in client.get(link).text


def test_with_the_provider_down_the_cart_is_kept(client: TestClient, demo_db: Database,
                                                 fake: FakeCardProvider) -> None:
    show = hall_performance(demo_db)
    page = client.get(f"/performances/{show}").text
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    csrf = found.group(1)
    client.post(f"/performances/{show}/seats", data={"csrf": csrf, "seat": ["ORCH-F-107"]})
    fake.down = True
    answer = client.post("/checkout", data={"csrf": csrf, "name": "Rosa Diaz",
                                            "email": "rosa@example.org", "method": "card"},
                         headers={"referer": "http://testserver/cart"})
    assert answer.url.path == "/cart"
    assert "card payments are not available just now" in answer.text.lower()
    assert "ORCH F-107" in answer.text


def test_the_pay_page_and_a_stand_in_s_card_token(client: TestClient, demo_db: Database,
                                                  fake: FakeCardProvider) -> None:
    csrf, number, link = _buy(client, hall_performance(demo_db), "ORCH-F-107", "ORCH-F-108")
    pay = client.get(link.replace("?", "/pay?"))
    assert pay.status_code == 200
    assert "data-client-secret=\"pi_fake1_secret_x\"" in pay.text, pay.text[-2500:]
    assert "Pay 276.48" in pay.text, pay.text[pay.text.find("pay-button"):][:300]
    confirm = link.replace("?", "/confirm?")
    assert 'data-confirm-url="' + confirm.replace("&", "&amp;") in pay.text
    assert client.post(confirm, data={"csrf": "forged", "token": "tok_x"}).status_code == 403
    fake.decline_next()
    declined = client.post(confirm, data={"csrf": csrf, "token": fake.make_token()})
    assert declined.status_code == 402 and "declined" in declined.json()["message"]
    retried = client.post(link.replace("?", "/retry?"), data={"csrf": csrf})
    assert retried.url.path.endswith("/pay")
    paid = client.post(confirm, data={"csrf": csrf, "token": fake.make_token()})
    assert paid.status_code == 200 and paid.json()["status"] == "succeeded"
    assert "Paid." in client.get(link).text            # the return: we ask the provider
    assert find_order(demo_db, number).status == "complete"
    # paid: the pay page sends the patron to the order
    again = client.get(link.replace("?", "/pay?"), follow_redirects=False)
    assert again.status_code == 303
