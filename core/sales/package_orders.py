"""Package seats on an order paid after it was made: a renewal paid online by card (and,
the same way, any web order whose cart holds a package's seats).

At the window a subscription is recorded in the checkout's own transaction
(`core.sales.subscriptions.sell_subscription`). An online order is paid later, when the
provider's word arrives (`core.sales.card_checkout.settle`), so the subscription is
recorded there, in the same transaction that issues the tickets: `record_packages`. A
renewal's seats keep their hold code on the cart line, so a payment that never comes
puts them back in the renewal's hold; `reclaim_renewal_seat` takes such a seat back into
the order's cart when the payment arrives late but before the renewal's deadline.
"""

from __future__ import annotations

from datetime import datetime

from core.store import journal
from core.store.db import Database, insert
from core.times import stamp


def record_packages(db: Database, actor_name: str, order_id: int, cart_id: int,
                    now: datetime) -> list[int]:
    """Inside a write, right after the order's tickets were issued: one subscription per
    package seat of the cart (the same seat at every performance) for the order's
    customer, each linked to its tickets; a renewal whose held seats these were is marked
    renewed. Journaled like a sale at the window (`subscription.sell`, `renewal.renew`).
    Returns the new subscription ids (none for a cart without package seats)."""
    customer = db.execute("SELECT customer_id FROM orders WHERE id = ?",
                          [order_id]).fetchone()[0]
    made: dict[tuple[int, str, str, int], int] = {}
    renewed: dict[int, int] = {}          # hold code id -> subscription
    for ticket_id, section, row, number, zone, package_id, type_id, hold_id in db.execute(
            "SELECT t.id, c.code, s.row_label, s.number, z.code, i.package_id, "
            "t.price_type_id, i.hold_code_id FROM tickets t JOIN cart_items i ON "
            "i.cart_id = ? AND i.performance_id = t.performance_id AND i.seat_id = t.seat_id "
            "JOIN seats s ON s.id = t.seat_id JOIN sections c ON c.id = s.section_id "
            "JOIN price_zones z ON z.id = s.zone_id WHERE t.order_id = ? AND "
            "t.status = 'live' AND i.package_id IS NOT NULL ORDER BY t.id",
            [cart_id, order_id]).fetchall():
        key = (package_id, section, row, number)
        if key not in made:
            made[key] = insert(db,
                "INSERT INTO subscriptions (package_id, customer_id, order_id, section, "
                "row_label, number, zone, price_type_id, created_at) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [package_id, customer, order_id, section, row, number, zone, type_id,
                 stamp(now)])
        db.execute("INSERT INTO subscription_tickets (ticket_id, subscription_id) "
                   "VALUES (?, ?)", [ticket_id, made[key]])
        if hold_id is not None:
            renewed.setdefault(hold_id, made[key])
    if not made:
        return []
    journal.append(db, actor=actor_name, action="subscription.sell",
                   subject=f"order:{order_id}",
                   data={"customer_id": customer, "subscriptions": sorted(made.values()),
                         "seats": sorted(f"{s}-{r}-{n}" for _, s, r, n in made)})
    for hold_id, subscription_id in renewed.items():
        row = db.execute("SELECT id FROM renewals WHERE hold_code_id = ? AND status IN "
                         "('offered', 'released')", [hold_id]).fetchone()
        if row is None:
            continue
        db.execute("UPDATE renewals SET status = 'renewed', renewed_subscription_id = ? "
                   "WHERE id = ?", [subscription_id, row[0]])
        journal.append(db, actor=actor_name, action="renewal.renew",
                       subject=f"order:{order_id}",
                       data={"renewal_id": row[0], "subscription_id": subscription_id,
                             "channel": "web"})
    return sorted(made.values())


def reclaim_renewal_seat(db: Database, cart_id: int, performance_id: int, seat_id: int,
                         now: datetime, until: datetime) -> bool:
    """Inside a write: a renewal's seat that went back to the renewal's hold when the
    payment window ran out, taken back into the order's cart (kept until `until`), if
    the renewal is still open and before its deadline. Returns whether it was."""
    row = db.execute(
        "SELECT i.hold_code_id FROM cart_items i JOIN renewals r ON r.hold_code_id = "
        "i.hold_code_id WHERE i.cart_id = ? AND i.performance_id = ? AND i.seat_id = ? "
        "AND r.status = 'offered' AND r.deadline > ?",
        [cart_id, performance_id, seat_id, stamp(now)]).fetchone()
    if row is None:
        return False
    moved = db.execute(
        "UPDATE seat_claims SET state = 'cart', hold_code_id = NULL, cart_id = ?, "
        "expires_at = ? WHERE performance_id = ? AND seat_id = ? AND state = 'held' AND "
        "hold_code_id = ?", [cart_id, stamp(until), performance_id, seat_id, row[0]]).rowcount
    return bool(moved == 1)
