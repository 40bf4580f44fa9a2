"""Buying on the storefront through the ASGI app: choose seats, the cart, reserve and pay
at the window, the order page and its PDF tickets that scan at the gate, the email; and
every kind of bad input refused with a clear message and nothing changed."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
import zxingcpp
from pypdf import PdfReader
from starlette.testclient import TestClient

from core.config import Config, MailConfig, TicketsConfig, WebConfig
from core.gate import checkin
from core.sales import reservations
from core.sales.orders import find_order
from core.sales.tenders import Tender
from core.store.db import Database
from core.venue.inventory import SeatUnavailable
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.dates import day_at
from tests.support.selling_helpers import STATION, cart_with, hall_performance, user
from tests.support.smtp import smtp_server
from web.app import create_app
from web.session import COOKIE


def _config(tmp_path: Path, **web: object) -> Config:
    return Config(tickets=TicketsConfig(key_dir=str(tmp_path / "keys")),
                  web=dataclasses.replace(WebConfig(), **web))  # type: ignore[arg-type]


@pytest.fixture
def client(demo_db: Database, demo_path: Path, tmp_path: Path) -> TestClient:
    return TestClient(create_app(demo_path, _config(tmp_path)), raise_server_exceptions=False)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page has no form"
    return found.group(1)


def _flash(page: str) -> str:
    found = re.search(r'class="flash" role="alert">([^<]+)<', page)
    return found.group(1) if found else ""


def _choose(client: TestClient, show: int, *seats: str) -> str:
    page = client.get(f"/performances/{show}")
    csrf = _csrf(page.text)
    answer = client.post(f"/performances/{show}/seats", data={"csrf": csrf, "seat": seats})
    assert answer.status_code == 200
    return csrf


def _reserve(client: TestClient, csrf: str, email: str = "rosa@example.org") -> str:
    answer = client.post("/checkout", data={"csrf": csrf, "name": "Rosa Diaz",
                                            "email": email, "method": "reserve"},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def test_a_patron_reserves_seats_pays_at_the_window_and_the_pdf_ticket_admits(
        client: TestClient, demo_db: Database) -> None:
    show = hall_performance(demo_db)
    csrf = _choose(client, show, "ORCH-F-107", "ORCH-F-108")
    cart = client.get("/cart").text
    assert "ORCH F-107" in cart and "ORCH F-108" in cart and "276.48" in cart
    # the seats are the window's too: a seller cannot take them
    with pytest.raises(SeatUnavailable):
        cart_with(demo_db, user(demo_db, "sam"), show, ["ORCH-F-107"], FIXED_NOW)
    link = _reserve(client, csrf)
    assert re.fullmatch(r"/orders/\d+\?key=[0-9a-f]{32}", link)
    page = client.get(link).text
    assert "Reserved, not paid" in page and "276.48" in page
    assert client.get("/cart").text.count("Your cart is empty") == 1

    number = link.split("/")[2].split("?")[0]
    order = reservations.find_reservation(demo_db, number)
    reservations.pay_reservation(demo_db, user(demo_db, "sam"), order.id,
                                 [Tender("cash", order.total_cents)], station=STATION,
                                 now=FIXED_NOW + timedelta(hours=1))
    page = client.get(link).text
    assert "Paid." in page and page.count('class="ticket"') == 2 and "<svg" in page
    pdf = client.get(link.replace("?", "/tickets.pdf?"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 2
    image = reader.pages[0].images[0].image
    decoded = zxingcpp.read_barcodes(image)
    assert len(decoded) == 1
    gate = checkin.open_gate(demo_db, user(demo_db, "gia"), show, "North", zone=ZONE)
    assert checkin.scan(demo_db, gate, decoded[0].text, now=day_at(1, "19:00", ZONE)
                        ).code == "ADMIT"
    # the window finds it like any order
    assert find_order(demo_db, number).channel == "web"


def test_a_seat_just_taken_at_the_window_says_so_and_changes_nothing(
        client: TestClient, demo_db: Database) -> None:
    show = hall_performance(demo_db)
    page = client.get(f"/performances/{show}")
    assert 'value="ORCH-F-107"' in page.text
    cart_with(demo_db, user(demo_db, "sam"), show, ["ORCH-F-107"], FIXED_NOW)
    answer = client.post(f"/performances/{show}/seats", data={
        "csrf": _csrf(page.text), "seat": ["ORCH-F-108", "ORCH-F-107"]},
        headers={"referer": f"http://testserver/performances/{show}"})
    assert answer.url.path == f"/performances/{show}"
    assert "just taken: pick another" in _flash(answer.text)
    assert 'value="ORCH-F-107"' not in answer.text      # the map and list are redrawn
    assert "Your cart is empty" in client.get("/cart").text   # all or none


def test_tampered_forms_and_cookies_change_nothing(client: TestClient,
                                                   demo_db: Database) -> None:
    show = hall_performance(demo_db)
    csrf = _csrf(client.get(f"/performances/{show}").text)
    before = demo_db.execute("SELECT count(*) FROM seat_claims").fetchone()[0]
    for data in ({"seat": ["ORCH-F-107"]}, {"csrf": "forged", "seat": ["ORCH-F-107"]}):
        assert client.post(f"/performances/{show}/seats", data=data).status_code == 403
    for quantity in ("-1", "0", "10000", "two", "1" * 300):
        answer = client.post(f"/performances/{show}/best",
                             data={"csrf": csrf, "quantity": quantity})
        assert answer.status_code in (200, 400)
        assert "Traceback" not in answer.text
    answer = client.post(f"/performances/{show}/seats",
                         data={"csrf": csrf, "seat": ["ORCH-Z-999", "<script>"]})
    assert "There is no seat ORCH-Z-999" in _flash(answer.text)
    assert client.post("/cart/explode", data={"csrf": csrf}).status_code in (200, 404)
    assert demo_db.execute("SELECT count(*) FROM seat_claims").fetchone()[0] == before
    # a forged cookie is a new, empty session, not an error and not someone's cart
    client.cookies.set(COOKIE, "eyJjYXJ0IjogMX0=.0000")
    assert "Your cart is empty" in client.get("/cart").text
    # an order link with the wrong key is the same 404 as no order at all
    assert client.get("/orders/100001?key=" + "0" * 32).status_code == 404
    assert client.get("/orders/999999").status_code == 404


def test_limits_best_available_price_types_and_more_time(client: TestClient,
                                                         demo_db: Database) -> None:
    show = hall_performance(demo_db)
    csrf = _csrf(client.get(f"/performances/{show}").text)
    answer = client.post(f"/performances/{show}/best", data={"csrf": csrf, "quantity": "11"})
    assert "from 1 to 10" in _flash(answer.text)
    answer = client.post(f"/performances/{show}/best", data={"csrf": csrf, "quantity": "3"})
    assert answer.url.path == "/cart" and answer.text.count(">Remove</button>") == 3
    item = re.search(r'name="item" value="(\d+)"', answer.text)
    assert item
    answer = client.post("/cart/type", data={"csrf": csrf, "item": item.group(1),
                                             "price_type": "COMP"})
    assert "not a price sold online" in _flash(answer.text)
    answer = client.post("/cart/type", data={"csrf": csrf, "item": item.group(1),
                                             "price_type": "CHILD"})
    assert '<option value="CHILD" selected>' in answer.text
    for _ in range(2):
        assert "held until" in _flash(client.post("/cart/extend", data={"csrf": csrf}).text)
    assert "cannot be held any longer" in _flash(
        client.post("/cart/extend", data={"csrf": csrf}).text)


def test_the_order_is_emailed_and_found_by_number_and_email(
        demo_db: Database, demo_path: Path, tmp_path: Path) -> None:
    with smtp_server() as (inbox, port):
        config = dataclasses.replace(_config(tmp_path), mail=MailConfig(
            host="127.0.0.1", port=port, sender="Box Office <tickets@example.org>"))
        client = TestClient(create_app(demo_path, config), raise_server_exceptions=False)
        csrf = _choose(client, hall_performance(demo_db), "ORCH-F-107")
        link = _reserve(client, csrf)
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "rosa@example.org" and "reservation" in message["Subject"]
    body = message.get_body(("plain",))
    assert body is not None and link in body.get_content()
    number = link.split("/")[2].split("?")[0]
    found = client.post("/orders", data={"csrf": csrf, "number": number,
                                         "email": "Rosa@Example.org"}, follow_redirects=False)
    assert found.headers["location"] == link
    wrong = client.post("/orders", data={"csrf": csrf, "number": number,
                                         "email": "eve@example.org"})
    assert "No order has that number and email" in _flash(wrong.text)


def test_an_unreachable_mail_server_is_logged_and_the_order_stands(
        demo_db: Database, demo_path: Path, tmp_path: Path) -> None:
    from tests.support.gate_server import free_port

    config = dataclasses.replace(_config(tmp_path), mail=MailConfig(
        host="127.0.0.1", port=free_port(), sender="tickets@example.org", timeout_seconds=2))
    client = TestClient(create_app(demo_path, config), raise_server_exceptions=False)
    link = _reserve(client, _choose(client, hall_performance(demo_db), "ORCH-F-107"))
    assert "Reserved, not paid" in client.get(link).text
    from core.sales import online

    (logged,) = online.messages(demo_db, user(demo_db, "cora"))
    assert logged.status == "failed" and "did not take the message" in logged.error


def test_in_an_on_sale_rush_buyers_wait_their_turn(demo_db: Database, demo_path: Path,
                                                    tmp_path: Path) -> None:
    from core.sales import waiting_room

    waiting_room.set_queue(demo_db, user(demo_db, "cora"), waiting_room.QueueSettings(
        enabled=True, capacity=1, per_minute=10))
    first = TestClient(create_app(demo_path, _config(tmp_path)), raise_server_exceptions=False)
    second = TestClient(create_app(demo_path, _config(tmp_path)), raise_server_exceptions=False)
    show = hall_performance(demo_db)
    csrf = _csrf(first.get(f"/performances/{show}").text)
    answer = first.post(f"/performances/{show}/seats", data={"csrf": csrf,
                                                              "seat": ["ORCH-F-107"]})
    assert answer.url.path == "/queue" and "It's your turn" in answer.text
    answer = first.post(f"/performances/{show}/seats", data={"csrf": csrf,
                                                              "seat": ["ORCH-F-107"]})
    assert answer.url.path == "/cart"
    other = _csrf(second.get(f"/performances/{show}").text)
    waiting = second.post(f"/performances/{show}/seats", data={"csrf": other,
                                                               "seat": ["ORCH-F-108"]})
    assert waiting.url.path == "/queue" and "You are next." in waiting.text
    assert second.get("/queue/status").json() == {"admitted": False, "ahead": 0}
    assert second.get("/cart").url.path == "/queue"
    assert demo_db.execute("SELECT count(*) FROM cart_items").fetchone()[0] == 1
    # browsing stays open
    assert second.get(f"/performances/{show}").status_code == 200
