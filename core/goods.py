"""Goods in the window cart and on orders: concessions and merchandise sold beside
tickets (or on their own) in the same cart, paid by the same tenders.

A cart's goods are priced from the item when viewed and at checkout, like its seats.
Stock is not reserved by a cart: it goes down when the order is made (`issue_goods`),
and back up on a refund or void (`return_goods`). Selling more than is on hand needs
`stock_override` (or a supervisor's), asked when the line is put in the cart and kept
with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from core import journal
from core.db import write
from core.errors import BoxOfficeError, NotFound
from core.permissions import Override, PermissionDenied, authorize
from core.pricing import tax_on
from core.stock import Item, StockError, get_item, move
from core.users import User

MAX_LINE = 999


@dataclass(frozen=True)
class CartGood:
    id: int
    sku: str
    name: str
    category: str
    unit: str
    quantity: int
    price_cents: int          # each, before tax
    tax_cents: int            # each
    on_hand: int
    short_approved_by: str | None

    @property
    def each_cents(self) -> int:
        return self.price_cents + self.tax_cents

    @property
    def total_cents(self) -> int:
        return self.each_cents * self.quantity

    @property
    def label(self) -> str:
        return f"{self.name} x{self.quantity}"

    @property
    def short(self) -> bool:
        """More in the cart than is on hand now."""
        return self.quantity > self.on_hand


@dataclass(frozen=True)
class OrderGood:
    id: int
    sku: str
    description: str
    category: str
    quantity: int
    returned: int
    price_cents: int          # each, before tax
    tax_cents: int            # each

    @property
    def each_cents(self) -> int:
        return self.price_cents + self.tax_cents

    @property
    def kept(self) -> int:
        """How many the customer still has (not refunded or voided)."""
        return self.quantity - self.returned

    @property
    def value_cents(self) -> int:
        return self.each_cents * self.kept


def cart_goods(db: sqlite_utils.Database, cart_id: int) -> tuple[CartGood, ...]:
    return tuple(CartGood(r[0], r[1], r[2], r[3], r[4], r[5], r[6], tax_on(r[6], r[7]),
                          r[8], r[9]) for r in db.execute(
        "SELECT g.id, i.sku, i.name, i.category, i.unit, g.quantity, i.price_cents, "
        "i.tax_bp, i.on_hand, g.short_approved_by FROM cart_goods g JOIN items i ON "
        "i.id = g.item_id WHERE g.cart_id = ? ORDER BY g.id", [cart_id]))


def _short_approval(db: sqlite_utils.Database, actor: User, item: Item, quantity: int,
                    allow_short: bool, override: Override | None) -> str | None:
    """Who lets this line sell more than is on hand (None: it does not need to).
    Raises StockError `out_of_stock` unless selling short was asked for explicitly, and
    PermissionDenied (`permission_denied`, naming the stock) when the actor may not."""
    if quantity <= item.on_hand:
        return None
    left = f"only {item.on_hand} {item.unit}" if item.on_hand > 0 else "none"
    if not allow_short:
        raise StockError(f"{item.name}: {left} in stock, {quantity} wanted",
                         code="out_of_stock")
    try:
        return authorize(db, actor, "stock_override", override=override)
    except PermissionDenied:
        if override is not None:        # a refused supervisor: say so as authorize did
            raise
        raise PermissionDenied(f"{item.name} has {left} in stock and {actor.display_name} "
                               f"may not sell short ({quantity} wanted); a supervisor can "
                               "approve it with their PIN") from None


def _open_shift(db: sqlite_utils.Database, actor: User) -> int | None:
    """The actor's open shift, which goods sold or returned count in; None without one
    (a card answer resolved later, a refund of goods only)."""
    from core.shifts import open_shift_id

    try:
        return open_shift_id(db, actor.id)
    except BoxOfficeError:
        return None


def set_goods(db: sqlite_utils.Database, actor: User, cart_id: int, sku: str, quantity: int,
              now: datetime, *, hold: timedelta | None = None, add: bool = True,
              allow_short: bool = False,
              override: Override | None = None) -> tuple[CartGood, ...]:
    """Put `quantity` of an item in the cart (added to what is there, or, with
    `add=False`, replacing it; 0 takes the line out); with `hold`, the cart's hold
    time starts again, as when seats are added. More than is on hand is refused
    (`out_of_stock`) unless `allow_short` asks for it explicitly, which needs
    `stock_override` or a supervisor's override. Needs `sell`. Raises StockError
    (`bad_quantity`, `inactive_item`, `out_of_stock`), NotFound (`unknown_sku`),
    CartError (`cart_expired`, ...), PermissionDenied (`permission_denied`,
    `override_refused`)."""
    from core.carts import _extend, _open

    if not (0 if not add else 1) <= quantity <= MAX_LINE:
        raise StockError(f"choose 1 to {MAX_LINE}", code="bad_quantity")
    item = get_item(db, sku)
    if not item.active and quantity:
        raise StockError(f"{item.name} is no longer sold", code="inactive_item")
    authorize(db, actor, "sell")
    row = db.execute("SELECT quantity, short_approved_by FROM cart_goods WHERE cart_id = ? "
                     "AND item_id = ?", [cart_id, item.id]).fetchone()
    total = (row[0] if row and add else 0) + quantity
    if total > MAX_LINE:
        raise StockError(f"at most {MAX_LINE} of one item in a cart", code="bad_quantity")
    approved = row[1] if row and row[1] and total <= row[0] else None
    if approved is None and total:
        # asked outside the write, so a refused override stays in the journal
        approved = _short_approval(db, actor, item, total, allow_short, override)
    with write(db):
        _open(db, cart_id, now)
        if hold is not None:     # like seats: adding to the cart pushes its hold out
            _extend(db, cart_id, now, hold)
        if total == 0:
            db.execute("DELETE FROM cart_goods WHERE cart_id = ? AND item_id = ?",
                       [cart_id, item.id])
        else:
            db.execute("INSERT INTO cart_goods (cart_id, item_id, quantity, "
                       "short_approved_by) VALUES (?, ?, ?, ?) ON CONFLICT (cart_id, "
                       "item_id) DO UPDATE SET quantity = excluded.quantity, "
                       "short_approved_by = excluded.short_approved_by",
                       [cart_id, item.id, total, approved])
        if approved is not None and approved != actor.username:
            journal.append(db, actor=actor.username, action="stock.sell_short",
                           subject=f"cart:{cart_id}",
                           data={"sku": item.sku, "quantity": total, "on_hand": item.on_hand,
                                 "approved_by": approved})
    return cart_goods(db, cart_id)


def remove_goods(db: sqlite_utils.Database, actor: User, cart_id: int, line_id: int,
                 now: datetime) -> tuple[CartGood, ...]:
    """Take a goods line out of the cart. Raises NotFound `unknown_item`."""
    from core.carts import _open

    with write(db):
        authorize(db, actor, "sell")
        _open(db, cart_id, now)
        gone = db.execute("DELETE FROM cart_goods WHERE id = ? AND cart_id = ?",
                          [line_id, cart_id]).rowcount
        if not gone:
            raise NotFound("that line is not in the cart", code="unknown_item")
    return cart_goods(db, cart_id)


def issue_goods(db: sqlite_utils.Database, actor: User, order_id: int, cart_id: int,
                now: datetime, *, enforce: bool = True) -> int:
    """Inside a write, as the order is made: the cart's goods become order lines at
    today's prices and leave stock. A line over what is on hand raises StockError
    `out_of_stock` unless it was approved in the cart (or `enforce` is off: a card
    already charged while the answer was lost). Returns their value."""
    shift_id = _open_shift(db, actor)
    value = 0
    for good in cart_goods(db, cart_id):
        item = get_item(db, good.sku)
        line_id = db.execute(
            "INSERT INTO order_goods (order_id, item_id, description, category, quantity, "
            "price_cents, tax_cents, shift_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [order_id, item.id, item.name, item.category, good.quantity, good.price_cents,
             good.tax_cents, shift_id]).lastrowid
        approved = good.short_approved_by or (None if enforce else actor.username)
        move(db, actor, item, "sale", -good.quantity, now, order_goods_id=line_id,
             shift_id=shift_id, approved_by=approved)
        value += good.total_cents
    return value


def order_goods(db: sqlite_utils.Database, order_id: int) -> tuple[OrderGood, ...]:
    return tuple(OrderGood(*r) for r in db.execute(
        "SELECT g.id, i.sku, g.description, g.category, g.quantity, g.returned, "
        "g.price_cents, g.tax_cents FROM order_goods g JOIN items i ON i.id = g.item_id "
        "WHERE g.order_id = ? ORDER BY g.id", [order_id]))


def return_goods(db: sqlite_utils.Database, actor: User, order_id: int,
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

