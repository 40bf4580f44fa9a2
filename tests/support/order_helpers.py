"""Orders to look up: sold through core on the demo database (whose fixture opens sam's
shift), with or without a customer."""

from __future__ import annotations

from datetime import datetime

from core.sales import checkout, customers, models
from core.sales.customers import Customer
from core.sales.tenders import Tender
from core.store.db import Database
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import STATION, cart_with, hall_performance, user

NOW = FIXED_NOW


def customer(db: Database, name: str, phone: str = "", email: str = "",
             flags: tuple[str, ...] = ()) -> Customer:
    return customers.create_customer(db, user(db, "sam"), name, phone=phone, email=email,
                                     flags=flags, now=NOW)


def sell(db: Database, seats: list[str], *, who: Customer | None = None,
         delivery: str = "print", now: datetime = NOW) -> models.Order:
    """Seats in the hall's first performance, paid by card (13,824 cents a seat)."""
    sam = user(db, "sam")
    cart_id = cart_with(db, sam, hall_performance(db), seats, now)
    total = 13824 * len(seats)
    return checkout.checkout(db, sam, cart_id, [
        Tender("card", total, card_brand="VISA", card_last4="4242", approval_code="A1B2C3",
               terminal_ref="T-881")], station=STATION, now=now,
        customer_id=who.id if who else None, delivery=delivery)
