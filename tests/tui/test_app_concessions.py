"""Concessions and merchandise at the window, from the keyboard: items in the cart beside
tickets or on their own, selling short with a supervisor, refunding goods from an order
(the stock screen is in test_app_stock.py). Each test presses keys as a seller or a
coordinator would, then checks the database and the screen."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import cast

from textual.pilot import Pilot
from textual.widgets import DataTable

from core.concessions import stock
from core.sales import carts, checkout, models, orders
from core.sales.carts import set_goods
from core.sales.tenders import Tender
from core.store.db import Database
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import STATION, cart_with, hall_performance, user
from tui.app import BoxOfficeApp
from tui.screens.dialogs import AskText, Confirm, SupervisorOverride
from tui.screens.goods import ItemPicker
from tui.screens.goods_sale import ConcessionsScreen
from tui.screens.order_detail import OrderDetailScreen
from tui.screens.payment import PaymentModal, SaleDone
from tui.screens.sell import SellScreen
from tui.widgets.cart import CartPanel
from tui.widgets.items import ItemTable


def on_hand(db: Database, sku: str) -> int:
    return stock.get_item(db, sku).on_hand


def cart_rows(app: BoxOfficeApp) -> list[list[str]]:
    table = app.screen.query_one("CartLines", DataTable)
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


async def pick(pilot: Pilot[None], text: str, quantity: str | None = None) -> None:
    """In the item picker: type `text`, Enter; then the quantity and Enter (None: the
    text is a whole SKU, which puts one in at once)."""
    assert isinstance(pilot.app.screen, ItemPicker)
    await pilot.press(*text, "enter")
    await pilot.pause()
    if quantity is not None:
        await pilot.press("ctrl+u", *quantity, "enter")
        await pilot.pause()


async def pay_cash_and_print(pilot: Pilot[None], handed: str) -> None:
    await pilot.press("p")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PaymentModal)
    await pilot.press("c", "ctrl+u", *handed, "enter")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def receipt_text(tmp_path: Path) -> bytes:
    [receipt] = sorted((tmp_path / "prints").glob("*-receipt-*.bin"))
    return receipt.read_bytes()


async def test_tickets_and_items_in_one_sale_paid_in_cash(
    demo_db: Database, tmp_path: Path,
) -> None:
    popcorn, water = on_hand(demo_db, "POPCORN"), on_hand(demo_db, "WATER")
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SellScreen)
        await pilot.press("space", "i")
        await pilot.pause()
        assert isinstance(app.screen, ItemPicker)
        # type part of a name, Enter, how many, Enter
        await pick(pilot, "popc", "2")
        assert "Popcorn, large x2 in the cart." in text_of(app, "#picker-status")
        # a scanner types a whole SKU and Enter: one goes in at once
        await pick(pilot, "water")
        assert "Bottled water x1 in the cart." in text_of(app, "#picker-status")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SellScreen)
        view = app.screen.query_one(CartPanel).view
        assert view is not None and view.ticket_count == 1
        assert [(g.sku, g.quantity) for g in view.goods] == [("POPCORN", 2), ("WATER", 1)]
        rows = cart_rows(app)
        assert [row[0] for row in rows[1:]] == ["Popcorn, large x2", "Bottled water x1"]
        assert "1 ticket  3 items" in text_of(app, "#cart-head")
        goods_cents = sum(g.total_cents for g in view.goods)
        assert view.total_cents == view.lines[0].total_cents + goods_cents
        assert f"Total {view.total_cents // 100}.{view.total_cents % 100:02d}" in text_of(
            app, "#cart-totals")
        await pay_cash_and_print(pilot, "300")
        assert isinstance(app.screen, SaleDone)
        assert "1 ticket(s), 3 item(s)" in text_of(app, "#done-text")
    [(order_id, total)] = demo_db.execute("SELECT id, total_cents FROM orders").fetchall()
    assert total == view.total_cents
    goods = demo_db.execute("SELECT description, quantity FROM order_goods WHERE order_id = ? "
                            "ORDER BY id", [order_id]).fetchall()
    assert goods == [("Popcorn, large", 2), ("Bottled water", 1)]
    assert (on_hand(demo_db, "POPCORN"), on_hand(demo_db, "WATER")) == (popcorn - 2, water - 1)
    receipt = receipt_text(tmp_path)
    assert b"Popcorn" in receipt and b"Bottled water" in receipt


async def test_items_on_their_own_from_the_performance_list(
    demo_db: Database, tmp_path: Path,
) -> None:
    programs = on_hand(demo_db, "PROGRAM")
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        # SCARF is at its threshold in the demo: the list says so under the performances
        assert "Low stock: SCARF 4" in text_of(app, "#low-stock")
        await pilot.press("f5")
        await pilot.pause()
        # the items open at once: the seller came to sell items
        assert isinstance(app.screen, ItemPicker)
        table = app.screen.query_one(ItemTable)
        scarf = next(row for row in range(table.row_count)
                     if str(table.get_row_at(row)[0]) == "SCARF")
        assert str(table.get_row_at(scarf)[4]) == "4 LOW"
        await pick(pilot, "merch")              # the category narrows it to two items
        assert [item.sku for item in table.items] == ["SCARF", "PROGRAM"] or \
            {item.sku for item in table.items} == {"SCARF", "PROGRAM"}
        await pilot.press("escape")             # back from the quantity to the list
        await pilot.press("ctrl+u")
        await pick(pilot, "souvenir", "3")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConcessionsScreen)
        assert "3 items" in text_of(app, "#cart-head")
        # + and - change the highlighted goods line
        await pilot.press("plus")
        await pilot.pause()
        assert app.screen.query_one(CartPanel).view.goods[0].quantity == 4
        await pilot.press("minus")
        await pilot.pause()
        view = app.screen.query_one(CartPanel).view
        assert view.goods[0].quantity == 3 and view.ticket_count == 0
        # a water by its SKU, then Delete takes the highlighted line (the water) out
        await pilot.press("i")
        await pilot.pause()
        await pick(pilot, "WATER")
        await pilot.press("escape")
        await pilot.pause()
        assert [g.sku for g in app.screen.query_one(CartPanel).view.goods] == ["PROGRAM",
                                                                               "WATER"]
        await pilot.press("delete")
        await pilot.pause()
        assert [g.sku for g in app.screen.query_one(CartPanel).view.goods] == ["PROGRAM"]
        await pay_cash_and_print(pilot, "50")
        assert isinstance(app.screen, SaleDone)
        assert "3 item(s)" in text_of(app, "#done-text")
        # the next sale starts empty, with the items open
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ItemPicker)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConcessionsScreen)
        assert app.screen.query_one(CartPanel).view is None
    [status] = demo_db.execute("SELECT status FROM orders").fetchone()
    assert status == "complete"
    assert demo_db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
    assert on_hand(demo_db, "PROGRAM") == programs - 3
    assert b"Souvenir programme" in receipt_text(tmp_path)


async def test_a_seller_short_of_stock_needs_a_supervisor(
    demo_db: Database, tmp_path: Path,
) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f5")
        await pilot.pause()
        await pick(pilot, "harbor", "6")         # there are 4
        assert isinstance(app.screen, Confirm)
        assert "Only 4 Harbor City FC scarf left. Sell 6 anyway?" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ItemPicker)
        assert "Nothing changed: only 4" in text_of(app, "#picker-status")
        assert demo_db.execute("SELECT count(*) FROM cart_goods").fetchone()[0] == 0
        # again, yes: a seller may not sell short, so a supervisor is asked; a wrong PIN
        # is refused, nothing goes in, and the supervisor is asked again
        await pick(pilot, "harbor", "6")
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, SupervisorOverride)
        await pilot.press(*"cora", "enter", *"0000", "enter")
        await pilot.pause()
        assert demo_db.execute("SELECT count(*) FROM cart_goods").fetchone()[0] == 0
        assert isinstance(app.screen, SupervisorOverride) and app.screen.refused
        await pilot.press(*"cora", "enter", *"3333", "enter")
        await pilot.pause()
        assert "x6 in the cart.  SHORT: approved by cora" in text_of(app, "#picker-status")
        await pilot.press("escape")
        await pilot.pause()
        [good] = app.screen.query_one(CartPanel).view.goods
        assert (good.quantity, good.short_approved_by) == (6, "cora")
        assert "SHORT ok" in cart_rows(app)[0][1]
        await pay_cash_and_print(pilot, "200")
        assert isinstance(app.screen, SaleDone)
    assert on_hand(demo_db, "SCARF") == -2
    assert stock.moves(demo_db, "SCARF")[0].approved_by == "cora"


def sold_with_goods(db: Database) -> models.Order:
    """A seat and 3 popcorn and a water, sold by sam in cash through core."""
    sam = user(db, "sam")
    cart_id = cart_with(db, sam, hall_performance(db), ["ORCH-A-101"], FIXED_NOW)
    set_goods(db, sam, cart_id, "POPCORN", 3, FIXED_NOW)
    set_goods(db, sam, cart_id, "WATER", 1, FIXED_NOW)
    total = carts.view_cart(db, cart_id).total_cents
    return checkout.checkout(db, sam, cart_id, [Tender("cash", total)], station=STATION,
                           now=FIXED_NOW)


async def test_refund_goods_from_the_order_screen(demo_db: Database, tmp_path: Path) -> None:
    order = sold_with_goods(demo_db)
    popcorn, water = on_hand(demo_db, "POPCORN"), on_hand(demo_db, "WATER")
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press(*order.number, "enter")
        await pilot.pause()
        assert isinstance(app.screen, OrderDetailScreen)
        table = app.screen.query_one("#tickets", DataTable)
        rows = [[str(c) for c in table.get_row_at(r)] for r in range(table.row_count)]
        assert [row[1:5] for row in rows[1:]] == [
            ["POPCORN", "Popcorn, large x3", "item", "SOLD"],
            ["WATER", "Bottled water x1", "item", "SOLD"]]
        # mark 2 of the 3 popcorn, then refund just those
        await pilot.press("down", "space")
        await pilot.pause()
        assert isinstance(app.screen, AskText)
        await pilot.press("ctrl+u", "2", "enter")
        await pilot.pause()
        assert str(table.get_row_at(1)[0]) == "*2"
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, AskText)
        assert "Refund 2 items (Popcorn, large x2), worth 14.04" in app.screen.question
        await pilot.press(*"spilled", "enter")
        await pilot.pause()
        assert on_hand(demo_db, "POPCORN") == popcorn + 2
        assert on_hand(demo_db, "WATER") == water
        assert str(table.get_row_at(1)[4]) == "1 KEPT 2 BACK"
        assert str(table.get_row_at(0)[4]) == "LIVE"
        # nothing marked: the whole order, goods included
        await pilot.press("r")
        await pilot.pause()
        assert "Refund 1 ticket and 2 items" in app.screen.question
        await pilot.press(*"show moved", "enter")
        await pilot.pause()
        assert "REFUNDED" in text_of(app, "#heading")
    assert (on_hand(demo_db, "POPCORN"), on_hand(demo_db, "WATER")) == (popcorn + 3,
                                                                         water + 1)
    after = orders.get_order(demo_db, order.id)
    assert after.paid_cents == 0 and after.tickets[0].status == "refunded"


async def test_stock_sold_elsewhere_is_asked_before_paying(
    demo_db: Database, tmp_path: Path,
) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f5")
        await pilot.pause()
        await pick(pilot, "harbor", "3")        # 4 on hand: fine
        await pilot.press("escape")
        await pilot.pause()
        # another window sells 2 of the 4
        cora = user(demo_db, "cora")
        other = carts.open_cart(demo_db, cora, "window-2", FIXED_NOW, timedelta(minutes=10))
        set_goods(demo_db, cora, other, "SCARF", 2, FIXED_NOW)
        checkout.checkout(demo_db, cora, other, [Tender("cash", 5400)], station="window-2",
                        now=FIXED_NOW)
        cast(SellScreen, app.screen).refresh_sale()
        assert cart_rows(app)[0][1] == "SHORT"     # the cart line says so at once
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert "Only 2 Harbor City FC scarf left. Sell 3 anyway?" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ConcessionsScreen)
        assert "Nothing changed: only 2" in text_of(app, "#info")
        # one fewer is what is left: the payment opens
        await pilot.press("minus")
        await pilot.pause()
        assert app.screen.query_one(CartPanel).view.goods[0].quantity == 2
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PaymentModal)
    assert on_hand(demo_db, "SCARF") == 2
