"""Worker for the two-window subscription race: one window sells a seat as a
subscription (every performance of a series), the other the same seat as a single
ticket at one performance, both released by a barrier for every seat. Importable by name,
as the `spawn` start method needs."""

from __future__ import annotations

import traceback
from datetime import timedelta
from typing import Any

from core.people.users import get_user
from core.sales import carts, checkout, subscriptions
from core.sales.tenders import Tender
from core.store.db import connect
from core.venue.inventory import SeatUnavailable, find_seat
from tests.support.constants import FIXED_NOW

HOLD = timedelta(minutes=10)


def race_worker(db_path: str, role: str, package_id: int, performance_id: int,
                customer_id: int, labels: list[str], barrier: Any, results: Any) -> None:
    """`role` 'subscription' or 'single': for each seat label, wait at the barrier, then
    try to sell it. Reports the labels won and refused, and any other error."""
    outcome: dict[str, Any] = {"role": role, "won": [], "refused": [], "errors": []}
    db = None
    try:
        db = connect(db_path)
        seller = get_user(db, "sam" if role == "subscription" else "cora")
        station = f"window-{role}"
        for label in labels:
            barrier.wait()
            cart_id = carts.open_cart(db, seller, station, FIXED_NOW, HOLD)
            try:
                if role == "subscription":
                    cart = subscriptions.add_package_seats(db, seller, cart_id, package_id,
                                                           label, "ADULT", FIXED_NOW, HOLD)
                    subscriptions.sell_subscription(
                        db, seller, cart_id, [Tender("cash", cart.total_cents)],
                        customer_id=customer_id, station=station, now=FIXED_NOW)
                else:
                    section, row, number = label.rsplit("-", 2)
                    seat_id = find_seat(db, performance_id, section, row, int(number))
                    cart = carts.add_seats(db, seller, cart_id, performance_id, [seat_id],
                                           "ADULT", FIXED_NOW, HOLD)
                    checkout.checkout(db, seller, cart_id, [Tender("cash", cart.total_cents)],
                                      station=station, now=FIXED_NOW)
                outcome["won"].append(label)
            except SeatUnavailable:
                outcome["refused"].append(label)
                carts.cancel_cart(db, seller, cart_id, FIXED_NOW)
    except BaseException:
        outcome["errors"].append(traceback.format_exc())
    finally:
        if db is not None:
            db.close()
        results.put(outcome)
