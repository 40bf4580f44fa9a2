"""Goods in the window cart and on orders: concessions and merchandise sold beside
tickets (or on their own) in the same cart, paid by the same tenders.

A cart's goods are priced from the item when viewed and at checkout, like its seats.
Stock is not reserved by a cart: it goes down when the order is made (`issue_goods`),
and back up on a refund or void (`return_goods`). Selling more than is on hand needs
`stock_override` (or a supervisor's), asked when the line is put in the cart and kept
with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from core.concessions.stock import StockError, get_item, move
from core.errors import BoxOfficeError, NotFound
from core.people.models import User
from core.sales.models import CartGood, OrderGood
from core.store.db import Database, insert
from core.till.shifts import open_shift_id
from core.venue.pricing import tax_on

MAX_LINE = 999


CART_GOODS = ("SELECT g.id, i.sku, i.name, i.category, i.unit, g.quantity, i.price_cents, "
              "i.tax_bp, i.on_hand, g.short_approved_by FROM cart_goods g JOIN items i ON "
              "i.id = g.item_id WHERE g.cart_id = ? ORDER BY g.id")


def cart_good(row: Sequence[Any]) -> CartGood:
    """A CartGood from a row of CART_GOODS."""
    return CartGood(row[0], row[1], row[2], row[3], row[4], row[5], row[6],
                    tax_on(row[6], row[7]), row[8], row[9])


def cart_goods(db: Database, cart_id: int) -> tuple[CartGood, ...]:
    return tuple(cart_good(row) for row in db.execute(CART_GOODS, [cart_id]))


def _open_shift(db: Database, actor: User) -> int | None:
    """The actor's open shift, which goods sold or returned count in; None without one
    (a card answer resolved later, a refund of goods only)."""

    try:
        return open_shift_id(db, actor.id)
    except BoxOfficeError:
        return None


def issue_goods(db: Database, actor: User, order_id: int, cart_id: int,
                now: datetime, *, enforce: bool = True) -> int:
    """Inside a write, as the order is made: the cart's goods become order lines at
    today's prices and leave stock. A line over what is on hand raises StockError
    `out_of_stock` unless it was approved in the cart (or `enforce` is off: a card
    already charged while the answer was lost). Returns their value."""
    shift_id = _open_shift(db, actor)
    value = 0
    for good in cart_goods(db, cart_id):
        item = get_item(db, good.sku)
        line_id = insert(db,
            "INSERT INTO order_goods (order_id, item_id, description, category, quantity, "
            "price_cents, tax_cents, shift_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [order_id, item.id, item.name, item.category, good.quantity, good.price_cents,
             good.tax_cents, shift_id])
        approved = good.short_approved_by or (None if enforce else actor.username)
        move(db, actor, item, "sale", -good.quantity, now, order_goods_id=line_id,
             shift_id=shift_id, approved_by=approved)
        value += good.total_cents
    return value


ORDER_GOODS = ("SELECT g.id, i.sku, g.description, g.category, g.quantity, g.returned, "
               "g.price_cents, g.tax_cents FROM order_goods g JOIN items i ON "
               "i.id = g.item_id WHERE g.order_id = ? ORDER BY g.id")


def order_goods(db: Database, order_id: int) -> tuple[OrderGood, ...]:
    return tuple(OrderGood(*r) for r in db.execute(ORDER_GOODS, [order_id]))


def return_goods(db: Database, actor: User, order_id: int,
                 quantities: Mapping[int, int] | None, kind: str, reason: str,
                 now: datetime) -> int:
    """Inside a write: goods of an order come back (refund or void) and go back into
    stock. `quantities` maps order_goods ids to how many; None: all that are kept.
    Returns their value. Raises NotFound `unknown_item`, StockError `bad_quantity`."""
    lines = {g.id: g for g in order_goods(db, order_id)}
    wanted = ({i: g.kept for i, g in lines.items() if g.kept} if quantities is None
              else dict(quantities))
    shift_id = _open_shift(db, actor)
    value = 0
    for line_id, quantity in wanted.items():
        good = lines.get(line_id)
        if good is None:
            raise NotFound(f"goods line {line_id} is not in this order", code="unknown_item")
        if not 1 <= quantity <= good.kept:
            raise StockError(f"{good.description}: return 1 to {good.kept}",
                             code="bad_quantity")
        db.execute("UPDATE order_goods SET returned = returned + ? WHERE id = ?",
                   [quantity, line_id])
        move(db, actor, get_item(db, good.sku), kind, quantity, now, reason=reason,
             order_goods_id=line_id, shift_id=shift_id)
        value += good.each_cents * quantity
    return value

