"""The stock screen (F6, for users with the `stock` permission): every item with its
price, stock on hand, low-stock threshold and average cost; new and edited items,
receiving stock bought in, adjustments with a reason, a blind count, and the moves of
one item. Core checks the permission on every change and journals it; this screen only
turns a refusal into words, and leaves everything as it was when input is wrong."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from core.concessions import stock
from core.concessions.stock import ADJUST_REASONS, Item
from core.errors import BoxOfficeError
from core.money import format_cents
from tui.screens.base import REFRESH_SECONDS, BoxOfficeScreen
from tui.screens.dialogs import Confirm, run_protected
from tui.screens.stock_count import CountScreen, MovesScreen
from tui.screens.stock_forms import BadInput, Field, StockForm, money, percent, whole, yes_no
from tui.widgets.items import low_stock_line


def sentence(message: str) -> str:
    message = message.rstrip(".")
    return message[:1].upper() + message[1:] + "."


def status_text(item: Item) -> Text:
    if not item.active:
        return Text("inactive", style="dim")
    if item.on_hand <= 0:
        return Text("OUT", style="bold reverse red")
    if item.low:
        return Text("LOW", style="bold yellow")
    return Text("ok")


def tax_words(tax_bp: int) -> str:
    return f"{tax_bp / 100:g}"


class StockScreen(BoxOfficeScreen[None]):
    CSS_PATH = "stock.tcss"
    AUTO_FOCUS = "#stock-items"
    BINDINGS = [
        Binding("n", "new_item", "New", id="stock.new"),
        Binding("e", "edit_item", "Edit", id="stock.edit"),
        Binding("r", "receive", "Receive", id="stock.receive"),
        Binding("j", "adjust", "Adjust", id="stock.adjust"),
        Binding("c", "count", "Count", id="stock.count"),
        Binding("m", "moves", "Moves", id="stock.moves"),
        Binding("escape", "back", "Back", id="stock.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[Item] = []

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Stock", "bold"), "  prices before tax; Enter or e edits "
                                   "the highlighted item"), id="heading")
        yield DataTable(id="stock-items", cursor_type="row", zebra_stripes=False)
        yield Static(id="low-stock")
        yield Static(id="item-line")
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#stock-items", DataTable)
        for label, key in (("SKU", "sku"), ("Item", "name"), ("Category", "category"),
                           ("Price", "price"), ("Hand", "hand"), ("Low", "low"),
                           ("Status", "status"), ("Cost", "cost")):
            table.add_column(label, key=key)
        self.reload()
        # other windows sell and count stock: read it again now and then, and on return
        self.set_interval(REFRESH_SECONDS, self._refresh, name="stock-refresh")

    def on_screen_resume(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        """The list as it is now, the cursor kept on the same item."""
        item = self.item
        self.reload(select=item.sku if item else None)

    def reload(self, select: str | None = None) -> None:
        db = self.box_office.db
        self.items = stock.list_items(db, include_inactive=True)
        table = self.query_one("#stock-items", DataTable)
        row = table.cursor_row
        table.clear()
        for item in self.items:
            table.add_row(item.sku, item.name[:18], item.category[:8],
                          Text(format_cents(item.price_cents), justify="right"),
                          Text(str(item.on_hand), justify="right"),
                          Text(str(item.low_stock), justify="right"), status_text(item),
                          Text(format_cents(item.cost_cents), justify="right"), key=item.sku)
        if not self.items:
            table.add_row("", Text("No items yet: n adds one.", "dim"), *[""] * 6)
        skus = [item.sku for item in self.items]
        if select in skus:
            table.move_cursor(row=skus.index(select))
        elif self.items:
            table.move_cursor(row=min(row, len(self.items) - 1))
        low = low_stock_line(stock.low_stock(db))
        self.query_one("#low-stock", Static).update(low)
        self.query_one("#low-stock", Static).display = bool(low.plain)
        self.refresh_bindings()

    @property
    def item(self) -> Item | None:
        row = self.query_one("#stock-items", DataTable).cursor_row
        return self.items[row] if self.items and 0 <= row < len(self.items) else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        item = self.item
        if item is not None:
            unit = "each" if item.unit == "each" else f"a {item.unit}"
            self.query_one("#item-line", Static).update(Text(
                f"{item.sku}: {format_cents(item.price_cents)} + {tax_words(item.tax_bp)}% "
                f"tax = {format_cents(item.each_cents)} {unit}; {item.stock_label} on hand, "
                f"low at {item.low_stock}; avg cost {format_cents(item.cost_cents)}",
                style="dim"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_item()

    def say(self, message: str, *, style: str = "bold") -> None:
        self.query_one("#info", Static).update(Text(message, style=style))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit_item", "receive", "adjust", "moves"):
            return self.item is not None
        if action == "count":
            return bool(self.items)
        return True

    def _form(self, title: str, fields: list[Field],
              submit: Callable[[dict[str, str]], str | None], note: str = "") -> None:
        self.app.push_screen(StockForm(title, fields, submit, note=note))

    def _call(self, call: Callable[[], Item], done: Callable[[Item], str]) -> str | None:
        """Run a core call for a form: its refusal goes back to the form."""
        try:
            item = call()
        except BoxOfficeError as error:
            return sentence(error.message)
        self.reload(select=item.sku)
        self.say(done(item))
        return None

    # -- items --------------------------------------------------------------------------

    def action_new_item(self) -> None:
        app = self.box_office

        def submit(values: dict[str, str]) -> str | None:
            price = money(values["price"], "Price", field="price")
            tax = percent(values["tax"] or "0")
            low = whole(values["low"] or "0", "Low at", field="low")
            return self._call(lambda: stock.add_item(
                app.db, app.seller, sku=values["sku"].upper(), name=values["name"],
                category=values["category"], price_cents=price, tax_bp=tax,
                unit=values["unit"] or "each", low_stock=low, now=app.clock()),
                lambda item: f"{item.sku} added with no stock: r receives some.")

        self._form("New item", [
            Field("sku", "SKU", placeholder="e.g. NACHOS"),
            Field("name", "Name", placeholder="as on the receipt"),
            Field("category", "Category", placeholder="Snacks, Drinks, Merch, ..."),
            Field("price", "Price before tax", placeholder="e.g. 6.50"),
            Field("tax", "Tax %", "0"),
            Field("unit", "Unit", "each"),
            Field("low", "Low at", "0", placeholder="LOW at or below this many")], submit)

    def action_edit_item(self) -> None:
        item, app = self.item, self.box_office
        if item is None:
            return

        def submit(values: dict[str, str]) -> str | None:
            changes = {"name": values["name"],
                       "price_cents": money(values["price"], "Price", field="price"),
                       "tax_bp": percent(values["tax"] or "0"),
                       "low_stock": whole(values["low"] or "0", "Low at", field="low"),
                       "active": yes_no(values["active"], "Sold", field="active")}
            return self._call(lambda: stock.update_item(app.db, app.seller, item.sku,
                                                        **changes),
                              lambda after: f"{after.sku} changed.")

        self._form(f"Edit {item.sku} ({item.stock_label} on hand: receive, adjust or count "
                   "to change stock)", [
            Field("name", "Name", item.name),
            Field("price", "Price before tax", format_cents(item.price_cents)),
            Field("tax", "Tax %", tax_words(item.tax_bp)),
            Field("low", "Low at", str(item.low_stock)),
            Field("active", "Sold (y/n)", "y" if item.active else "n")], submit)

    # -- stock ----------------------------------------------------------------------------

    def action_receive(self) -> None:
        item, app = self.item, self.box_office
        if item is None:
            return

        def submit(values: dict[str, str]) -> str | None:
            quantity = whole(values["quantity"], "How many", low=1, field="quantity")
            cost = money(values["cost"], "Unit cost", field="cost")
            return self._call(lambda: stock.receive(
                app.db, app.seller, item.sku, quantity, cost, app.clock(),
                reference=values["reference"]),
                lambda after: f"Received {quantity} {item.name} at {format_cents(cost)}: "
                              f"{after.on_hand} on hand, average cost "
                              f"{format_cents(after.cost_cents)}.")

        self._form(f"Receive {item.sku} {item.name} ({item.on_hand} on hand)", [
            Field("quantity", "How many", placeholder=f"how many ({item.unit})"),
            Field("cost", "Unit cost", format_cents(item.cost_cents)),
            Field("reference", "Reference", placeholder="invoice or delivery note")], submit)

    def action_adjust(self) -> None:
        item, app = self.item, self.box_office
        if item is None:
            return

        def submit(values: dict[str, str]) -> str | None:
            quantity = whole(values["quantity"], "By how many", low=-stock.MAX_QUANTITY,
                             signed=True, field="quantity")
            reason = values["reason"]
            if not reason:
                raise BadInput(f"Give a reason ({', '.join(ADJUST_REASONS)}, ...)",
                               field="reason")
            try:
                after = stock.adjust(app.db, app.seller, item.sku, quantity, reason,
                                     app.clock())
            except BoxOfficeError as error:
                if error.code != "out_of_stock":
                    return sentence(error.message)
                self.call_later(self._below_zero, item.sku, quantity, reason)
                return None
            self._adjusted(after, quantity)
            return None

        self._form(f"Adjust {item.sku} {item.name} ({item.on_hand} on hand)", [
            Field("quantity", "By how many", placeholder="-3 takes 3 out, 5 puts 5 in"),
            Field("reason", "Reason", placeholder=", ".join(ADJUST_REASONS[:4]) + ", ...")],
            submit)

    def _adjusted(self, item: Item, quantity: int) -> None:
        self.reload(select=item.sku)
        self.say(f"{item.sku} adjusted by {quantity:+d}: {item.on_hand} on hand.")

    def _below_zero(self, sku: str, quantity: int, reason: str) -> None:
        app = self.box_office
        item = stock.get_item(app.db, sku)

        def answered(yes: bool | None) -> None:
            if not yes:
                self.say("Not adjusted: nothing changed.")
                return
            run_protected(app, lambda override: stock.adjust(
                app.db, app.seller, sku, quantity, reason, app.clock(), allow_negative=True,
                override=override), lambda after: self._adjusted(after, quantity),
                title="Stock below zero")

        self.app.push_screen(Confirm(
            f"{item.sku} has {item.on_hand} on hand: {quantity:+d} takes it to "
            f"{item.on_hand + quantity}, below zero. Record it anyway? (needs the "
            "stock_override permission or a supervisor)"), answered)

    def action_count(self) -> None:
        def counted(result: object) -> None:
            self.reload()

        self.app.push_screen(CountScreen([i for i in self.items if i.active]), counted)

    def action_moves(self) -> None:
        if self.item is not None:
            self.app.push_screen(MovesScreen(self.item))

    def action_back(self) -> None:
        self.dismiss()
