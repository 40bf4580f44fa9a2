"""A sale of seats of one performance: what the hall's map and a stadium's overview share
on top of the cart (tui/screens/cart_screen.py): best available, general admission, price
type, will-call."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from core.errors import BoxOfficeError
from core.people.permissions import has_permission
from core.sales import carts, models
from core.sales.models import CartView
from core.seatmap import SeatMap
from core.venue import seat_plan
from core.venue.performances import Performance
from tui.format import local_time
from tui.screens.cart_screen import EMPTY_CART, CartScreen
from tui.screens.sell_dialogs import BestAvailableForm, Choose, GeneralAdmissionForm, SeatRequest
from tui.widgets.cart import CartPanel

__all__ = ["CartScreen", "SaleScreen"]


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

    def fit_width(self, width: int) -> None:
        """From 110 columns on, the cart goes beside the map (sell.tcss: `.-wide`). Called
        in compose as well, before the children mount: set on the first resize, the class
        restyled the whole screen once more on every open."""
        self.set_class(width >= 110, "-wide")

    def on_resize(self) -> None:
        self.fit_width(self.size.width)

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

        before = {line.item_id for line in (self.cart_view() or EMPTY_CART).lines}
        view = self.attempt(add)
        if view is not None:
            added = [line for line in view.lines if line.item_id not in before]
            self.show_seat(added[0] if added else None)
            self.say(Text.assemble(("Best available: ", "bold"),
                                   ", ".join(f"{ln.section} {ln.row}-{ln.number}"
                                             for ln in added)))
            self.after_cart_change(view)

    def show_seat(self, line: models.CartLine | None) -> None:
        """A hook for the map screen: put the cursor on this line's seat."""

    def action_general_admission(self, area: str = "") -> None:
        areas = {a.code: a.name for a in self.seatmap.areas}
        if not areas:
            return
        chosen = area or (next(iter(areas)) if len(areas) == 1 else "")
        left = ""
        if chosen:
            try:
                from core.venue import inventory

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

    def highlighted_line(self) -> models.CartLine | None:
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

    def _set_type(self, line: models.CartLine, code: str | None) -> None:
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

