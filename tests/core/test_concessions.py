"""Concessions and merchandise: items, stock moves, goods in the window cart beside
tickets, refunds and voids putting stock back, counts and variance, and the reports."""

from __future__ import annotations

import random

import pytest

from core import report_model
from core.concessions import goods_sales, stock
from core.concessions.stock import StockError
from core.people.permissions import Override, PermissionDenied
from core.report_model import to_csv
from core.reports import catalogue
from core.sales import aftersale, carts, checkout, models, orders
from core.sales.carts import set_goods
from core.sales.tenders import Tender
from core.store.db import Database
from core.till import shifts
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.selling_helpers import HOLD, STATION, cart_with, hall_performance, user

NOW = FIXED_NOW


def _item(db: Database, sku: str = "CHOC", on_hand: int = 10,
          cost: int = 100, price: int = 300, tax_bp: int = 800) -> stock.Item:
    ada = user(db, "ada")
    stock.add_item(db, ada, sku=sku, name=f"Item {sku}", category="Snacks",
                   price_cents=price, tax_bp=tax_bp, low_stock=2, now=NOW)
    if on_hand:
        stock.receive(db, ada, sku, on_hand, cost, NOW)
    return stock.get_item(db, sku)


def _sell(db: Database, seller: str, goods: dict[str, int],
          seats: list[str] | None = None) -> models.Order:
    actor = user(db, seller)
    if seats:
        cart_id = cart_with(db, actor, hall_performance(db), seats, NOW)
    else:
        cart_id = carts.open_cart(db, actor, STATION, NOW, HOLD)
    for sku, quantity in goods.items():
        set_goods(db, actor, cart_id, sku, quantity, NOW)
    total = carts.view_cart(db, cart_id).total_cents
    return checkout.checkout(db, actor, cart_id, [Tender("cash", total)], station=STATION,
                           now=NOW)


def test_an_item_is_priced_with_its_tax_and_received_at_average_cost(demo_db: Database) -> None:
    item = _item(demo_db, on_hand=10, cost=100, price=300, tax_bp=825)
    assert (item.tax_cents, item.each_cents) == (25, 325)     # 24.75 rounds half up
    stock.receive(demo_db, user(demo_db, "cora"), "CHOC", 30, 140, NOW)
    item = stock.get_item(demo_db, "choc")                    # any case
    assert (item.on_hand, item.cost_cents) == (40, 130)       # (10x100 + 30x140) / 40
    assert stock.check_stock(demo_db) == []


def test_goods_sell_with_tickets_in_one_cart_and_stock_goes_down(demo_db: Database) -> None:
    _item(demo_db, on_hand=10)
    order = _sell(demo_db, "sam", {"CHOC": 3}, seats=["ORCH-M-101"])
    assert len(order.tickets) == 1 and order.goods[0].quantity == 3
    ticket = order.tickets[0]
    expected = ticket.base_cents + ticket.fee_cents + ticket.tax_cents + 3 * 324
    assert order.value_cents == expected == order.paid_cents
    assert demo_db.execute("SELECT total_cents FROM orders WHERE id = ?",
                           [order.id]).fetchone()[0] == expected
    assert stock.get_item(demo_db, "CHOC").on_hand == 7
    assert stock.moves(demo_db, "CHOC")[0].kind == "sale"


def test_goods_sell_on_their_own(demo_db: Database) -> None:
    _item(demo_db, on_hand=5)
    order = _sell(demo_db, "sam", {"CHOC": 2})
    assert order.status == "complete" and order.tickets == ()
    assert order.paid_cents == 2 * 324
    assert stock.get_item(demo_db, "CHOC").on_hand == 3


def test_refund_and_void_put_stock_back(demo_db: Database) -> None:
    _item(demo_db, on_hand=10)
    cora = user(demo_db, "cora")
    first = _sell(demo_db, "cora", {"CHOC": 4}, seats=["ORCH-M-101"])
    line = first.goods[0].id
    after = aftersale.refund(demo_db, cora, first.id, reason="melted", station=STATION, now=NOW,
                          goods={line: 1})
    assert stock.get_item(demo_db, "CHOC").on_hand == 7
    assert after.goods[0].kept == 3 and after.tickets[0].status == "live"
    assert after.payments[-1].amount_cents == -324
    aftersale.refund(demo_db, cora, first.id, reason="left early", station=STATION, now=NOW)
    assert stock.get_item(demo_db, "CHOC").on_hand == 10
    second = _sell(demo_db, "cora", {"CHOC": 6})
    aftersale.void(demo_db, cora, second.id, reason="wrong item", station=STATION, now=NOW,
                zone=ZONE)
    assert stock.get_item(demo_db, "CHOC").on_hand == 10
    assert stock.check_stock(demo_db) == []
    with pytest.raises(StockError):
        aftersale.refund(demo_db, cora, first.id, reason="again", station=STATION, now=NOW,
                      goods={line: 1})


def test_stock_never_goes_negative_without_an_explicit_permitted_override(
    demo_db: Database,
) -> None:
    _item(demo_db, on_hand=2)
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    with pytest.raises(StockError) as short:
        set_goods(demo_db, sam, cart_id, "CHOC", 3, NOW)
    assert short.value.code == "out_of_stock"
    with pytest.raises(PermissionDenied):              # asked, but a seller may not
        set_goods(demo_db, sam, cart_id, "CHOC", 3, NOW, allow_short=True)
    with pytest.raises(PermissionDenied):              # a wrong supervisor PIN
        set_goods(demo_db, sam, cart_id, "CHOC", 3, NOW, allow_short=True,
                  override=Override("cora", "0000"))
    assert carts.view_cart(demo_db, cart_id).goods == ()
    set_goods(demo_db, sam, cart_id, "CHOC", 3, NOW, allow_short=True,
              override=Override("cora", "3333"))
    checkout.checkout(demo_db, sam, cart_id, [Tender("cash", 3 * 324)], station=STATION,
                    now=NOW)
    item = stock.get_item(demo_db, "CHOC")
    assert item.on_hand == -1 and item.stock_label == "-1 OUT"
    assert stock.moves(demo_db, "CHOC")[0].approved_by == "cora"
    # adjustments: refused below zero unless asked for, and then only with the permission
    with pytest.raises(StockError):
        stock.adjust(demo_db, cora, "CHOC", -1, "waste", NOW)
    with pytest.raises(PermissionDenied):
        stock.adjust(demo_db, sam, "CHOC", -1, "waste", NOW, allow_negative=True)
    stock.adjust(demo_db, cora, "CHOC", -1, "waste", NOW, allow_negative=True)
    assert stock.get_item(demo_db, "CHOC").on_hand == -2


def test_stock_that_ran_out_after_the_cart_stops_the_checkout_and_changes_nothing(
    demo_db: Database,
) -> None:
    _item(demo_db, on_hand=3)
    sam = user(demo_db, "sam")
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    set_goods(demo_db, sam, cart_id, "CHOC", 3, NOW)
    _sell(demo_db, "cora", {"CHOC": 1})                 # another window sells one
    with pytest.raises(StockError) as short:
        checkout.checkout(demo_db, sam, cart_id, [Tender("cash", 3 * 324)], station=STATION,
                        now=NOW)
    assert short.value.code == "out_of_stock"
    assert stock.get_item(demo_db, "CHOC").on_hand == 2
    assert carts.view_cart(demo_db, cart_id).status == "open"
    assert demo_db.execute("SELECT count(*) FROM payments WHERE user_id = ?",
                           [sam.id]).fetchone()[0] == 0


def test_random_sales_refunds_and_adjustments_keep_stock_true(demo_db: Database) -> None:
    """Stock never negative without an override, and on_hand is always the sum of its
    moves; every sale refunded brings stock back to where it started."""
    _item(demo_db, on_hand=20)
    cora = user(demo_db, "cora")
    rng = random.Random(20261122)
    sold: list[models.Order] = []
    for _ in range(60):
        on_hand = stock.get_item(demo_db, "CHOC").on_hand
        step = rng.choice(("sell", "sell", "refund", "adjust", "receive"))
        if step == "sell":
            want = rng.randint(1, 6)
            if want > on_hand:
                with pytest.raises(StockError):
                    _sell(demo_db, "cora", {"CHOC": want})
            else:
                sold.append(_sell(demo_db, "cora", {"CHOC": want}))
        elif step == "refund" and sold:
            order = orders.get_order(demo_db, sold[rng.randrange(len(sold))].id)
            if order.goods[0].kept:
                aftersale.refund(demo_db, cora, order.id, reason="r", station=STATION, now=NOW,
                              goods={order.goods[0].id: rng.randint(1, order.goods[0].kept)})
        elif step == "adjust":
            change = rng.randint(-5, 5) or 1
            if on_hand + change < 0:
                with pytest.raises(StockError):
                    stock.adjust(demo_db, cora, "CHOC", change, "waste", NOW)
            else:
                stock.adjust(demo_db, cora, "CHOC", change, "count correction", NOW)
        elif step == "receive":
            stock.receive(demo_db, cora, "CHOC", rng.randint(1, 8), 100, NOW)
        assert stock.get_item(demo_db, "CHOC").on_hand >= 0
        assert stock.check_stock(demo_db) == []
    before_refunds = stock.get_item(demo_db, "CHOC").on_hand
    kept = sum(orders.get_order(demo_db, o.id).goods[0].kept for o in sold)
    for order in sold:
        if orders.get_order(demo_db, order.id).goods[0].kept:
            aftersale.refund(demo_db, cora, order.id, reason="all", station=STATION, now=NOW)
    assert stock.get_item(demo_db, "CHOC").on_hand == before_refunds + kept


def test_a_count_sets_stock_and_the_variance_is_counted_minus_expected(demo_db: Database) -> None:
    _item(demo_db, "CHOC", on_hand=10, cost=100)
    _item(demo_db, "GUM", on_hand=5, cost=40)
    _item(demo_db, "MINT", on_hand=8, cost=50)
    _sell(demo_db, "sam", {"CHOC": 2})                      # expected CHOC 8
    cora = user(demo_db, "cora")
    count = stock.record_count(demo_db, cora, {"CHOC": 6, "GUM": 7, "MINT": 8}, NOW,
                               note="after the matinee")
    by_sku = {line.sku: line for line in count.lines}
    assert {s: (x.expected, x.counted, x.variance) for s, x in by_sku.items()} == {
        "CHOC": (8, 6, -2), "GUM": (5, 7, 2), "MINT": (8, 8, 0)}
    assert count.variance_cents == -2 * 100 + 2 * 40
    assert stock.get_item(demo_db, "CHOC").on_hand == 6
    assert stock.get_item(demo_db, "GUM").on_hand == 7
    assert stock.check_stock(demo_db) == []
    report = catalogue.build_report(demo_db, cora, "variance", report_model.Scope(ZONE, NOW))
    table = report.table("Variance")
    for row in table.rows:
        expected, counted, variance = row[3], row[4], row[5]
        assert variance == counted - expected                 # type: ignore[operator]
    assert report.fact("Variance at cost") == -120
    assert "CHOC" in to_csv(report)
    with pytest.raises(StockError):
        stock.record_count(demo_db, cora, {"CHOC": -1}, NOW)
    with pytest.raises(PermissionDenied):
        stock.record_count(demo_db, user(demo_db, "sam"), {"CHOC": 1}, NOW)
    assert stock.get_item(demo_db, "CHOC").on_hand == 6        # refused counts change nothing


def test_bad_items_are_refused_and_change_nothing(demo_db: Database) -> None:
    ada = user(demo_db, "ada")
    before = demo_db.execute("SELECT count(*) FROM items").fetchone()[0]
    for fields, code in (({"sku": "has space"}, "bad_sku"), ({"sku": ""}, "bad_sku"),
                         ({"price_cents": -1}, "bad_price"), ({"tax_bp": 20000}, "bad_tax"),
                         ({"name": " "}, "bad_item"), ({"sku": "POPCORN"}, "duplicate_sku")):
        args = {"sku": "NEW", "name": "New", "category": "Snacks", "price_cents": 100,
                **fields}
        with pytest.raises(StockError) as refused:
            stock.add_item(demo_db, ada, now=NOW, **args)  # type: ignore[arg-type]
        assert refused.value.code == code
    assert demo_db.execute("SELECT count(*) FROM items").fetchone()[0] == before
    with pytest.raises(StockError):
        stock.receive(demo_db, ada, "POPCORN", 0, 100, NOW)
    with pytest.raises(StockError):
        stock.adjust(demo_db, ada, "POPCORN", -1, " ", NOW)


def test_concession_sales_report_and_the_shift_reports(demo_db: Database) -> None:
    _item(demo_db, "CHOC", on_hand=10, price=300, tax_bp=800)
    cora = user(demo_db, "cora")
    order = _sell(demo_db, "sam", {"CHOC": 3, "WATER": 2}, seats=["ORCH-M-101"])
    aftersale.refund(demo_db, cora, order.id, reason="spilt", station=STATION, now=NOW,
                  goods={order.goods[0].id: 1})
    report = catalogue.build_report(demo_db, cora, "concessions", report_model.Scope(ZONE, NOW))
    items = {row[0]: row for row in report.table("By item").rows}
    assert items["CHOC Item CHOC"][1:6] == (3, 1, 2, 600, 48)
    assert items["WATER Bottled water"][1:5] == (2, 0, 2, 700)
    assert report.fact("Gross") == 2 * 324 + 2 * 350
    csv_text = to_csv(report)
    assert "Bottled water" in csv_text and "Snacks" in csv_text
    # the seller's shift: sales in it; the refund was cora's, in hers
    sam_shift = shifts.current_shift(demo_db, user(demo_db, "sam").id)
    cora_shift = shifts.current_shift(demo_db, cora.id)
    assert sam_shift is not None and cora_shift is not None
    x = shifts.x_report(demo_db, sam_shift.id, NOW, viewer=cora)
    assert x.figures is not None
    assert dict((c, (q, g)) for c, q, g in x.figures.concessions) == {
        "Drinks": (2, 700), "Snacks": (3, 972)}
    cora_x = shifts.x_report(demo_db, cora_shift.id, NOW, viewer=cora)
    assert cora_x.figures is not None and cora_x.figures.concessions == (("Snacks", -1, -324),)
    by_category = goods_sales.shift_sales(demo_db, sam_shift.id)
    assert [line.key for line in by_category] == ["Drinks", "Snacks"]


def test_stock_and_count_sheet_reports(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    report = catalogue.build_report(demo_db, cora, "stock", report_model.Scope(ZONE, NOW))
    rows = {row[0]: row for row in report.table("Stock").rows}
    assert rows["SCARF"][6] == "LOW" and rows["WATER"][6] == ""
    sheet = catalogue.build_report(demo_db, cora, "count-sheet", report_model.Scope(ZONE, NOW))
    assert sheet.table("Count").columns == ("sku", "item", "category", "unit", "counted")
    assert all(row[4] == "" for row in sheet.table("Count").rows)   # blind
    empty = catalogue.build_report(demo_db, cora, "variance", report_model.Scope(ZONE, NOW))
    assert empty.tables == () and "No stock count" in empty.notes[0]


def test_the_z_report_keeps_the_shift_s_concession_sales(demo_db: Database) -> None:
    from core.till.figures import z_rows
    from tests.support.selling_helpers import FLOAT

    sam = user(demo_db, "sam")
    order = _sell(demo_db, "sam", {"WATER": 2, "POPCORN": 1})
    shift = shifts.current_shift(demo_db, sam.id)
    assert shift is not None
    cash = {**FLOAT, 100: FLOAT[100] + order.paid_cents // 100}
    cash[1] = order.paid_cents % 100
    shifts.submit_count(demo_db, sam, shift.id, cash_counts=cash, checks_cents=0,
                        card_slips_cents=0, now=NOW)
    z = shifts.close_shift(demo_db, sam, shift.id, now=NOW)
    assert shifts.get_z_report(demo_db, z.z_number).figures["concessions"] == [
        {"category": "Drinks", "quantity": 2, "gross_cents": 700},
        {"category": "Snacks", "quantity": 1, "gross_cents": 702}]
    rows = dict(z_rows(z, ZONE))
    assert rows["  Drinks (2)"] == "7.00" and rows["  Concessions total"] == "14.02"
    # a refund after the close belongs to the refunder's shift; the Z stays as it was
    aftersale.refund(demo_db, user(demo_db, "cora"), order.id, reason="r", station=STATION,
                  now=NOW)
    assert shifts.get_z_report(demo_db, z.z_number).figures["concessions"][0]["quantity"] == 2


def test_adding_goods_pushes_the_cart_s_hold_out_like_seats(demo_db: Database) -> None:
    from datetime import timedelta

    sam = user(demo_db, "sam")
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    later = NOW + timedelta(minutes=8)
    set_goods(demo_db, sam, cart_id, "WATER", 1, later, hold=HOLD)
    assert carts.view_cart(demo_db, cart_id).expires_at == later + HOLD


def test_order_lookup_counts_goods_like_tickets(demo_db: Database) -> None:
    from core.sales import lookup

    order = _sell(demo_db, "sam", {"WATER": 2, "SODA": 1})
    aftersale.refund(demo_db, user(demo_db, "cora"), order.id, reason="r", station=STATION,
                  now=NOW, goods={order.goods[0].id: 2})
    (match,) = lookup.find_orders(demo_db, order.number)
    assert (match.tickets, match.items, match.kept_items) == (0, 3, 1)


def test_free_text_that_looks_like_a_card_number_is_refused(demo_db: Database) -> None:
    from core.money import TenderError

    cora = user(demo_db, "cora")
    card = "4111 1111 1111 1111"
    with pytest.raises(TenderError):
        stock.adjust(demo_db, cora, "WATER", -1, f"paid by {card}", NOW)
    with pytest.raises(TenderError):
        stock.receive(demo_db, cora, "WATER", 5, 60, NOW, reference=card)
    with pytest.raises(TenderError):
        stock.record_count(demo_db, cora, {"WATER": 200}, NOW, note=card)
    assert stock.get_item(demo_db, "WATER").on_hand == 200
    assert not demo_db.execute("SELECT count(*) FROM journal WHERE data LIKE '%4111%'"
                               ).fetchone()[0]
