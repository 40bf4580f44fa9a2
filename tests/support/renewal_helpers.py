"""Helpers for the online renewal tests: a season sold to two subscribers with an email
and a phone each, rolled forward to the next one with their seats held."""

from __future__ import annotations

from datetime import timedelta

from core.sales import carts, renewals, subscriptions
from core.sales.tenders import Tender
from core.store.db import Database
from core.venue.performances import copy_performance
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.dates import day_at
from tests.support.selling_helpers import HOLD, STATION, keep_on_sale, user
from tests.support.subscription_helpers import hall_series

DEADLINE = FIXED_NOW + timedelta(days=30)
PACKAGE_A_TOTAL = 33696          # $300 + $12 fee, 8 % tax
SUBSCRIBERS = (("ORCH-A-101", "Ann Lee", "ann@example.org", "555 010 1234"),
               ("ORCH-A-102", "Ben Ode", "ben@example.org", "555 010 5678"))


def subscribe(db: Database, package_id: int, seats: str, name: str, email: str,
              phone: str) -> int:
    """A fixed subscription sold at the window for cash; its id."""
    sam = user(db, "sam")
    cart_id = carts.open_cart(db, sam, STATION, FIXED_NOW, HOLD)
    cart = subscriptions.add_package_seats(db, sam, cart_id, package_id, seats, "ADULT",
                                           FIXED_NOW, HOLD)
    _, made = subscriptions.sell_subscription(
        db, sam, cart_id, [Tender("cash", cart.total_cents)],
        customer_id=subscriptions.NewSubscriber(name, phone=phone, email=email),
        station=STATION, now=FIXED_NOW)
    return made[0]


def rolled_season(db: Database, performances: int = 3) -> renewals.RollForward:
    """This season (`performances` of the hall) sold to SUBSCRIBERS, rolled forward to
    as many performances 200 days on, renewals RN1 and RN2 held until DEADLINE."""
    made, package = hall_series(db, performances)
    for seats, name, email, phone in SUBSCRIBERS:
        subscribe(db, package.id, seats, name, email, phone)
    cora = user(db, "cora")
    first = db.execute("SELECT min(id) FROM performances").fetchone()[0]
    shows = [copy_performance(db, cora, first, day_at(200 + 7 * week, "19:30", ZONE))
             for week in range(performances)]
    keep_on_sale(db, days=600)
    return renewals.roll_forward(db, cora, made.id, "Opera season 2028", shows,
                                 season="2028", deadline=DEADLINE, now=FIXED_NOW)
