"""Items in the window cart: the item picker, and the rule for putting an item in.

The picker lists the items as the seller types (SKU, name or category); Enter on a
highlighted item asks how many; a SKU typed in full (or scanned) and Enter puts one in at
once. It stays open for the next item until Esc, saying what went in.

Core refuses more than is on hand (`out_of_stock`): the window asks "Only N left. Sell M
anyway?" and, on yes, asks core again to sell short, through `run_protected`, so a seller
gets the supervisor's override dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from core.concessions import stock
from core.concessions.stock import Item
from core.errors import BoxOfficeError
from core.people.permissions import Override
from core.sales.carts import set_goods
from core.sales.models import CartGood
from tui.screens.dialogs import Confirm, run_protected
from tui.widgets.items import ItemFilter, ItemTable, low_stock_line

if TYPE_CHECKING:
    from tui.app import BoxOfficeApp

# what a put reports back: the message, and whether it is a refusal
Report = Callable[[str, bool], None]


def put_goods(app: BoxOfficeApp, ensure_cart: Callable[[], int], sku: str, quantity: int, *,
              add: bool, report: Report, in_cart: int = 0) -> None:
    """Put `quantity` of `sku` in the sale's cart (added to the `in_cart` already there,
    or replacing it). Short of stock, ask whether to sell short anyway; a seller then
    needs a supervisor. `report` hears how it went (also when nothing changed)."""
    total = in_cart + quantity if add else quantity

    def attempt(allow_short: bool, override: Override | None) -> tuple[CartGood, ...]:
        return set_goods(app.db, app.seller, ensure_cart(), sku, quantity, app.clock(),
                         hold=timedelta(minutes=app.config.sales.cart_hold_minutes),
                         add=add, allow_short=allow_short, override=override)

    def done(goods: tuple[CartGood, ...]) -> None:
        good = next((g for g in goods if g.sku.upper() == sku.upper()), None)
        if good is None:
            report("Taken out of the cart.", False)
        else:
            short = (f"  SHORT: approved by {good.short_approved_by}"
                     if good.short and good.short_approved_by else "")
            report(f"{good.name} x{good.quantity} in the cart.{short}", False)

    try:
        goods = attempt(False, None)
    except BoxOfficeError as error:
        if error.code != "out_of_stock":
            report(_sentence(error.message), True)
            return
        try:
            item = stock.get_item(app.db, sku)
        except BoxOfficeError as missing:
            report(_sentence(missing.message), True)
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                report(f"Nothing changed: {short_words(item)}.", True)
                return
            run_protected(app, lambda override: attempt(True, override), done,
                          title="Selling short")

        words = short_words(item)
        app.push_screen(Confirm(f"{words[:1].upper()}{words[1:]}. Sell {total} anyway?"
                                + (f" ({in_cart} already in the cart)" if add and in_cart
                                   else "")), answered)
        return
    done(goods)


def short_words(item: Item) -> str:
    """'only 4 Scarf left' / 'no Water left (OUT)'."""
    if item.on_hand <= 0:
        return f"no {item.name} left (OUT)"
    return f"only {item.on_hand} {item.name} left"


def _sentence(message: str) -> str:
    message = message.rstrip(".")
    return message[:1].upper() + message[1:] + "."


class ItemPicker(ModalScreen[None]):
    """Type to filter, Up/Down, Enter: how many, Enter: in the cart. Esc when done.
    `pick(item, quantity, report)` puts it in; `report` writes the picker's status."""

    CSS_PATH = "goods.tcss"
    AUTO_FOCUS = "#item-filter"
    BINDINGS = [Binding("escape", "back", "Done", id="items.done")]

    def __init__(self, pick: Callable[[Item, int, Report], None]) -> None:
        super().__init__()
        self.pick = pick
        self.chosen: Item | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(Text.assemble(("Items", "bold"), "  type a name, category or SKU "
                                       "(or scan it); Enter chooses"), id="picker-title")
            yield ItemFilter(placeholder="Filter or SKU, then Enter", id="item-filter")
            yield ItemTable(id="item-table")
            yield Input("1", placeholder="How many", id="item-quantity", restrict=r"[0-9]*",
                        max_length=3)
            yield Static(id="picker-status")
            yield Static(id="picker-hint")

    @property
    def box_office(self) -> BoxOfficeApp:
        return cast("BoxOfficeApp", self.app)

    def on_mount(self) -> None:
        self.query_one("#item-quantity", Input).display = False
        self._fill("")
        self._hint()
        self.status(low_stock_line(stock.low_stock(self.box_office.db)))

    def _fill(self, text: str) -> None:
        items = stock.list_items(self.box_office.db, text=text)
        self.query_one(ItemTable).show(items, empty=f"No item matches '{text.strip()}'."
                                       if text.strip() else "No items: a coordinator adds "
                                       "them in Stock (F6).")

    def _hint(self) -> None:
        asking = self.chosen is not None
        self.query_one("#picker-hint", Static).update(Text(
            "Enter: in the cart   Esc: back to the list" if asking else
            "Up/Down choose  Enter: how many  SKU+Enter: one at once  Esc: done",
            style="dim"))

    def status(self, message: str | Text, error: bool = False) -> None:
        text = (Text(message, style="bold red" if error else "bold")
                if isinstance(message, str) else message)
        self.query_one("#picker-status", Static).update(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "item-filter":
            event.stop()
            self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "item-quantity":
            self._quantity_entered(event.value.strip())
            return
        text = event.value.strip()
        table = self.query_one(ItemTable)
        exact = next((i for i in table.items if i.sku.upper() == text.upper()), None)
        if exact is not None:               # a scanned (or typed) SKU: one at once
            self._put(exact, 1)
            return
        item = table.highlighted
        if item is None:
            self.status(f"No item matches '{text}'." if text else "Choose an item first.",
                        error=True)
            return
        self.chosen = item
        quantity = self.query_one("#item-quantity", Input)
        quantity.value = "1"
        quantity.display = True
        quantity.focus()
        quantity.action_select_all()
        self.status(f"How many {item.name} at {item.each_cents / 100:.2f}? "
                    f"Stock: {item.stock_label}")
        self._hint()

    def _quantity_entered(self, text: str) -> None:
        if self.chosen is None:
            return
        if not text.isdigit() or not 1 <= int(text) <= 999:
            self.status("How many: a whole number from 1 to 999.", error=True)
            self.query_one("#item-quantity", Input).action_select_all()
            return
        self._put(self.chosen, int(text))

    def _put(self, item: Item, quantity: int) -> None:
        self._back_to_list()
        self.query_one(ItemFilter).value = ""
        self.pick(item, quantity, self._reported)

    def _reported(self, message: str, error: bool) -> None:
        if not self.is_attached:
            return
        self._fill(self.query_one(ItemFilter).value)
        self.status(message, error=error)

    def _back_to_list(self) -> None:
        self.chosen = None
        self.query_one("#item-quantity", Input).display = False
        self.query_one(ItemFilter).focus()
        self._hint()

    def action_back(self) -> None:
        if self.chosen is not None:
            self._back_to_list()
            self.status("")
        else:
            self.dismiss(None)
