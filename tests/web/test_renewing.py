"""Renewing a subscription online with the renewal code (issue 20): the lookup (code and
email or phone, one answer for every miss, rate limited), the renewal's signed page, one
step by card that turns the held seats into the new season's subscription when the
provider says paid, a seat change request; after the deadline, a used or wrong code, the
provider down: a clear message and nothing changed."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from core.config import Config, TicketsConfig, WebConfig
from core.sales import renewals, subscriptions
from core.sales.online_renewals import renewal_key
from core.sales.orders import find_order
from core.store.db import Database
from core.venue.inventory import seat_states
from tests.support.constants import FIXED_NOW
from tests.support.fake_card_provider import FakeCardProvider
from tests.support.renewal_helpers import DEADLINE, PACKAGE_A_TOTAL, rolled_season
from tests.support.selling_helpers import seat
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


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/renew").text)
    assert found
    return found.group(1)


def _look_up(client: TestClient, code: str, contact: str) -> str:
    """The page the lookup leads to (its address)."""
    answer = client.post("/renew", data={"csrf": _csrf(client), "code": code,
                                         "contact": contact})
    assert answer.status_code == 200, answer.text
    return str(answer.url)


def _held_for(db: Database, series: renewals.RollForward, label: str) -> set[str | None]:
    return {seat_states(db, show, FIXED_NOW)[seat(db, show, label)].hold_code
            for show in series.series.performance_ids}


def _webhook(client: TestClient, fake: FakeCardProvider) -> int:
    body, signature = fake.deliveries[-1]
    return client.post("/webhooks/payments", content=body,
                       headers={"stripe-signature": signature}).status_code


def test_a_wrong_code_or_contact_gets_one_answer_and_the_right_pair_the_renewal(
        client: TestClient, demo_db: Database) -> None:
    rolled_season(demo_db)
    for code, contact in (("RN1", "ben@example.org"), ("RN9", "ann@example.org"),
                          ("hello", "ann@example.org"), ("RN1", "555 999 0000")):
        answer = client.post("/renew", data={"csrf": _csrf(client), "code": code,
                                             "contact": contact})
        assert answer.url.path == "/renew"
        assert "No renewal has that code with that email or phone" in answer.text
    by_phone = _look_up(client, "rn1", "(555) 010-1234")
    assert re.search(r"/renew/RN1\?key=[0-9a-f]{32}$", by_phone), by_phone
    page = client.get(_look_up(client, "RN1", "ANN@example.org")).text
    for words in ("Ann Lee", "ORCH, row A, seat 101", "336.96", "Opera season 2028",
                  "Renew and pay 336.96 by card"):
        assert words in page, words
    assert page.count("<li>") >= 3                     # the three performances
    # a tampered key is no page at all
    assert client.get("/renew/RN1?key=" + "0" * 32).status_code == 404
    assert client.get("/renew/RN2?key=" + renewal_key("x", "RN2")).status_code == 404


def test_renewing_by_card_makes_the_new_subscription_when_the_provider_says_paid(
        client: TestClient, demo_db: Database, fake: FakeCardProvider) -> None:
    season = rolled_season(demo_db)
    link = _look_up(client, "RN1", "ann@example.org")
    answer = client.post(link.replace("/RN1?", "/RN1/pay?"), data={"csrf": _csrf(client)},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    pay = answer.headers["location"]
    assert re.fullmatch(r"/orders/\d+/pay\?key=[0-9a-f]{32}", pay), pay
    number = pay.split("/")[2]
    order = find_order(demo_db, number)
    assert (order.status, order.channel) == ("pending", "web")
    assert "336.96" in client.get(pay).text
    # while paying, the page says so and a second start is not offered
    page = client.get(link).text
    assert "A card payment for this renewal is under way" in page
    assert "Renew and pay" not in page
    assert renewals.get_renewal(demo_db, 1).status == "offered"
    intent = demo_db.execute("SELECT intent_id FROM payment_attempts").fetchone()[0]
    fake.pay(intent)
    assert _webhook(client, fake) == 200
    order = find_order(demo_db, number)
    assert order.status == "complete" and len(order.tickets) == 3
    assert order.paid_cents == PACKAGE_A_TOTAL
    renewal = renewals.get_renewal(demo_db, 1)
    assert renewal.status == "renewed"
    [made] = [s for s in subscriptions.list_subscriptions(demo_db)
              if s.id == demo_db.execute("SELECT renewed_subscription_id FROM renewals "
                                         "WHERE id = 1").fetchone()[0]]
    assert (made.customer_name, made.seat_label, made.live_tickets, made.order_number) == (
        "Ann Lee", "ORCH-A-101", 3, number)
    for show in season.series.performance_ids:
        assert seat_states(demo_db, show, FIXED_NOW)[seat(demo_db, show, "ORCH-A-101")
                                                     ].state == "sold"
    tickets = client.get(pay.replace("/pay?", "?")).text
    assert "Paid." in tickets and tickets.count('class="ticket"') == 3
    # the code is used now: the page says so, and renewing again changes nothing
    page = client.get(link).text
    assert "Renewed." in page and "Renew and pay" not in page
    again = client.post(link.replace("/RN1?", "/RN1/pay?"), data={"csrf": _csrf(client)})
    assert "This subscription is already renewed" in again.text
    assert demo_db.execute("SELECT count(*) FROM orders WHERE channel = 'web'"
                           ).fetchone()[0] == 1
    # Ben's seat is still held for him
    assert _held_for(demo_db, season, "ORCH-A-102") == {"RN2"}


def test_after_the_deadline_nothing_changes(client: TestClient, demo_db: Database,
                                            time_machine: object) -> None:
    season = rolled_season(demo_db)
    link = _look_up(client, "RN2", "ben@example.org")
    time_machine.move_to(DEADLINE + timedelta(minutes=1))  # type: ignore[attr-defined]
    page = client.get(link).text
    assert "The renewal deadline has passed" in page and "Renew and pay" not in page
    answer = client.post(link.replace("/RN2?", "/RN2/pay?"), data={"csrf": _csrf(client)})
    assert "The renewal deadline has passed" in answer.text
    assert demo_db.execute("SELECT count(*) FROM orders WHERE channel = 'web'"
                           ).fetchone()[0] == 0
    assert renewals.get_renewal(demo_db, 2).status == "offered"
    assert _held_for(demo_db, season, "ORCH-A-102") == {"RN2"}


def test_a_seat_change_request_is_recorded_and_the_seat_stays_held(
        client: TestClient, demo_db: Database) -> None:
    season = rolled_season(demo_db)
    link = _look_up(client, "RN2", "555-010-5678")
    answer = client.post(link.replace("/RN2?", "/RN2/change?"),
                         data={"csrf": _csrf(client), "request": "An aisle seat, please"})
    assert "Your request is recorded" in answer.text
    assert "An aisle seat, please" in answer.text
    assert renewals.get_renewal(demo_db, 2).change_request == "An aisle seat, please"
    assert _held_for(demo_db, season, "ORCH-A-102") == {"RN2"}
    empty = client.post(link.replace("/RN2?", "/RN2/change?"),
                        data={"csrf": _csrf(client), "request": "  "})
    assert empty.url.path == "/renew/RN2" and "required" in empty.text.lower()
    assert renewals.get_renewal(demo_db, 2).change_request == "An aisle seat, please"
    forged = client.post(link.replace("/RN2?", "/RN2/change?"),
                         data={"csrf": "forged", "request": "x"})
    assert forged.status_code == 403


def test_with_the_provider_down_the_seats_stay_held(client: TestClient, demo_db: Database,
                                                    fake: FakeCardProvider) -> None:
    season = rolled_season(demo_db)
    link = _look_up(client, "RN1", "ann@example.org")
    fake.down = True
    answer = client.post(link.replace("/RN1?", "/RN1/pay?"), data={"csrf": _csrf(client)})
    assert answer.url.path == "/renew/RN1"
    assert "card payments are not available just now" in answer.text.lower()
    assert _held_for(demo_db, season, "ORCH-A-101") == {"RN1"}
    assert "Renew and pay" in answer.text
    assert renewals.get_renewal(demo_db, 1).status == "offered"


def test_a_payment_after_the_payment_window_takes_the_seat_back_from_the_hold(
        client: TestClient, demo_db: Database, fake: FakeCardProvider,
        time_machine: object) -> None:
    season = rolled_season(demo_db)
    link = _look_up(client, "RN1", "ann@example.org")
    pay = client.post(link.replace("/RN1?", "/RN1/pay?"), data={"csrf": _csrf(client)},
                      follow_redirects=False).headers["location"]
    later = FIXED_NOW + timedelta(minutes=WebConfig().payment_minutes + 1)
    time_machine.move_to(later)  # type: ignore[attr-defined]
    # the unpaid seats went back to the renewal's hold: the page offers renewing again
    assert {seat_states(demo_db, show, later)[seat(demo_db, show, "ORCH-A-101")].hold_code
            for show in season.series.performance_ids} == {"RN1"}
    assert "Renew and pay" in client.get(link).text
    intent = demo_db.execute("SELECT intent_id FROM payment_attempts").fetchone()[0]
    fake.pay(intent)
    assert _webhook(client, fake) == 200
    assert find_order(demo_db, pay.split("/")[2]).status == "complete"
    assert renewals.get_renewal(demo_db, 1).status == "renewed"
    assert fake.refunds == []


def test_code_lookups_are_rate_limited(client: TestClient, demo_db: Database) -> None:
    rolled_season(demo_db)
    csrf = _csrf(client)
    answers = [client.post("/renew", data={"csrf": csrf, "code": f"RN{n}",
                                           "contact": "x@example.org"}).status_code
               for n in range(12)]
    assert answers[0] == 200 and answers[-1] == 429


def test_without_card_payments_the_page_sends_the_subscriber_to_the_box_office(
        demo_db: Database, demo_path: Path, tmp_path: Path) -> None:
    season = rolled_season(demo_db)
    config = Config(tickets=TicketsConfig(key_dir=str(tmp_path / "keys")), web=WebConfig())
    client = TestClient(create_app(demo_path, config), raise_server_exceptions=False)
    link = _look_up(client, "RN1", "ann@example.org")
    page = client.get(link).text
    assert "Card payment is not offered online: renew at the box office" in page
    assert "Renew and pay" not in page
    answer = client.post(link.replace("/RN1?", "/RN1/pay?"), data={"csrf": _csrf(client)})
    assert "Card payment is not offered here" in answer.text
    assert _held_for(demo_db, season, "ORCH-A-101") == {"RN1"}
    assert renewals.get_renewal(demo_db, 1).status == "offered"
