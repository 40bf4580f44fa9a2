"""`boxoffice item list|add|edit|receive|adjust|count|moves`: concession and merchandise
items and their stock, headless. Failures exit 1 with the error's code; nothing changes.
`boxoffice sell --item SKU:QTY` (tui.cli.sales) sells them, with or without tickets."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click

from core import clock
from core.concessions import stock
from core.concessions.stock import StockError
from core.errors import BoxOfficeError
from core.limits import parse_whole
from core.money import parse_money
from core.people.models import User
from core.people.permissions import Override
from core.sales.carts import set_goods
from core.sales.models import Order
from core.store.db import Database
from tui.cli.context import money_text, open_db, override_of, reported, sign_in
from tui.cli.types import COUNT, QUANTITY, SIGNED_QUANTITY


def parse_items(specs: Iterable[str]) -> dict[str, int]:
    """`SKU:QTY` (QTY defaults to 1) -> {SKU: QTY}; the same SKU twice adds up.
    Raises StockError `bad_item_spec`."""
    wanted: dict[str, int] = {}
    for spec in specs:
        sku, _, count = spec.strip().partition(":")
        if not sku:
            raise StockError(f"cannot read '{spec[:40]}': use SKU:QTY, e.g. POPCORN:2",
                             code="bad_item_spec")
        quantity = parse_whole(count, f"'{spec[:40]}' (SKU:QTY)", minimum=1,
                               code="bad_item_spec") if count else 1
        key = sku.upper()
        wanted[key] = wanted.get(key, 0) + quantity
    return wanted


def parse_tax(text: str) -> int:
    """'8', '8.25', '8.25%' -> basis points. Raises StockError `bad_tax`."""
    try:
        percent = Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        raise StockError(f"'{text}' is not a tax rate such as 8 or 8.25",
                         code="bad_tax") from None
    points = percent * 100
    if points != points.to_integral_value() or not 0 <= points <= 10000:
        raise StockError(f"'{text}': tax is 0 to 100 percent, to two decimals",
                         code="bad_tax")
    return int(points)


def _item_json(item: stock.Item) -> dict[str, object]:
    return {**asdict(item), "tax_cents": item.tax_cents, "each_cents": item.each_cents,
            "low": item.low, "stock_label": item.stock_label}


def _item_line(item: stock.Item) -> str:
    flag = "" if item.active else "  (not sold)"
    return (f"{item.sku:<10} {item.name[:28]:<28} {item.category[:10]:<10} "
            f"{money_text(item.each_cents):>8}  {item.stock_label:>9} {item.unit}{flag}")


@click.group("item")
def item() -> None:
    """Concession and merchandise items and their stock."""


@item.command("list")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--category")
@click.option("--low", is_flag=True, help="Only items at or below their low-stock level.")
@click.option("--all", "include_inactive", is_flag=True, help="Also items no longer sold.")
@click.option("--json", "as_json", is_flag=True)
def item_list(db_path: str | None, category: str | None, low: bool, include_inactive: bool,
              as_json: bool) -> None:
    """Items with their price (tax included) and stock; LOW and OUT marked."""
    db = open_db(db_path)
    items = stock.list_items(db, category=category, include_inactive=include_inactive)
    if low:
        items = [i for i in items if i.low]
    if as_json:
        click.echo(json.dumps([_item_json(i) for i in items], indent=2))
        return
    if not items:
        click.echo("no items" + (" at or below their low-stock level" if low else ""))
    for each in items:
        click.echo(_item_line(each))


def _login_options(command: Any) -> Any:
    for decorator in reversed([
        click.option("--db", "db_path", type=click.Path(dir_okay=False)),
        click.option("--user", "username", required=True),
        click.option("--pin", required=True),
        click.option("--json", "as_json", is_flag=True),
    ]):
        command = decorator(command)
    return command


def _show(item_: stock.Item, as_json: bool, message: str) -> None:
    click.echo(json.dumps(_item_json(item_), indent=2) if as_json else message)


@item.command("add")
@click.argument("sku")
@click.option("--name", required=True)
@click.option("--category", required=True, help="e.g. Snacks, Drinks, Merch.")
@click.option("--price", required=True, help="Before tax, e.g. 6.50.")
@click.option("--tax", default="0", show_default=True, help="Percent, e.g. 8.25.")
@click.option("--unit", default="each", show_default=True)
@click.option("--low-stock", type=QUANTITY, default=0, show_default=True,
              help="Warn at the window at or below this many.")
@_login_options
def item_add(sku: str, name: str, category: str, price: str, tax: str, unit: str,
             low_stock: int, db_path: str | None, username: str, pin: str,
             as_json: bool) -> None:
    """A new item, with no stock yet (receive some to sell it). Needs `stock`."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        added = stock.add_item(db, actor, sku=sku, name=name, category=category,
                               price_cents=parse_money(price), tax_bp=parse_tax(tax),
                               unit=unit, low_stock=low_stock, now=clock.now())
    _show(added, as_json, f"added {_item_line(added)}")


@item.command("edit")
@click.argument("sku")
@click.option("--name")
@click.option("--category")
@click.option("--price", help="Before tax.")
@click.option("--tax", help="Percent.")
@click.option("--unit")
@click.option("--low-stock", type=QUANTITY)
@click.option("--active/--inactive", default=None, help="Sold at the window or not.")
@_login_options
def item_edit(sku: str, name: str | None, category: str | None, price: str | None,
              tax: str | None, unit: str | None, low_stock: int | None, active: bool | None,
              db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Change an item's name, category, price, tax, unit, threshold or whether it is sold.
    Stock is changed by receive, adjust and count only. Needs `stock`."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        changes: dict[str, object] = {k: v for k, v in (
            ("name", name), ("category", category), ("unit", unit),
            ("low_stock", low_stock), ("active", active)) if v is not None}
        if price is not None:
            changes["price_cents"] = parse_money(price)
        if tax is not None:
            changes["tax_bp"] = parse_tax(tax)
        if not changes:
            raise StockError("nothing to change: give --price, --tax, --name, ...",
                             code="nothing_to_change")
        edited = stock.update_item(db, actor, sku, **changes)
    _show(edited, as_json, f"changed {_item_line(edited)}")


@item.command("receive")
@click.argument("sku")
@click.argument("quantity", type=QUANTITY)
@click.option("--cost", required=True, help="What each cost, e.g. 1.80.")
@click.option("--reference", default="", help="Delivery note or invoice number.")
@_login_options
def item_receive(sku: str, quantity: int, cost: str, reference: str, db_path: str | None,
                 username: str, pin: str, as_json: bool) -> None:
    """Stock bought in, at its unit cost (the average cost follows). Needs `stock`."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        received = stock.receive(db, actor, sku, quantity, parse_money(cost),
                                 clock.now(), reference=reference)
    _show(received, as_json, f"received {quantity}: {_item_line(received)}  "
          f"(average cost {money_text(received.cost_cents)})")


@item.command("adjust", context_settings={"ignore_unknown_options": True})
@click.argument("sku")
@click.argument("quantity", type=SIGNED_QUANTITY)
@click.option("--reason", required=True,
              help=f"e.g. {', '.join(stock.ADJUST_REASONS)}.")
@click.option("--allow-negative", is_flag=True,
              help="Let stock go below zero (needs stock_override or a supervisor).")
@click.option("--supervisor")
@click.option("--supervisor-pin")
@_login_options
def item_adjust(sku: str, quantity: int, reason: str, allow_negative: bool,
                supervisor: str | None, supervisor_pin: str | None, db_path: str | None,
                username: str, pin: str, as_json: bool) -> None:
    """Stock in (+) or out (-) outside a sale, with a reason. Needs `stock`."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        adjusted = stock.adjust(db, actor, sku, quantity, reason, clock.now(),
                                allow_negative=allow_negative,
                                override=override_of(supervisor, supervisor_pin))
    _show(adjusted, as_json, f"adjusted {quantity:+d} ({reason}): {_item_line(adjusted)}")


def _counts_from_file(path: Path) -> dict[str, int]:
    """A filled-in count sheet (CSV with `sku` and `counted` columns; blank = not
    counted). Raises StockError `bad_count_file`."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise StockError(f"cannot read {path}: {error}", code="bad_count_file") from None
    counts: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        sku, counted = (row.get("sku") or "").strip(), (row.get("counted") or "").strip()
        if not sku and not counted:
            continue
        if not sku or "counted" not in row:
            raise StockError(f"{path}:{number}: needs the columns sku and counted",
                             code="bad_count_file")
        if counted:
            counts[sku] = parse_whole(counted, f"{path}:{number}", code="bad_count_file")
    return counts


@item.command("count")
@click.argument("counts", nargs=-1)
@click.option("--file", "count_file", type=click.Path(exists=True, dir_okay=False,
                                                      path_type=Path),
              help="A filled-in count sheet: CSV with sku and counted columns "
                   "(`boxoffice report count-sheet --format csv` makes a blank one).")
@click.option("--note", default="")
@_login_options
def item_count(counts: tuple[str, ...], count_file: Path | None, note: str,
               db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Record a physical count, SKU=QTY ... (or --file): stock becomes what was counted
    and the variance (counted - expected) is shown. Needs `stock`."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        counted = _counts_from_file(count_file) if count_file else {}
        for spec in counts:
            sku, _, quantity = spec.partition("=")
            if not sku or not quantity.strip():
                raise StockError(f"cannot read '{spec[:40]}': use SKU=QTY, e.g. WATER=180",
                                 code="bad_count")
            counted[sku] = parse_whole(quantity, f"'{spec[:40]}' (SKU=QTY)", code="bad_count")
        result = stock.record_count(db, actor, counted, clock.now(), note=note)
    if as_json:
        click.echo(json.dumps({"count_id": result.id, "variance_cents": result.variance_cents,
                               "lines": [{**asdict(line), "variance": line.variance,
                                          "variance_cents": line.variance_cents}
                                         for line in result.lines]}, indent=2))
        return
    click.echo(f"count {result.id}: {len(result.lines)} items")
    for line in result.lines:
        click.echo(f"  {line.sku:<10} expected {line.expected:>6}  counted {line.counted:>6}"
                   f"  variance {line.variance:>+6}  {money_text(line.variance_cents):>9}")
    click.echo(f"variance at cost: {money_text(result.variance_cents)}")


@item.command("moves")
@click.argument("sku", required=False)
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--limit", type=COUNT, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def item_moves(sku: str | None, db_path: str | None, limit: int, as_json: bool) -> None:
    """The newest stock moves (of one item, or all): who, what, why."""
    db = open_db(db_path)
    with reported(as_json):
        found = stock.moves(db, sku, limit=limit)
    if as_json:
        click.echo(json.dumps([{**asdict(m), "at": m.at.isoformat()} for m in found],
                              indent=2))
        return
    for m in found:
        extra = f" @ {money_text(m.unit_cost_cents)}" if m.unit_cost_cents is not None else ""
        click.echo(f"{m.at:%Y-%m-%d %H:%M}  {m.sku:<10} {m.kind:<8} {m.quantity:>+6} -> "
                   f"{m.on_hand_after:<6} {m.username}{extra}  {m.reason or ''}"
                   + (f"  approved by {m.approved_by}" if m.approved_by else ""))


def add_goods(db: Database, actor: User, cart_id: int, wanted: dict[str, int],
              now: datetime, *, hold: timedelta, allow_short: bool,
              override: Override | None) -> None:
    """`boxoffice sell --item`: put each item in the cart (core.goods.set_goods)."""
    for sku, quantity in wanted.items():
        try:
            set_goods(db, actor, cart_id, sku, quantity, now, hold=hold,
                      allow_short=allow_short, override=override)
        except StockError as error:
            if error.code == "out_of_stock":
                raise BoxOfficeError(error.message + " (--allow-short sells it anyway, "
                                     "with stock_override or a --supervisor)",
                                     code=error.code) from None
            raise


def goods_lines(order: Order, specs: Iterable[str]) -> dict[int, int]:
    """`order refund --item SKU:QTY`: the order's goods lines to refund, newest sale of an
    item first. Raises StockError (`bad_item_spec`, `not_in_order`, `bad_quantity`)."""
    chosen: dict[int, int] = {}
    for sku, quantity in parse_items(specs).items():
        lines = [g for g in reversed(order.goods) if g.sku.upper() == sku and g.kept]
        if not lines:
            raise StockError(f"order {order.number} has no {sku} left to refund",
                             code="not_in_order")
        left = quantity
        for line in lines:
            take = min(left, line.kept)
            chosen[line.id] = take
            left -= take
            if not left:
                break
        if left:
            raise StockError(f"order {order.number} has only {quantity - left} {sku} to "
                             "refund", code="bad_quantity")
    return chosen
