"""Goods sold less returned: from the goods on orders (priced as sold) and the refund and
void stock moves that brought them back, each in the scope of when and in which shift it
happened, so a figure stays true after later refunds. The X and Z reports and the
concession reports read them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from core.store.db import Database


@dataclass(frozen=True)
class GoodsSales:
    """One item's (or category's) goods sold less returned."""

    key: str
    sold: int
    returned: int
    net_cents: int            # before tax, sold less returned
    tax_cents: int

    @property
    def quantity(self) -> int:
        return self.sold - self.returned

    @property
    def gross_cents(self) -> int:
        return self.net_cents + self.tax_cents


def sales_rows(db: Database, *, bounds: tuple[str, str] | None = None,
          shift_id: int | None = None, performance_id: int | None = None
          ) -> list[tuple[str, str, str, int, int, int]]:
    """(sku, name, category, quantity, net, tax) per sale (+) and return (-): in the
    UTC `bounds` [start, end), the shift, and orders with the performance's tickets."""
    sale_sql = ("SELECT i.sku, g.description, g.category, g.quantity, g.price_cents * "
                "g.quantity, g.tax_cents * g.quantity FROM order_goods g JOIN items i ON "
                "i.id = g.item_id JOIN orders o ON o.id = g.order_id WHERE 1 = 1")
    back_sql = ("SELECT i.sku, g.description, g.category, -m.quantity, -g.price_cents * "
                "m.quantity, -g.tax_cents * m.quantity FROM stock_moves m JOIN order_goods g "
                "ON g.id = m.order_goods_id JOIN items i ON i.id = g.item_id JOIN orders o "
                "ON o.id = g.order_id WHERE m.kind IN ('refund', 'void')")
    sale_args: list[object] = []
    back_args: list[object] = []
    if bounds:
        sale_sql += " AND o.created_at >= ? AND o.created_at < ?"
        back_sql += " AND m.created_at >= ? AND m.created_at < ?"
        sale_args += list(bounds)
        back_args += list(bounds)
    if shift_id is not None:
        sale_sql += " AND g.shift_id = ?"
        back_sql += " AND m.shift_id = ?"
        sale_args.append(shift_id)
        back_args.append(shift_id)
    if performance_id is not None:
        where = " AND o.id IN (SELECT order_id FROM tickets WHERE performance_id = ?)"
        sale_sql += where
        back_sql += where
        sale_args.append(performance_id)
        back_args.append(performance_id)
    return [tuple(r) for r in db.execute(sale_sql + " UNION ALL " + back_sql,
                                         sale_args + back_args)]


def sum_sales(rows: list[tuple[str, str, str, int, int, int]], key: int) -> list[GoodsSales]:
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in rows:
        quantity, net, tax = row[3], row[4], row[5]
        entry = sums[str(row[key]) if key != 0 else f"{row[0]} {row[1]}"]
        entry[0 if quantity > 0 else 1] += abs(quantity)
        entry[2] += net
        entry[3] += tax
    return [GoodsSales(k, v[0], v[1], v[2], v[3]) for k, v in sorted(sums.items())]


def shift_sales(db: Database, shift_id: int) -> list[GoodsSales]:
    """A shift's goods sold less returned, by category (what X and Z reports print)."""
    return sum_sales(sales_rows(db, shift_id=shift_id), 2)
