"""The order a checkout returns is built from what it wrote, not read back (one round trip
less on PostgreSQL): it must be the order `get_order` reads, field for field, for every
kind of sale."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from core.people.permissions import Override
from core.sales import carts, checkout, groups, orders
from core.sales.carts import set_goods
from core.sales.customers import create_customer
from core.sales.models import Order
from core.sales.tenders import Tender
from core.store.db import Database
from core.venue import inventory
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import (
    HOLD,
    STATION,
    cart_with,
    hall_performance,
    stadium_performance,
    user,
)

NOW = FIXED_NOW


def _total(db: Database, cart_id: int) -> int:
    return carts.view_cart(db, cart_id).total_cents


def cash_with_change_for_a_customer(db: Database) -> Order:
    sam = user(db, "sam")
    customer = create_customer(db, sam, "Ruth Okafor", phone="+1 555 010 2020")
    cart_id = cart_with(db, sam, hall_performance(db), ["ORCH-A-101", "ORCH-A-102"], NOW)
    total = _total(db, cart_id)
    return checkout.checkout(db, sam, cart_id, [Tender("cash", total, tendered_cents=total + 752)],
                             station=STATION, now=NOW, customer_id=customer.id,
                             delivery="will_call")


def general_admission(db: Database) -> Order:
    sam = user(db, "sam")
    match = stadium_performance(db)
    cart_id = carts.open_cart(db, sam, STATION, NOW, HOLD)
    cart = carts.add_area_places(db, sam, cart_id, match, "FIELD", 3, "ADULT", NOW, HOLD)
    return checkout.checkout(db, sam, cart_id, [Tender("cash", cart.total_cents)],
                             station=STATION, now=NOW)


def split_cash_and_a_card_in_lower_case(db: Database) -> Order:
    sam = user(db, "sam")
    cart_id = cart_with(db, sam, hall_performance(db), ["ORCH-E-101", "ORCH-E-102"], NOW)
    total = _total(db, cart_id)
    return checkout.checkout(db, sam, cart_id, [
        Tender("cash", 10000, tendered_cents=10000),
        Tender("card", total - 10000, card_brand="visa", card_last4="4242",
               approval_code="A1B2C3", terminal_ref="T-881")], station=STATION, now=NOW)


def a_comp_and_a_wheelchair_space(db: Database) -> Order:
    sam = user(db, "sam")
    show = hall_performance(db)
    cart_id = cart_with(db, sam, show, ["ORCH-Q-101"], NOW, price_type="COMP")
    space = db.execute("SELECT s.id FROM seats s JOIN sections c ON c.id = s.section_id "
                       "JOIN performances p ON p.venue_id = c.venue_id WHERE p.id = ? AND "
                       "s.wheelchair = 1 ORDER BY s.id LIMIT 1", [show]).fetchone()
    assert space is not None, "the demo hall has wheelchair spaces"
    carts.add_seats(db, sam, cart_id, show, [int(space[0])], "COMP", NOW, HOLD)
    order = checkout.checkout(db, sam, cart_id, [Tender("comp", 0, reason="press night")],
                              station=STATION, now=NOW, override=Override("cora", "3333"))
    assert {t.flags for t in order.tickets} == {
        checkout.FLAG_COMP, checkout.FLAG_COMP | checkout.FLAG_WHEELCHAIR}
    return order


def a_lost_card_answer(db: Database) -> Order:
    sam = user(db, "sam")
    cart_id = cart_with(db, sam, hall_performance(db), ["ORCH-H-101"], NOW)
    lost = Tender("card", _total(db, cart_id), card_brand="MASTERCARD", card_last4="5100",
                  status="unknown")
    order = checkout.checkout(db, sam, cart_id, [lost], station=STATION, now=NOW)
    assert order.status == "pending" and order.tickets == ()
    return order


def a_group_deposit(db: Database) -> Order:
    cora = user(db, "cora")
    group = groups.create_group(db, cora, "Riverside Choir", now=NOW)
    cart_id = cart_with(db, cora, hall_performance(db), ["ORCH-R-101", "ORCH-R-102"], NOW,
                        price_type="GROUP")
    return checkout.checkout(db, cora, cart_id, [Tender("cash", 5000)], station=STATION,
                             now=NOW, channel="group", group_id=group.id,
                             balance_due=(NOW + timedelta(days=14)).date())


def seats_and_goods(db: Database) -> Order:
    sam = user(db, "sam")
    cart_id = cart_with(db, sam, hall_performance(db), ["ORCH-C-101"], NOW)
    set_goods(db, sam, cart_id, "POPCORN", 2, NOW)
    order = checkout.checkout(db, sam, cart_id, [Tender("cash", _total(db, cart_id))],
                              station=STATION, now=NOW)
    assert [g.quantity for g in order.goods] == [2]
    return order


@pytest.mark.parametrize("sale", [
    cash_with_change_for_a_customer, general_admission, split_cash_and_a_card_in_lower_case,
    a_comp_and_a_wheelchair_space, a_lost_card_answer, a_group_deposit, seats_and_goods])
def test_the_order_a_checkout_returns_is_the_order_it_wrote(
        demo_db: Database, sale: Callable[[Database], Order]) -> None:
    order = sale(demo_db)
    assert order == orders.get_order(demo_db, order.id)


def test_two_hundred_tickets_come_back_in_their_order(demo_db: Database) -> None:
    sam = user(demo_db, "sam")
    match = stadium_performance(demo_db)
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    free = sorted(inventory.seat_states(demo_db, match, NOW))  # taken seats, to skip
    seats = [s for (s,) in demo_db.execute(
        "SELECT s.id FROM seats s JOIN sections c ON c.id = s.section_id JOIN performances p "
        "ON p.venue_id = c.venue_id WHERE p.id = ? ORDER BY s.id DESC LIMIT 260",
        [match]).fetchall() if s not in free][:200]
    carts.add_seats(demo_db, sam, cart_id, match, seats, "ADULT", NOW, HOLD)
    order = checkout.checkout(demo_db, sam, cart_id,
                              [Tender("cash", _total(demo_db, cart_id))], station=STATION,
                              now=NOW)
    assert len(order.tickets) == 200
    assert order == orders.get_order(demo_db, order.id)
