"""What every selling screen shares. A CartScreen has the window's cart panel and the
actions on the sale as a whole: items (concessions, merchandise), more or fewer of one,
remove a line, customer, pay, cancel. A SaleScreen sells seats of one performance too
(best available, general admission, price type, will-call): the hall's map and a
stadium's overview are both one; the sale of items alone is a CartScreen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from core import carts, seat_plan
from core.carts import CartView
from core.errors import BoxOfficeError
from core.goods import remove_goods
from core.performances import Performance
from core.permissions import has_permission
from core.seatmap import SeatMap
from core.stock import Item
from tui.format import local_time
from tui.screens.base import BoxOfficeScreen
from tui.screens.dialogs import Confirm
from tui.screens.goods import ItemPicker, Report, put_goods
from tui.screens.sell_dialogs import BestAvailableForm, Choose, GeneralAdmissionForm, SeatRequest
from tui.widgets.cart import CartLines, CartPanel

T = TypeVar("T")


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
                    f"{sale.exchange.order_id}; choose the new seats, then p"
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
        from core.customers import Customer

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
            self.after_cart_change(_EMPTY)

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


class SaleScreen(CartScreen):
    """Selling seats of one performance: a hall's map or a stadium's overview."""

    BINDINGS = [
        Binding("b", "best", "Best", id="sale.best"),
        Binding("a", "general_admission", "GA", id="sale.general_admission"),
        Binding("t", "price_type", "Type", id="sale.price_type"),
        Binding("w", "will_call", "Will-call", id="sale.will_call"),
    ]

    def __init__(self, performance: Performance, seatmap: SeatMap) -> None:
        super().__init__()
        self.performance = performance
        self.seatmap = seatmap

    # -- the sale -------------------------------------------------------------------

    @property
    def seat_index(self) -> seat_plan.SeatIndex:
        return self.box_office.seat_index(self.performance.id, self.seatmap.sha256)

    @property
    def seat_ids(self) -> dict[seat_plan.SeatKey, int]:
        return self.seat_index.ids

    def heading(self, where: str) -> Text:
        app = self.box_office
        text = Text.assemble((self.performance.event_name, "bold"), "  ",
                             local_time(self.performance.starts_at, app.config.zone), "  ",
                             (where, "dim"))
        if app.training:
            text.append("  TRAINING", style="bold reverse")
        return text

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        app = self.box_office
        view = self.query_one(CartPanel).view
        if action in ("price_type", "will_call"):
            return view is not None and bool(view.lines)
        if action == "general_admission":
            return bool(self.seatmap.areas)
        if action in ("hold", "kill"):
            return app.user is not None and has_permission(app.db, app.user.role, action)
        return super().check_action(action, parameters)

    def default_price_type(self, zone: str) -> str:
        types = seat_plan.price_types_for(self.box_office.db, self.performance.id, zone)
        return types[0][0] if types else "ADULT"

    def action_best(self) -> None:
        zones = {code: zone.name for code, zone in self.seatmap.zones.items()}
        sections = {section.code: section.name for section in self.seatmap.sections}
        types = seat_plan.all_price_types(self.box_office.db, self.performance.id)
        self.app.push_screen(BestAvailableForm(types, zones, sections,
                                               types[0][0] if types else "ADULT"),
                             self._best_chosen)

    def _best_chosen(self, request: SeatRequest | None) -> None:
        if request is None:
            return
        app = self.box_office

        def add() -> CartView:
            cart_id = self.ensure_cart()
            return carts.add_best_available(
                app.db, app.seller, cart_id, self.performance.id, request.quantity,
                request.price_type, app.clock(), self.hold_time, zone=request.zone,
                section=request.section)

        before = {line.item_id for line in (self.cart_view() or _EMPTY).lines}
        view = self.attempt(add)
        if view is not None:
            added = [line for line in view.lines if line.item_id not in before]
            self.show_seat(added[0] if added else None)
            self.say(Text.assemble(("Best available: ", "bold"),
                                   ", ".join(f"{ln.section} {ln.row}-{ln.number}"
                                             for ln in added)))
            self.after_cart_change(view)

    def show_seat(self, line: carts.CartLine | None) -> None:
        """A hook for the map screen: put the cursor on this line's seat."""

    def action_general_admission(self, area: str = "") -> None:
        areas = {a.code: a.name for a in self.seatmap.areas}
        if not areas:
            return
        chosen = area or (next(iter(areas)) if len(areas) == 1 else "")
        left = ""
        if chosen:
            try:
                from core import inventory

                count = inventory.area_count(
                    self.box_office.db, self.performance.id,
                    inventory.area_id(self.box_office.db, self.performance.id, chosen),
                    self.box_office.clock())
                left = f": {areas[chosen]}, {count.available:,} of {count.capacity:,} left"
            except BoxOfficeError:
                left = ""
        zone = next(a.zone for a in self.seatmap.areas if a.code == (chosen or a.code))
        types = seat_plan.price_types_for(self.box_office.db, self.performance.id, zone)
        self.app.push_screen(GeneralAdmissionForm(
            [(code, name) for code, name, _ in types], areas, chosen,
            types[0][0] if types else "ADULT", left), self._ga_chosen)

    def _ga_chosen(self, request: SeatRequest | None) -> None:
        if request is None or request.area is None:
            return
        app = self.box_office
        area = request.area

        def add() -> CartView:
            cart_id = self.ensure_cart()
            return carts.add_area_places(app.db, app.seller, cart_id, self.performance.id,
                                         area, request.quantity, request.price_type,
                                         app.clock(), self.hold_time)

        view = self.attempt(add, done=f"{request.quantity} x {area} general admission added.")
        if view is not None:
            self.after_cart_change(view)

    def highlighted_line(self) -> carts.CartLine | None:
        return self.query_one(CartPanel).highlighted

    def action_price_type(self) -> None:
        line = self.highlighted_line()
        if line is None:
            return
        options = [(code, f"{code:<10} {name}  {cents / 100:.2f}") for code, name, cents in
                   seat_plan.price_types_for(self.box_office.db, line.performance_id,
                                             line.zone)]
        label = f"{line.section} {line.row}-{line.number}" if line.row else line.section
        self.app.push_screen(Choose(f"Price type for {label}", options, line.price_type),
                             lambda code: self._set_type(line, code))

    def _set_type(self, line: carts.CartLine, code: str | None) -> None:
        app = self.box_office
        if code is None or code == line.price_type or app.sale.cart_id is None:
            return
        cart_id = app.sale.cart_id
        self.attempt(lambda: carts.set_price_type(app.db, app.seller, cart_id, line.item_id,
                                                  code, app.clock()),
                     done=f"Now {code}.")

    def action_will_call(self) -> None:
        sale = self.box_office.sale
        if not sale.will_call and sale.customer is None:
            self.say("Will-call needs the customer's name: choose the customer (c) first.",
                     error=True)
            return
        sale.will_call = not sale.will_call
        self.refresh_sale()


_EMPTY = CartView(0, "open", datetime.max.replace(tzinfo=UTC), ())
