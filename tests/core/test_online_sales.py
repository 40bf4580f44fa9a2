"""Selling online: a patron's cart under `[web]` rules, reservations paid at the window,
and what happens when a reservation's deadline passes."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from core.config import WebConfig
from core.errors import BoxOfficeError
from core.people.users import authenticate, list_users
from core.sales import online, reservations
from core.sales.carts import view_cart
from core.sales.orders import OrderError, get_order
from core.sales.reservations import Contact
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database
from core.venue.inventory import SeatUnavailable, seat_states
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import (
    STATION,
    cart_with,
    hall_performance,
    seat,
    user,
)

WEB = WebConfig()
RULES = online.OnlineRules.from_config(WEB)
PATRON = Contact("Rosa Diaz", "rosa@example.org", "555 010 2000")


def _cart(db: Database, *labels: str) -> int:
    show = hall_performance(db)
    return online.add_seats(db, None, show, [seat(db, show, label) for label in labels],
                            RULES, FIXED_NOW)


def test_the_storefront_account_is_nobody_a_person_can_sign_in_as(demo_db: Database) -> None:
    account = online.web_account(demo_db)
    assert account.role == "seller"
    assert "web" not in {u.username for u in list_users(demo_db, include_inactive=True)}
    with pytest.raises(BoxOfficeError):
        authenticate(demo_db, "web", "0000")


def test_a_web_cart_holds_seats_against_the_windows(demo_db: Database) -> None:
    show = hall_performance(demo_db)
    cart_id = _cart(demo_db, "ORCH-F-107", "ORCH-F-108")
    assert seat_states(demo_db, show, FIXED_NOW)[seat(demo_db, show, "ORCH-F-107")].state == "cart"
    with pytest.raises(SeatUnavailable):
        cart_with(demo_db, user(demo_db, "sam"), show, ["ORCH-F-108"], FIXED_NOW)
    # and the other way: a seat a window holds is "just taken" for the patron
    cart_with(demo_db, user(demo_db, "sam"), show, ["ORCH-F-109"], FIXED_NOW)
    with pytest.raises(SeatUnavailable) as taken:
        online.add_seats(demo_db, cart_id, show, [seat(demo_db, show, "ORCH-F-109")], RULES,
                         FIXED_NOW)
    assert taken.value.code == "just_taken"
    assert online.live_cart(demo_db, cart_id, FIXED_NOW) == cart_id
    assert len(online.remove(demo_db, cart_id, _first_item(demo_db, cart_id),
                             FIXED_NOW).lines) == 1


def _starts(db: Database, performance_id: int) -> datetime:
    return datetime.fromisoformat(db.execute("SELECT starts_at FROM performances WHERE id = ?",
                                             [performance_id]).fetchone()[0])


def _first_item(db: Database, cart_id: int) -> int:
    return view_cart(db, cart_id).lines[0].item_id


def test_the_ticket_limit_and_online_price_types_are_kept(demo_db: Database) -> None:
    show = hall_performance(demo_db)
    rules = dataclasses.replace(RULES, max_tickets=2)
    cart_id = online.add_best(demo_db, None, show, 2, None, rules, FIXED_NOW)
    with pytest.raises(online.OnlineError) as refused:
        online.add_best(demo_db, cart_id, show, 1, None, rules, FIXED_NOW)
    assert refused.value.code == "too_many_tickets"
    for quantity in (0, -1):
        with pytest.raises(online.OnlineError):
            online.add_best(demo_db, cart_id, show, quantity, None, RULES, FIXED_NOW)
    item = _first_item(demo_db, cart_id)
    comp = demo_db.execute("SELECT code FROM price_types WHERE kind = 'comp'").fetchone()[0]
    with pytest.raises(online.OnlineError) as comped:
        online.set_price_type(demo_db, cart_id, item, comp, RULES, FIXED_NOW)
    assert comped.value.code == "not_online_type"


def test_a_hold_is_extended_a_limited_number_of_times(demo_db: Database) -> None:
    cart_id = _cart(demo_db, "ORCH-F-107")
    later = FIXED_NOW + timedelta(minutes=8)
    until = online.extend(demo_db, cart_id, RULES, later)
    assert until == later + RULES.hold
    online.extend(demo_db, cart_id, RULES, later + timedelta(minutes=5))
    with pytest.raises(online.OnlineError) as refused:
        online.extend(demo_db, cart_id, RULES, later + timedelta(minutes=9))
    assert refused.value.code == "no_more_time"
    assert online.extensions_left(demo_db, cart_id, RULES) == 0
    # after the hold runs out the cart is gone and its seat is back on sale
    gone = later + timedelta(minutes=5) + RULES.hold + timedelta(seconds=1)
    assert online.live_cart(demo_db, cart_id, gone) is None


def test_a_reservation_is_paid_at_the_window_and_its_tickets_issued(demo_db: Database) -> None:
    cart_id = _cart(demo_db, "ORCH-F-107", "ORCH-F-108")
    order = reservations.reserve(demo_db, cart_id, PATRON, WEB, FIXED_NOW)
    starts = _starts(demo_db, hall_performance(demo_db))
    assert order.status == "reserved" and order.pay_by == min(
        FIXED_NOW + timedelta(hours=WEB.reserve_hours),
        starts - timedelta(hours=WEB.reserve_cutoff_hours))
    assert order.total_cents == order.cart.total_cents > 0
    assert get_order(demo_db, order.id).tickets == ()
    found = reservations.find_web_order(demo_db, order.number, "ROSA@example.org")
    assert found.id == order.id
    with pytest.raises(BoxOfficeError):
        reservations.find_web_order(demo_db, order.number, "someone@example.org")

    sam = user(demo_db, "sam")
    with pytest.raises(OrderError) as short:
        reservations.pay_reservation(demo_db, sam, order.id, [Tender("cash", 100)],
                                     station=STATION, now=FIXED_NOW + timedelta(hours=1))
    assert short.value.code == "balance_not_zero"
    paid = reservations.pay_reservation(
        demo_db, sam, order.id, [Tender("cash", order.total_cents)], station=STATION,
        now=FIXED_NOW + timedelta(hours=1))
    assert paid.status == "complete"
    sold = get_order(demo_db, order.id)
    assert len(sold.tickets) == 2 and sold.balance_cents == 0 and sold.channel == "web"
    with pytest.raises(OrderError) as again:
        reservations.pay_reservation(demo_db, sam, order.id, [Tender("cash", 1)],
                                     station=STATION, now=FIXED_NOW + timedelta(hours=2))
    assert again.value.code == "not_reserved"
    assert journal.verify(demo_db).ok


def test_an_unpaid_reservation_runs_out_and_its_seats_go_back_on_sale(
        demo_db: Database) -> None:
    show = hall_performance(demo_db)
    order = reservations.reserve(demo_db, _cart(demo_db, "ORCH-F-107"), PATRON, WEB, FIXED_NOW)
    assert order.pay_by is not None
    after = order.pay_by + timedelta(minutes=1)
    assert seat(demo_db, show, "ORCH-F-107") not in seat_states(demo_db, show, after)
    with pytest.raises(OrderError) as late:
        reservations.pay_reservation(demo_db, user(demo_db, "sam"), order.id,
                                     [Tender("cash", order.total_cents)], station=STATION,
                                     now=after)
    assert late.value.code == "not_reserved"
    assert reservations.web_order(demo_db, order.id).status == "cancelled"
    # the seat sells again at the window
    cart_with(demo_db, user(demo_db, "sam"), show, ["ORCH-F-107"], after)


def test_reservations_are_limited_per_email_and_refused_close_to_the_show(
        demo_db: Database) -> None:
    one = dataclasses.replace(WEB, reservations_per_email=1)
    reservations.reserve(demo_db, _cart(demo_db, "ORCH-F-107"), PATRON, one, FIXED_NOW)
    second = _cart(demo_db, "ORCH-F-108")
    with pytest.raises(online.OnlineError) as limited:
        reservations.reserve(demo_db, second, PATRON, one, FIXED_NOW)
    assert limited.value.code == "too_many_reservations"
    show = hall_performance(demo_db)
    close = _starts(demo_db, show) - timedelta(hours=WEB.reserve_cutoff_hours,
                                                       minutes=30)
    with pytest.raises(online.OnlineError) as too_late:
        reservations.deadline(view_cart(demo_db, second), demo_db, WEB, close)
    assert too_late.value.code == "no_reservations"
    for bad in (Contact("", "a@b.org"), Contact("Ann", ""), Contact("Ann", "not-an-email"),
                Contact("Ann", "a@b.org", "call me")):
        with pytest.raises(BoxOfficeError):
            reservations.reserve(demo_db, second, bad, WEB, FIXED_NOW)
    assert demo_db.execute("SELECT count(*) FROM orders WHERE status = 'reserved'"
                           ).fetchone()[0] == 1
