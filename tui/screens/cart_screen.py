"""What every selling screen shares: the window's cart panel and the actions on the sale
as a whole: items (concessions, merchandise), more or fewer of one, remove a line,
customer, pay, cancel. The sale of items alone is a CartScreen; a sale of seats is a
SaleScreen (tui/screens/sale.py) built on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from core.concessions.stock import Item
from core.errors import BoxOfficeError
from core.sales import carts
from core.sales.carts import remove_goods
from core.sales.models import CartView
from tui.screens.base import BoxOfficeScreen
from tui.screens.dialogs import Confirm
from tui.screens.goods import ItemPicker, Report, put_goods
from tui.widgets.cart import CartLines, CartPanel

T = TypeVar("T")

# what a cart is after it was cancelled: no lines, nothing to repaint as the seller's
EMPTY_CART = CartView(0, "open", datetime.max.replace(tzinfo=UTC), ())


class CartScreen(BoxOfficeScreen[None]):
    """A screen with the window's cart panel (`#cart`, an `#info` line): what a sale of
    seats and a sale of items alone share: items, remove, customer, pay, cancel."""

    BINDINGS = [
        Binding("delete", "remove_line", "Remove", id="sale.remove_line"),
        Binding("c", "customer", "Customer", id="sale.customer"),
        Binding("p", "pay", "Pay", id="sale.pay"),
        Binding("x", "cancel_sale", "Cancel sale", id="sale.cancel"),
        Binding("i", "items", "Items", id="sale.items"),
        Binding("plus,equals_sign", "more_goods", "More", id="sale.more_goods"),
        Binding("minus", "fewer_goods", "Fewer", id="sale.fewer_goods"),
        Binding("tab", "switch_focus", "Cart/map", show=False, id="sale.switch_focus"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._had: tuple[bool, bool] | None = None

    @property
    def hold_time(self) -> timedelta:
        return timedelta(minutes=self.box_office.config.sales.cart_hold_minutes)

    def cart_view(self) -> CartView | None:
        return self.box_office.sale.view(self.box_office.db)

    def refresh_sale(self) -> None:
        """Redraw the cart panel (and, on a map, the seat states) from the database."""
        app = self.box_office
        sale = app.sale
        exchange = (f"Exchange: {len(sale.exchange.ticket_ids)} ticket(s) of order "
                    f"{sale.exchange.order_number or sale.exchange.order_id}; choose the "
                    "new seats, then p"
                    if sale.exchange else "")
        panel = self.query_one(CartPanel)
        panel.show(self.cart_view(), sale.customer, will_call=sale.will_call, now=app.clock(),
                   exchange_note=exchange)
        # Textual's Footer rebuilds all its keys on every refresh (40-130 ms here): only
        # when the keys that can act change, i.e. when the cart gets or loses tickets or goods
        view = panel.view
        had = (bool(view and view.lines), bool(view and view.goods))
        if had != self._had:
            self._had = had
            self.refresh_bindings()

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def on_screen_resume(self) -> None:
        self.refresh_sale()

    def _tick(self) -> None:
        view = self.query_one(CartPanel).view
        now = self.box_office.clock()
        if view is not None and not view.empty and view.expires_at <= now:
            self.say("The hold time ran out: the seats went back on sale and the cart is "
                     "empty." if view.lines else "The cart's time ran out: it is empty.",
                     error=True)
            self.refresh_sale()
        else:
            self.query_one(CartPanel).tick(now)

    def say(self, message: str | Text, *, error: bool = False) -> None:
        text = Text(message, style="bold red") if isinstance(message, str) and error else (
            Text(message) if isinstance(message, str) else message)
        self.query_one("#info", Static).update(text, layout=False)

    def attempt(self, action: Callable[[], T], *, done: str | None = None) -> T | None:
        """Run a core call; a refusal is told on the info line and as a notification."""
        try:
            result = action()
        except BoxOfficeError as error:
            self.say(error.message[0].upper() + error.message[1:], error=True)
            self.box_office.show_error(error)
            self.refresh_sale()
            return None
        if done:
            self.say(done)
        self.refresh_sale()
        return result

    def ensure_cart(self) -> int:
        app = self.box_office
        return app.sale.ensure_cart(app.db, app.seller, app.station, app.clock(),
                                    self.hold_time)

    def after_cart_change(self, view: CartView) -> None:
        """A hook for the map screen to repaint seats."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.query_one(CartPanel).view
        if action in ("remove_line", "pay", "cancel_sale"):
            return view is not None and not view.empty
        if action in ("more_goods", "fewer_goods"):
            return view is not None and bool(view.goods)
        return True

    # -- goods ------------------------------------------------------------------------

    def action_items(self) -> None:
        self.app.push_screen(ItemPicker(self.pick_item))

    def pick_item(self, item: Item, quantity: int, report: Report) -> None:
        """The picker chose `quantity` of `item`: put it in the cart (asking to sell
        short when stock is low), then tell the picker and the info line."""
        view = self.cart_view()
        in_cart = next((g.quantity for g in view.goods if g.sku == item.sku), 0) \
            if view is not None and view.status == "open" else 0

        def told(message: str, error: bool) -> None:
            self.refresh_sale()
            self.query_one(CartPanel).highlight_good(item.sku)
            self.say(message, error=error)
            report(message, error)

        put_goods(self.box_office, self.ensure_cart, item.sku, quantity, add=True,
                  report=told, in_cart=in_cart)

    def _change_good(self, step: int) -> None:
        good = self.query_one(CartPanel).highlighted_good
        if good is None:
            self.say("Highlight an item's line in the cart first (Tab, then Up/Down).",
                     error=True)
            return

        def told(message: str, error: bool) -> None:
            self.refresh_sale()
            self.query_one(CartPanel).highlight_good(good.sku)
            self.say(message, error=error)

        put_goods(self.box_office, self.ensure_cart, good.sku, good.quantity + step,
                  add=False, report=told)

    def action_more_goods(self) -> None:
        self._change_good(1)

    def action_fewer_goods(self) -> None:
        self._change_good(-1)

    # -- the cart -----------------------------------------------------------------------

    def action_remove_line(self) -> None:
        panel = self.query_one(CartPanel)
        line, good = panel.highlighted, panel.highlighted_good
        app = self.box_office
        if app.sale.cart_id is None:
            return
        cart_id = app.sale.cart_id
        if good is not None:
            self.attempt(lambda: remove_goods(app.db, app.seller, cart_id, good.id,
                                              app.clock()),
                         done=f"{good.name} taken out of the cart.")
            return
        if line is None:
            return
        view = self.attempt(lambda: carts.remove_item(app.db, app.seller, cart_id,
                                                      line.item_id, app.clock()),
                            done="Removed from the cart.")
        if view is not None:
            self.after_cart_change(view)

    def action_customer(self) -> None:
        from tui.screens.customers import CustomerPicker

        self.app.push_screen(CustomerPicker(), self._customer_chosen)

    def _customer_chosen(self, customer: object) -> None:
        from core.sales.customers import Customer

        if not isinstance(customer, Customer):
            return
        self.box_office.sale.customer = customer
        if "banned" in customer.flags:
            self.say(f"{customer.name} is flagged BANNED: check with a supervisor.",
                     error=True)
        else:
            self.say(f"Customer: {customer.name}")
        self.refresh_sale()

    def action_pay(self) -> None:
        from tui.screens.payment import start_payment

        view = self.cart_view()
        if view is None or view.empty:
            return
        short = next((g for g in view.goods if g.short and g.short_approved_by is None), None)
        if short is not None:
            # stock ran out since the item went in (another window sold it): ask now,
            # not after the tenders are taken
            def told(message: str, error: bool) -> None:
                self.refresh_sale()
                self.say(message, error=error)
                if not error:
                    self.action_pay()

            put_goods(self.box_office, self.ensure_cart, short.sku, short.quantity,
                      add=False, report=told)
            return
        start_payment(self.box_office, view, self.sale_finished)

    def sale_finished(self) -> None:
        """The order is made: the next sale starts empty."""
        self.refresh_sale()
        self.say("")

    def action_cancel_sale(self) -> None:
        def answered(yes: bool | None) -> None:
            app = self.box_office
            if not yes or app.sale.cart_id is None:
                return
            cart_id = app.sale.cart_id
            try:
                carts.cancel_cart(app.db, app.seller, cart_id, app.clock())
            except BoxOfficeError as error:
                if error.code not in ("cart_expired", "cart_closed"):
                    app.show_error(error)
                    return
            app.sale.clear()
            self.say("Sale cancelled: the seats are back on sale." if seats
                     else "Sale cancelled.")
            self.refresh_sale()
            self.after_cart_change(EMPTY_CART)

        view = self.query_one(CartPanel).view
        seats = view is not None and bool(view.lines)
        self.app.push_screen(Confirm("Cancel this sale and put its seats back on sale?" if seats
                                     else "Cancel this sale?"), answered)

    def action_switch_focus(self) -> None:
        lines = self.query_one(CartLines)
        if lines.has_focus or not lines.display:
            self.focus_map()
        else:
            lines.focus()

    def focus_map(self) -> None:
        """A hook: focus the map widget (or the screen's main widget)."""
