"""Concession and merchandise items, and their stock.

Stock on hand changes only through a `stock_moves` row (append-only) written in the same
transaction as `items.on_hand`: receiving (a purchase with its unit cost), a sale, a
refund or void, an adjustment with a reason, or a count. `on_hand` therefore always
equals the sum of the item's moves (`check_stock` proves it).

Stock never goes below zero unless a user with `stock_override` (or a supervisor's
override) allows it explicitly; the move then records who did. Receiving, adjusting,
counting and editing items need `stock`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.errors import BoxOfficeError, NotFound
from core.free_text import LONG, clean_text
from core.money import refuse_card_numbers
from core.people.models import User
from core.people.permissions import Override, authorize
from core.store import journal
from core.store.db import Database, insert, write
from core.times import stamp
from core.venue.pricing import tax_on

ADJUST_REASONS = ("waste", "damage", "theft", "count correction", "sample", "transfer",
                  "found")
MAX_QUANTITY = 100_000


class StockError(BoxOfficeError):
    code = "stock"


@dataclass(frozen=True)
class Item:
    id: int
    sku: str
    name: str
    category: str
    price_cents: int          # before tax
    tax_bp: int
    unit: str
    low_stock: int            # at or below this, the window shows LOW
    on_hand: int
    cost_cents: int           # average cost of what is on hand
    active: bool

    @property
    def tax_cents(self) -> int:
        """Tax on one, rounded half up to the cent."""
        return tax_on(self.price_cents, self.tax_bp)

    @property
    def each_cents(self) -> int:
        return self.price_cents + self.tax_cents

    @property
    def low(self) -> bool:
        return self.on_hand <= self.low_stock

    @property
    def stock_label(self) -> str:
        """What the window shows beside the item: '12', '3 LOW', 'OUT'."""
        if self.on_hand <= 0:
            return "OUT" if self.on_hand == 0 else f"{self.on_hand} OUT"
        return f"{self.on_hand} LOW" if self.low else str(self.on_hand)


@dataclass(frozen=True)
class Move:
    id: int
    sku: str
    kind: str
    quantity: int
    on_hand_after: int
    unit_cost_cents: int | None
    reason: str | None
    username: str
    approved_by: str | None
    at: datetime


_ITEM_COLUMNS = ("id, sku, name, category, price_cents, tax_bp, unit, low_stock, on_hand, "
                 "cost_cents, active")


def _item(row: tuple[Any, ...]) -> Item:
    return Item(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                row[9], bool(row[10]))


def list_items(db: Database, *, category: str | None = None,
               include_inactive: bool = False, text: str = "") -> list[Item]:
    """Items by category and name; `text` matches SKU, name or category (any case)."""
    sql = f"SELECT {_ITEM_COLUMNS} FROM items WHERE 1 = 1"
    args: list[object] = []
    if not include_inactive:
        sql += " AND active = 1"
    if category:
        sql += " AND lower(category) = lower(?)"
        args.append(category)
    if text.strip():
        like = f"%{text.strip()}%"
        sql += (" AND (lower(sku) LIKE lower(?) OR lower(name) LIKE lower(?) "
                "OR lower(category) LIKE lower(?))")
        args += [like, like, like]
    return [_item(r) for r in db.execute(sql + " ORDER BY category, name, sku", args)]


def get_item(db: Database, sku: str) -> Item:
    """An item by SKU (any case). Raises NotFound `unknown_item`."""
    row = db.execute(f"SELECT {_ITEM_COLUMNS} FROM items WHERE lower(sku) = lower(?)",
                     [sku.strip()]).fetchone()
    if row is None:
        raise NotFound(f"there is no item '{sku.strip()}'", code="unknown_sku")
    return _item(row)


def _check_fields(sku: str, name: str, category: str, price_cents: int, tax_bp: int,
                  unit: str, low_stock: int) -> None:
    if not sku or len(sku) > 32 or not all(c.isalnum() or c in "-_" for c in sku) \
            or not sku.isascii():
        raise StockError("a SKU is 1 to 32 letters, digits, - or _", code="bad_sku")
    if not name.strip() or not category.strip() or not unit.strip():
        raise StockError("an item needs a name, a category and a unit", code="bad_item")
    for field, value in (("SKU", sku), ("item name", name), ("category", category),
                         ("unit", unit)):
        clean_text(value, field)
    if not 0 <= price_cents <= 10_000_000:
        raise StockError("the price is 0.00 to 100000.00", code="bad_price")
    if not 0 <= tax_bp <= 10_000:
        raise StockError("tax is 0 to 10000 basis points (0% to 100%)", code="bad_tax")
    if not 0 <= low_stock <= MAX_QUANTITY:
        raise StockError("the low-stock threshold is 0 or more", code="bad_threshold")


def add_item(db: Database, actor: User, *, sku: str, name: str, category: str,
             price_cents: int, tax_bp: int = 0, unit: str = "each", low_stock: int = 0,
             now: datetime) -> Item:
    """A new item with no stock (receive some to sell it). Needs `stock`. Raises
    StockError (`bad_sku`, `bad_item`, `bad_price`, `bad_tax`, `duplicate_sku`)."""
    sku = sku.strip()
    _check_fields(sku, name, category, price_cents, tax_bp, unit, low_stock)
    refuse_card_numbers(name=name, category=category, unit=unit)
    with write(db):
        authorize(db, actor, "stock")
        if db.execute("SELECT 1 FROM items WHERE lower(sku) = lower(?)", [sku]).fetchone():
            raise StockError(f"there is already an item '{sku}'", code="duplicate_sku")
        db.execute("INSERT INTO items (sku, name, category, price_cents, tax_bp, unit, "
                   "low_stock, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [sku, name.strip(), category.strip(), price_cents, tax_bp, unit.strip(),
                    low_stock, stamp(now)])
        journal.append(db, actor=actor.username, action="item.add", subject=f"item:{sku}",
                       data={"name": name.strip(), "category": category.strip(),
                             "price_cents": price_cents, "tax_bp": tax_bp,
                             "unit": unit.strip(), "low_stock": low_stock})
    return get_item(db, sku)


def update_item(db: Database, actor: User, sku: str, **changes: object) -> Item:
    """Change an item's name, category, price_cents, tax_bp, unit, low_stock or active.
    Stock is never edited here (receive, adjust or count it). Needs `stock`. Raises
    StockError, NotFound."""
    allowed = {"name", "category", "price_cents", "tax_bp", "unit", "low_stock", "active"}
    unknown = set(changes) - allowed
    if unknown:
        raise StockError(f"cannot change {', '.join(sorted(unknown))} here",
                         code="bad_change")
    with write(db):
        authorize(db, actor, "stock")
        item = get_item(db, sku)
        fields = {"name": item.name, "category": item.category,
                  "price_cents": item.price_cents, "tax_bp": item.tax_bp, "unit": item.unit,
                  "low_stock": item.low_stock, "active": item.active, **changes}
        _check_fields(item.sku, str(fields["name"]), str(fields["category"]),
                      _whole(fields["price_cents"]), _whole(fields["tax_bp"]),
                      str(fields["unit"]), _whole(fields["low_stock"]))
        db.execute("UPDATE items SET name = ?, category = ?, price_cents = ?, tax_bp = ?, "
                   "unit = ?, low_stock = ?, active = ? WHERE id = ?",
                   [str(fields["name"]).strip(), str(fields["category"]).strip(),
                    fields["price_cents"], fields["tax_bp"], str(fields["unit"]).strip(),
                    fields["low_stock"], 1 if fields["active"] else 0, item.id])
        journal.append(db, actor=actor.username, action="item.update",
                       subject=f"item:{item.sku}",
                       data={k: (bool(v) if k == "active" else v)
                             for k, v in changes.items()})
    return get_item(db, sku)


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise StockError(f"'{value}' is not a whole number", code="bad_item")
    return value


def move(db: Database, actor: User, item: Item, kind: str, quantity: int,
         now: datetime, *, reason: str | None = None, unit_cost_cents: int | None = None,
         order_goods_id: int | None = None, count_id: int | None = None,
         shift_id: int | None = None, approved_by: str | None = None) -> int:
    """Inside a write: one stock move and the item's new on_hand; returns it. Refuses
    (`out_of_stock`) to go below zero unless `approved_by` names who allowed it."""
    for field, value in (("reason", reason), ("approved by", approved_by)):
        if value:
            clean_text(value, field, max_length=LONG)
    on_hand = db.execute("SELECT on_hand FROM items WHERE id = ?", [item.id]).fetchone()[0]
    after = on_hand + quantity
    if after < 0 and quantity < 0 and approved_by is None:
        left = f"only {on_hand} {item.unit}" if on_hand > 0 else "none"
        raise StockError(f"{item.name} ({item.sku}): {left} in stock, {-quantity} wanted; "
                         "a supervisor can allow selling short", code="out_of_stock")
    db.execute("INSERT INTO stock_moves (item_id, kind, quantity, on_hand_after, "
               "unit_cost_cents, reason, order_goods_id, count_id, shift_id, user_id, "
               "approved_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [item.id, kind, quantity, after, unit_cost_cents, reason, order_goods_id,
                count_id, shift_id, actor.id, approved_by, stamp(now)])
    db.execute("UPDATE items SET on_hand = ? WHERE id = ?", [after, item.id])
    return int(after)


def receive(db: Database, actor: User, sku: str, quantity: int,
            unit_cost_cents: int, now: datetime, *, reference: str = "") -> Item:
    """Stock bought in: `quantity` at `unit_cost_cents` each. The item's average cost
    becomes the weighted average of what was on hand and what came in. Needs `stock`.
    Raises StockError (`bad_quantity`, `bad_cost`), NotFound."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise StockError(f"receive 1 to {MAX_QUANTITY}", code="bad_quantity")
    if not 0 <= unit_cost_cents <= 10_000_000:
        raise StockError("the unit cost is 0.00 or more", code="bad_cost")
    refuse_card_numbers(reference=reference)     # free text is journaled: never a card
    with write(db):
        authorize(db, actor, "stock")
        item = get_item(db, sku)
        held = max(item.on_hand, 0)
        average = ((held * item.cost_cents + quantity * unit_cost_cents + (held + quantity) // 2)
                   // (held + quantity))
        move(db, actor, item, "receive", quantity, now, unit_cost_cents=unit_cost_cents,
             reason=reference.strip() or None)
        db.execute("UPDATE items SET cost_cents = ? WHERE id = ?", [average, item.id])
        journal.append(db, actor=actor.username, action="stock.receive",
                       subject=f"item:{item.sku}",
                       data={"quantity": quantity, "unit_cost_cents": unit_cost_cents,
                             "reference": reference.strip()})
    return get_item(db, sku)


def adjust(db: Database, actor: User, sku: str, quantity: int, reason: str,
           now: datetime, *, allow_negative: bool = False,
           override: Override | None = None) -> Item:
    """Stock in or out outside a sale (waste, damage, a count correction, ...), with a
    reason. Below zero is refused (`out_of_stock`) unless `allow_negative` asks for it,
    which needs `stock_override` too. Needs `stock`. Raises StockError (`bad_quantity`,
    `reason_required`, `out_of_stock`), NotFound, PermissionDenied."""
    if quantity == 0 or abs(quantity) > MAX_QUANTITY:
        raise StockError("adjust by a number other than 0 (negative takes stock out)",
                         code="bad_quantity")
    if not reason.strip():
        raise StockError(f"give a reason ({', '.join(ADJUST_REASONS)}, ...)",
                         code="reason_required")
    refuse_card_numbers(reason=reason)
    authorize(db, actor, "stock")
    item = get_item(db, sku)
    approved = None
    if item.on_hand + quantity < 0 and allow_negative:
        # asked outside the write, so a refused override stays in the journal
        approved = authorize(db, actor, "stock_override", override=override)
    with write(db):
        item = get_item(db, sku)
        move(db, actor, item, "adjust", quantity, now, reason=reason.strip(),
             approved_by=approved)
        journal.append(db, actor=actor.username, action="stock.adjust",
                       subject=f"item:{item.sku}",
                       data={"quantity": quantity, "reason": reason.strip(),
                             "approved_by": approved})
    return get_item(db, sku)


def moves(db: Database, sku: str | None = None, *, limit: int = 200) -> list[Move]:
    """The newest stock moves, of one item or of all."""
    sql = ("SELECT m.id, i.sku, m.kind, m.quantity, m.on_hand_after, m.unit_cost_cents, "
           "m.reason, u.username, m.approved_by, m.created_at FROM stock_moves m "
           "JOIN items i ON i.id = m.item_id JOIN users u ON u.id = m.user_id")
    args: list[object] = []
    if sku is not None:
        sql += " WHERE m.item_id = ?"
        args.append(get_item(db, sku).id)
    return [Move(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8],
                 datetime.fromisoformat(r[9])) for r in db.execute(
        sql + " ORDER BY m.id DESC LIMIT ?", [*args, limit])]


def low_stock(db: Database) -> list[Item]:
    """Active items at or below their threshold: what the window warns about."""
    return [i for i in list_items(db) if i.low]


def check_stock(db: Database) -> list[str]:
    """Items whose on_hand is not the sum of their moves (should be none)."""
    return [r[0] for r in db.execute(
        "SELECT i.sku FROM items i WHERE i.on_hand != (SELECT coalesce(sum(m.quantity), 0) "
        "FROM stock_moves m WHERE m.item_id = i.id)")]


@dataclass(frozen=True)
class CountLine:
    sku: str
    name: str
    category: str
    unit: str
    expected: int
    counted: int
    unit_cost_cents: int

    @property
    def variance(self) -> int:
        """Counted minus expected: negative is missing stock."""
        return self.counted - self.expected

    @property
    def variance_cents(self) -> int:
        return self.variance * self.unit_cost_cents


@dataclass(frozen=True)
class StockCount:
    id: int
    username: str
    note: str
    at: datetime
    lines: tuple[CountLine, ...]

    @property
    def variance_cents(self) -> int:
        return sum(line.variance_cents for line in self.lines)


def record_count(db: Database, actor: User, counts: Mapping[str, int],
                 now: datetime, *, note: str = "") -> StockCount:
    """A physical count of some or all items. Each counted item's expected stock is its
    on_hand at this moment; a difference becomes a `count` move, so on_hand equals what
    was counted. Needs `stock`. Raises StockError (`nothing_counted`, `bad_count`),
    NotFound (`unknown_sku`)."""
    if not counts:
        raise StockError("count at least one item", code="nothing_counted")
    for sku, counted in counts.items():
        if not 0 <= counted <= MAX_QUANTITY:
            raise StockError(f"{sku}: a count is 0 or more", code="bad_count")
    refuse_card_numbers(note=note)
    with write(db):
        authorize(db, actor, "stock")
        count_id = insert(db, "INSERT INTO stock_counts (user_id, note, counted_at) VALUES "
                              "(?, ?, ?)", [actor.id, note.strip(), stamp(now)])
        seen: set[int] = set()
        for sku, counted in counts.items():
            item = get_item(db, sku)
            if item.id in seen:
                raise StockError(f"{item.sku} was counted twice", code="bad_count")
            seen.add(item.id)
            db.execute("INSERT INTO stock_count_lines (count_id, item_id, expected, counted, "
                       "unit_cost_cents) VALUES (?, ?, ?, ?, ?)",
                       [count_id, item.id, item.on_hand, counted, item.cost_cents])
            if counted != item.on_hand:
                move(db, actor, item, "count", counted - item.on_hand, now,
                     reason="count correction", count_id=count_id, approved_by=actor.username)
        journal.append(db, actor=actor.username, action="stock.count",
                       subject=f"count:{count_id}",
                       data={"items": len(counts), "note": note.strip()})
    return get_count(db, count_id)


def get_count(db: Database, count_id: int | None = None) -> StockCount:
    """A stock count with its lines (the newest when no id). Raises NotFound."""
    if count_id is None:
        row = db.execute("SELECT max(id) FROM stock_counts").fetchone()
        if row[0] is None:
            raise NotFound("no stock count has been recorded yet", code="unknown_count")
        count_id = int(row[0])
    head = db.execute("SELECT c.id, u.username, c.note, c.counted_at FROM stock_counts c "
                      "JOIN users u ON u.id = c.user_id WHERE c.id = ?", [count_id]).fetchone()
    if head is None:
        raise NotFound(f"there is no stock count {count_id}", code="unknown_count")
    lines = tuple(CountLine(*r) for r in db.execute(
        "SELECT i.sku, i.name, i.category, i.unit, l.expected, l.counted, l.unit_cost_cents "
        "FROM stock_count_lines l JOIN items i ON i.id = l.item_id WHERE l.count_id = ? "
        "ORDER BY i.category, i.name", [count_id]))
    return StockCount(head[0], head[1], head[2], datetime.fromisoformat(head[3]), lines)
