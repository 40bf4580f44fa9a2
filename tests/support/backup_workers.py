"""A window that keeps selling while the backup tests copy the database.

In an importable module because the `spawn` start method imports the target by name.
"""

from __future__ import annotations

import traceback
from datetime import timedelta
from typing import Any

from core.people.users import get_user
from core.sales import carts, checkout
from core.sales.tenders import Tender
from core.store.db import connect
from core.venue.inventory import SeatUnavailable
from tests.support.constants import FIXED_NOW

HOLD = timedelta(minutes=10)


def selling_worker(db_path: str, username: str, show: int, limit: int, started: Any,
                   stop: Any, results: Any) -> None:
    """Sell two seats a time (best available, cash) until `stop` is set or `limit` sales;
    report the committed order ids and any error."""
    outcome: dict[str, Any] = {"user": username, "orders": [], "errors": []}
    db = None
    try:
        db = connect(db_path)
        seller = get_user(db, username)
        started.set()
        while not stop.is_set() and len(outcome["orders"]) < limit:
            cart_id = carts.open_cart(db, seller, f"backup-{username}", FIXED_NOW, HOLD)
            try:
                cart = carts.add_best_available(db, seller, cart_id, show, 2, "ADULT",
                                                FIXED_NOW, HOLD)
            except SeatUnavailable:
                carts.cancel_cart(db, seller, cart_id, FIXED_NOW)
                continue
            order = checkout.checkout(db, seller, cart_id, [Tender("cash", cart.total_cents)],
                                    station=f"backup-{username}", now=FIXED_NOW)
            outcome["orders"].append(order.id)
    except Exception:
        outcome["errors"].append(traceback.format_exc())
    finally:
        if db is not None:
            db.close()
        results.put(outcome)
