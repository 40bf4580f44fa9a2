"""Concession reports: sales by item and category (also on X and Z reports), stock on
hand with its value, the count sheet and the variance of a count.

Sales come from the goods on orders (priced as sold) and returns from the refund and
void stock moves that brought them back, each in the scope of when and in which shift it
happened, so a report stays true after later refunds.
"""

from __future__ import annotations

from core.concessions import stock
from core.concessions.goods_sales import GoodsSales, sales_rows, sum_sales
from core.report_model import Cents, Report, Scope, Table
from core.store.db import Database


def _table(title: str, key: str, lines: list[GoodsSales]) -> Table:
    return Table(title, (key, "sold", "returned", "net qty", "net sales", "tax", "gross"),
                 tuple((x.key, x.sold, x.returned, x.quantity, Cents(x.net_cents),
                        Cents(x.tax_cents), Cents(x.gross_cents)) for x in lines),
                 ("total", sum(x.sold for x in lines), sum(x.returned for x in lines),
                  sum(x.quantity for x in lines), Cents(sum(x.net_cents for x in lines)),
                  Cents(sum(x.tax_cents for x in lines)),
                  Cents(sum(x.gross_cents for x in lines))))


def concessions(db: Database, scope: Scope) -> Report:
    """Concession and merchandise sales by item and by category."""
    rows = sales_rows(db, bounds=scope.day_bounds(), shift_id=scope.shift_id,
                 performance_id=scope.performance_id)
    by_item, by_category = sum_sales(rows, 0), sum_sales(rows, 2)
    return Report(
        "concessions", "Concession sales", scope.describe(),
        (("Items sold (net)", sum(x.quantity for x in by_item)),
         ("Net sales", Cents(sum(x.net_cents for x in by_item))),
         ("Tax", Cents(sum(x.tax_cents for x in by_item))),
         ("Gross", Cents(sum(x.gross_cents for x in by_item)))),
        (_table("By item", "item", by_item), _table("By category", "category", by_category)),
        ("Returns count when and in the shift they were made.",))


def stock_report(db: Database, scope: Scope) -> Report:
    """Stock on hand now, at average cost, with the items at or below their threshold."""
    items = stock.list_items(db)
    low = [i for i in items if i.low]
    value = sum(max(i.on_hand, 0) * i.cost_cents for i in items)
    return Report(
        "stock", "Stock on hand", "now",
        (("Items", len(items)), ("Low or out", len(low)), ("Value at cost", Cents(value))),
        (Table("Stock", ("sku", "item", "category", "unit", "on hand", "low at", "status",
                         "avg cost", "value"),
               tuple((i.sku, i.name, i.category, i.unit, i.on_hand, i.low_stock,
                      "OUT" if i.on_hand <= 0 else "LOW" if i.low else "",
                      Cents(i.cost_cents), Cents(max(i.on_hand, 0) * i.cost_cents))
                     for i in items),
               ("total", "", "", "", sum(i.on_hand for i in items), "", "", "",
                Cents(value))),))


def count_sheet(db: Database, scope: Scope) -> Report:
    """The blank sheet a counter fills in: no expected figures, so the count is blind."""
    items = stock.list_items(db)     # every item sold, by category
    return Report(
        "count-sheet", "Stock count sheet", "count every item; write what you find",
        (("Items", len(items)),),
        (Table("Count", ("sku", "item", "category", "unit", "counted"),
               tuple((i.sku, i.name, i.category, i.unit, "") for i in items)),),
        ("Enter the counts with `boxoffice item count SKU=QTY ...` or the Stock screen.",))


def variance(db: Database, scope: Scope) -> Report:
    """The newest stock count (in the scope's day, if any): counted minus expected, per
    item and in money at average cost."""
    sql, args = "SELECT max(id) FROM stock_counts", list[object]()
    bounds = scope.day_bounds()
    if bounds:
        sql += " WHERE counted_at >= ? AND counted_at < ?"
        args += list(bounds)
    newest = db.execute(sql, args).fetchone()[0]
    if newest is None:
        return Report("variance", "Stock variance", scope.describe(), (("Items counted", 0),),
                      (), ("No stock count has been recorded" + (" that day." if bounds else
                                                                 " yet."),))
    count = stock.get_count(db, newest)
    lines = count.lines
    return Report(
        "variance", f"Stock variance: count {count.id}",
        f"counted by {count.username} at {scope.local(count.at.isoformat()):%Y-%m-%d %H:%M}"
        + (f"; {count.note}" if count.note else ""),
        (("Items counted", len(lines)),
         ("Items off", sum(1 for line in lines if line.variance)),
         ("Variance (units)", sum(line.variance for line in lines)),
         ("Variance at cost", Cents(count.variance_cents))),
        (Table("Variance", ("sku", "item", "unit", "expected", "counted", "variance",
                            "unit cost", "value"),
               tuple((line.sku, line.name, line.unit, line.expected, line.counted,
                      line.variance, Cents(line.unit_cost_cents), Cents(line.variance_cents))
                     for line in lines),
               ("total", "", "", sum(line.expected for line in lines),
                sum(line.counted for line in lines), sum(line.variance for line in lines),
                "", Cents(count.variance_cents))),),
        ("Variance is counted minus expected: negative means stock is missing.",))
