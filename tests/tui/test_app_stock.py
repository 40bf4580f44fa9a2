"""The stock screen (F6) at the window, from the keyboard: items, receiving, adjusting,
a blind count and its variance, moves, a new item and an edit, and a seller refused.
Each test presses keys as a coordinator would, then checks the database and the screen."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label

from core.concessions import stock
from core.store.db import Database
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.tui.test_app_concessions import on_hand
from tui.app import BoxOfficeApp
from tui.commands import window_commands
from tui.screens.dialogs import Confirm
from tui.screens.stock import StockScreen
from tui.screens.stock_count import CountScreen
from tui.screens.stock_forms import StockForm


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


async def test_stock_screen_receive_and_adjust(demo_db: Database, tmp_path: Path) -> None:
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


async def test_a_blind_count_then_its_variance(demo_db: Database, tmp_path: Path) -> None:
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
        sheet = " ".join(str(label.content)
                         for label in app.screen.query(".count-label").results(Label))
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


async def test_a_seller_is_refused_the_stock_screen(demo_db: Database, tmp_path: Path) -> None:
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


async def test_a_new_item_and_an_edit(demo_db: Database, tmp_path: Path) -> None:
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
