"""Issue 24: a checkout to a customer that does not exist is an order error, not an
IntegrityError halfway through the sale."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.people.users import authenticate
from core.sales import carts, checkout
from core.sales.orders import OrderError
from core.sales.tenders import Tender
from core.store.db import Database, write
from core.venue import inventory
from tests.support.constants import FIXED_NOW


def test_checkout_to_a_missing_customer_is_an_order_error(demo_db: Database) -> None:
    sam = authenticate(demo_db, "sam", "1111")
    cart = carts.open_cart(demo_db, sam, "window-1", FIXED_NOW, timedelta(minutes=10))
    seat = inventory.find_seat(demo_db, 1, "ORCH", "A", 101)
    carts.add_seats(demo_db, sam, cart, 1, [seat], "ADULT", FIXED_NOW, timedelta(minutes=10))
    total = carts.view_cart(demo_db, cart).total_cents
    with pytest.raises(OrderError) as raised:
        checkout.checkout(demo_db, sam, cart, [Tender("cash", total, tendered_cents=total)],
                          station="window-1", now=FIXED_NOW, customer_id=99999)
    assert raised.value.code == "no_customer"
    assert carts.view_cart(demo_db, cart).status == "open"   # nothing was sold


def test_a_seat_lost_before_checkout_sells_nothing(demo_db: Database) -> None:
    sam = authenticate(demo_db, "sam", "1111")
    cart = carts.open_cart(demo_db, sam, "window-1", FIXED_NOW, timedelta(minutes=10))
    seats = [inventory.find_seat(demo_db, 1, "ORCH", "A", number) for number in (101, 102)]
    carts.add_seats(demo_db, sam, cart, 1, seats, "ADULT", FIXED_NOW, timedelta(minutes=10))
    total = carts.view_cart(demo_db, cart).total_cents
    orders = demo_db.execute("SELECT count(*) FROM orders").fetchone()[0]
    with write(demo_db):       # one claim gone behind the cart's back
        demo_db.execute("DELETE FROM seat_claims WHERE performance_id = 1 AND seat_id = ?",
                        [seats[1]])
    with pytest.raises(OrderError) as raised:
        checkout.checkout(demo_db, sam, cart, [Tender("cash", total, tendered_cents=total)],
                          station="window-1", now=FIXED_NOW)
    assert raised.value.code == "seat_lost"
    assert demo_db.execute("SELECT count(*) FROM orders").fetchone()[0] == orders
    assert demo_db.execute("SELECT count(*) FROM tickets WHERE seat_id = ?",
                           [seats[0]]).fetchone()[0] == 0
    assert demo_db.execute("SELECT state, cart_id FROM seat_claims WHERE performance_id = 1 "
                           "AND seat_id = ?", [seats[0]]).fetchone() == ("cart", cart)


def test_a_seat_moved_to_another_cart_before_checkout_sells_nothing(
        demo_db: Database) -> None:
    sam = authenticate(demo_db, "sam", "1111")
    hold = timedelta(minutes=10)
    mine, other = (carts.open_cart(demo_db, sam, "window-1", FIXED_NOW, hold)
                   for _ in range(2))
    seats = [inventory.find_seat(demo_db, 1, "ORCH", "A", number) for number in (103, 104)]
    carts.add_seats(demo_db, sam, mine, 1, seats, "ADULT", FIXED_NOW, hold)
    total = carts.view_cart(demo_db, mine).total_cents
    with write(demo_db):       # the claim now another cart's, behind this one's back
        demo_db.execute("UPDATE seat_claims SET cart_id = ? WHERE performance_id = 1 AND "
                        "seat_id = ?", [other, seats[0]])
    with pytest.raises(OrderError) as raised:
        checkout.checkout(demo_db, sam, mine, [Tender("cash", total, tendered_cents=total)],
                          station="window-1", now=FIXED_NOW)
    assert raised.value.code == "seat_lost"
    assert demo_db.execute("SELECT count(*) FROM tickets WHERE seat_id IN (?, ?)",
                           seats).fetchone()[0] == 0
    assert carts.view_cart(demo_db, mine).status == "open"
