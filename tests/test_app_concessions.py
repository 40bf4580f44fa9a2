"""Concessions and merchandise at the window, from the keyboard: items in the cart beside
tickets or on their own, selling short with a supervisor, refunding goods from an order,
and the stock screen (receive, adjust, count). Each test presses keys as a seller or a
coordinator would, then checks the database and the screen."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlite_utils
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from core import carts, orders, stock
from core.goods import set_goods
from core.tenders import Tender
from tests.app_helpers import make_app, sign_in, text_of
from tests.conftest import FIXED_NOW
from tests.selling_helpers import STATION, cart_with, hall_performance, user
from tui.app import BoxOfficeApp
from tui.commands import window_commands
from tui.screens.dialogs import AskText, Confirm, SupervisorOverride
from tui.screens.goods import ItemPicker
from tui.screens.goods_sale import ConcessionsScreen
from tui.screens.order_detail import OrderDetailScreen
from tui.screens.payment import PaymentModal, SaleDone
from tui.screens.sell import SellScreen
from tui.screens.stock import StockScreen
from tui.screens.stock_count import CountScreen
from tui.screens.stock_forms import StockForm
from tui.widgets.cart import CartPanel
from tui.widgets.items import ItemTable


def on_hand(db: sqlite_utils.Database, sku: str) -> int:
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


async def test_tickets_and_items_in_one_sale_paid_in_cash(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
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


async def test_items_on_their_own_from_the_performance_list(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
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


async def test_a_seller_short_of_stock_needs_a_supervisor(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
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
        # is refused and nothing goes in
        await pick(pilot, "harbor", "6")
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, SupervisorOverride)
        await pilot.press(*"cora", "enter", *"0000", "enter")
        await pilot.pause()
        assert demo_db.execute("SELECT count(*) FROM cart_goods").fetchone()[0] == 0
        await pick(pilot, "harbor", "6")
        await pilot.press("y")
        await pilot.pause()
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


def sold_with_goods(db: sqlite_utils.Database) -> orders.Order:
    """A seat and 3 popcorn and a water, sold by sam in cash through core."""
    sam = user(db, "sam")
    cart_id = cart_with(db, sam, hall_performance(db), ["ORCH-A-101"], FIXED_NOW)
    set_goods(db, sam, cart_id, "POPCORN", 3, FIXED_NOW)
    set_goods(db, sam, cart_id, "WATER", 1, FIXED_NOW)
    total = carts.view_cart(db, cart_id).total_cents
    return orders.checkout(db, sam, cart_id, [Tender("cash", total)], station=STATION,
                           now=FIXED_NOW)


async def test_refund_goods_from_the_order_screen(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
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


async def form(pilot: Pilot[None], *values: str) -> None:
    """Fill the open stock form from its first field: each value replaces what is there."""
    assert isinstance(pilot.app.screen, StockForm)
    for value in values:
        await pilot.press("ctrl+u", *value, "enter")
        await pilot.pause()


def stock_rows(app: BoxOfficeApp) -> dict[str, list[str]]:
    table = app.screen.query_one("#stock-items", DataTable)
    return {str(table.get_row_at(r)[0]): [str(c) for c in table.get_row_at(r)]
            for r in range(table.row_count)}


async def open_stock_at(pilot: Pilot[None], sku: str) -> StockScreen:
    await pilot.press("f6")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, StockScreen)
    while screen.item is not None and screen.item.sku != sku:
        await pilot.press("down")
    return screen


async def test_stock_screen_receive_and_adjust(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        screen = await open_stock_at(pilot, "SCARF")
        row = stock_rows(app)["SCARF"]
        assert row[1:] == ["Harbor City FC sca", "Merch", "25.00", "4", "5", "LOW", "11.00"]
        assert "Low stock: SCARF 4" in text_of(app, "#low-stock")
        # receive: letters for a quantity and a negative cost are refused, nothing changes
        await pilot.press("r")
        await pilot.pause()
        await form(pilot, "ten", "12.00", "INV-7")
        assert "'ten' is not a whole number" in text_of(app, "#form-problem")
        # the cursor is back on the quantity, what was typed is kept
        await form(pilot, "20", "-3", "INV-7")
        assert "Unit cost cannot be negative. Nothing changed." in text_of(app, "#form-problem")
        assert on_hand(demo_db, "SCARF") == 4
        await form(pilot, "12.50", "INV-7")
        assert isinstance(app.screen, StockScreen)
        scarf = stock.get_item(demo_db, "SCARF")
        assert (scarf.on_hand, scarf.cost_cents) == (24, 1225)   # (4 x 11.00 + 20 x 12.50) / 24
        assert "Received 20" in text_of(app, "#info")
        assert stock_rows(app)["SCARF"][6] == "ok"
        # adjust: an empty reason is refused; then 2 damaged go out
        await pilot.press("j")
        await pilot.pause()
        await form(pilot, "-2", "")
        assert "Give a reason" in text_of(app, "#form-problem")
        await form(pilot, "damage")
        assert on_hand(demo_db, "SCARF") == 22
        # below zero asks first, and is recorded by cora (she has stock_override)
        await pilot.press("j")
        await pilot.pause()
        await form(pilot, "-30", "theft")
        assert isinstance(app.screen, Confirm)
        assert "takes it to -8, below zero" in app.screen.question
        await pilot.press("y")
        await pilot.pause()
        assert on_hand(demo_db, "SCARF") == -8
        assert stock_rows(app)["SCARF"][6] == "OUT"
        # the moves of the item, newest first
        await pilot.press("m")
        await pilot.pause()
        moves = app.screen.query_one("#moves", DataTable)
        kinds = [str(moves.get_row_at(r)[1]) for r in range(moves.row_count)]
        assert kinds[:3] == ["adjust", "adjust", "receive"]
        assert screen is not app.screen
    assert [m.reason for m in stock.moves(demo_db, "SCARF")][:3] == ["theft", "damage",
                                                                      "INV-7"]


async def test_a_blind_count_then_its_variance(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    items = stock.list_items(demo_db)
    expected = {item.sku: item.on_hand for item in items}
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CountScreen)
        # blind: no expected figure anywhere on the count sheet
        sheet = " ".join(str(label.content) for label in app.screen.query(".count-label"))
        assert "POPCORN" in sheet
        assert not any(str(n) in sheet.split() for n in expected.values())
        counted = {sku: n - 1 if sku == "POPCORN" else n for sku, n in expected.items()}
        counted["SCARF"] = 4
        answers = [str(counted[item.sku]) for item in app.screen.items]
        answers[0] = "x"                       # a letter for a count: refused, nothing kept
        for answer in answers:
            await pilot.press(*answer, "enter")
        await pilot.pause()
        assert "is not a whole number" in text_of(app, "#info")
        assert demo_db.execute("SELECT count(*) FROM stock_counts").fetchone()[0] == 0
        app.screen.query_one("#count-0", Input).value = str(counted[app.screen.items[0].sku])
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
        result = app.screen.query_one("#count-result", DataTable)
        rows = {str(result.get_row_at(r)[0]): [str(c) for c in result.get_row_at(r)]
                for r in range(result.row_count)}
        assert rows["POPCORN"][2:5] == [str(expected["POPCORN"]),
                                        str(expected["POPCORN"] - 1), "-1"]
        assert rows["WATER"][4] == "0"
        assert "Variance at cost: -1.80" in text_of(app, "#info")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StockScreen)
    assert on_hand(demo_db, "POPCORN") == expected["POPCORN"] - 1
    count = stock.get_count(demo_db)
    assert {line.sku: line.variance for line in count.lines}["POPCORN"] == -1


async def test_a_seller_is_refused_the_stock_screen(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        screen = app.screen
        assert "stock" not in {a.binding.action for a in screen.active_bindings.values()
                               if a.binding.show and a.enabled}
        assert "Stock" not in {command.title for command in window_commands(app, screen)}
        await pilot.press("f6")
        await pilot.pause()
        assert app.screen is screen
        [note] = list(app._notifications)
        assert "does not have the 'stock' permission" in note.message


async def test_a_new_item_and_an_edit(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        # the palette offers the stock screen to a coordinator, and items on their own
        titles = {command.title for command in window_commands(app, app.screen)}
        assert {"Stock", "Sell items: concessions and merchandise"} <= titles
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await form(pilot, "nachos", "Nachos", "Snacks", "abc", "8", "each", "6")
        assert "Price: 'abc' is not an amount" in text_of(app, "#form-problem")
        await form(pilot, "5.50", "8", "each", "6")
        assert isinstance(app.screen, StockScreen)
        nachos = stock.get_item(demo_db, "NACHOS")
        assert (nachos.price_cents, nachos.tax_bp, nachos.low_stock, nachos.on_hand) == (
            550, 800, 6, 0)
        assert stock_rows(app)["NACHOS"][6] == "OUT"
        assert "NACHOS added with no stock" in text_of(app, "#info")
        # edit: a new price, and off sale
        await pilot.press("e")
        await pilot.pause()
        await form(pilot, "Nachos", "6", "8", "6", "maybe")
        assert "Sold: y or n" in text_of(app, "#form-problem")
        await form(pilot, "n")
        nachos = stock.get_item(demo_db, "NACHOS")
        assert (nachos.price_cents, nachos.active) == (600, False)
        assert stock_rows(app)["NACHOS"][6] == "inactive"
        # an item off sale is not offered at the window
        assert "NACHOS" not in {item.sku for item in stock.list_items(demo_db)}


async def test_stock_sold_elsewhere_is_asked_before_paying(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
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
        orders.checkout(demo_db, cora, other, [Tender("cash", 5400)], station="window-2",
                        now=FIXED_NOW)
        app.screen.refresh_sale()
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
