"""A sale of items on their own (popcorn, a programme, a scarf), with no performance: the
window's cart, the item picker, pay, customer, cancel. It is the same sale as on the
seat maps (the window's `Sale`), so tickets already in the cart stay in it and are paid
together. Opened from the performance list with `i`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from core.concessions import stock
from tui.format import local_time
from tui.screens.cart_screen import CartScreen
from tui.widgets.cart import CartLines, CartPanel
from tui.widgets.items import low_stock_line

if TYPE_CHECKING:
    from tui.app import BoxOfficeApp


def open_concessions(app: BoxOfficeApp) -> None:
    """The items-only sale, on top of where the seller is (or back to it, if open)."""
    if app.user is None or app.is_locked:
        return
    for screen in app.screen_stack:
        if isinstance(screen, ConcessionsScreen):
            while app.screen is not screen:
                app.pop_screen()
            return
    app.push_screen(ConcessionsScreen())


class ConcessionsScreen(CartScreen):
    CSS_PATH = "goods.tcss"
    AUTO_FOCUS = "CartLines"
    BINDINGS = [Binding("escape", "back", "Back", id="concessions.back")]

    def __init__(self) -> None:
        super().__init__()
        self._open_items = True

    def compose(self) -> ComposeResult:
        yield Static(id="heading")
        yield Static(id="low-stock")
        yield CartPanel(id="cart")
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        app = self.box_office
        heading = Text.assemble(("Items", "bold"), "  concessions and merchandise, no "
                                "performance  ", (local_time(app.clock(), app.config.zone),
                                                  "dim"))
        if app.training:
            heading.append("  TRAINING", style="bold reverse")
        self.query_one("#heading", Static).update(heading)
        self.query_one(CartPanel).empty_hint = ("Empty: i lists the items (type a name or "
                                                "scan a SKU).")

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self._open_items and self.app.screen is self:
            # the seller came here to sell items (or has just sold some): the list is the
            # first thing they need
            self._open_items = False
            view = self.query_one(CartPanel).view
            if view is None or view.empty:
                self.call_after_refresh(self.action_items)

    def sale_finished(self) -> None:
        super().sale_finished()
        self._open_items = True       # once the order number is read, the next sale

    def refresh_sale(self) -> None:
        super().refresh_sale()
        low = low_stock_line(stock.low_stock(self.box_office.db))
        widget = self.query_one("#low-stock", Static)
        widget.update(low)
        widget.display = bool(low.plain)

    def focus_map(self) -> None:
        self.query_one(CartLines).focus()

    def action_back(self) -> None:
        self.dismiss()
