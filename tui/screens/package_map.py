"""Selling a fixed package on the seat map (Subscriptions, `s` with the seats left blank).

The map is the first performance's venue, and a seat shows free only when it is free at
EVERY performance of the series (`core.sales.package_seats.package_plan`): one sold at
the fourth performance is drawn taken, and the seat line says where (`sold at #4`).
Space claims the seat under the cursor at every performance in one transaction
(`add_package_seats`), or gives back one already claimed; space on a taken seat says
where it is taken and moves the cursor to the nearest seat free at every performance,
the other seat offered. `b` finds the best N together free at every performance (a zone
optional). Enter goes on to the subscriber and the payment; Esc lets every seat go."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from core.errors import BoxOfficeError
from core.limits import parse_whole
from core.money import format_cents
from core.sales import carts, package_seats, subscriptions
from core.sales.models import CartView
from core.seatmap import Seat, venue_drawing
from core.venue import venues
from core.venue.performances import get_performance
from core.venue.series import Package, get_series
from tui.format import describe_seat, legend
from tui.screens.admin_base import Field, FormModal
from tui.screens.base import BoxOfficeScreen
from tui.widgets.keyline import KeyLine
from tui.widgets.pieces import Pieces
from tui.widgets.seatmap import SeatMap as SeatMapWidget

# what the map draws for a seat taken somewhere (the widget's states)
_SHOWN = {"sold": "sold", "held": "held", "killed": "killed", "cart": "cart",
          package_seats.MISSING: "killed"}
_WORDS = {"cart": "in another window's cart", package_seats.MISSING: "missing",
          "mine": "in this sale"}


def where_taken(entries: list[tuple[int, str]]) -> str:
    """[(4, 'sold'), (5, 'sold'), (6, 'held')] -> 'sold at #4, #5; held at #6'."""
    by_state: dict[str, list[str]] = {}
    for performance_id, state in entries:
        by_state.setdefault(_WORDS.get(state, state), []).append(f"#{performance_id}")
    return "; ".join(f"{state} at {', '.join(where)}" for state, where in by_state.items())


class PackageMapScreen(BoxOfficeScreen[CartView | None]):
    CSS_PATH = "subscriptions.tcss"
    AUTO_FOCUS = "SeatMap"
    BINDINGS = [
        Binding("space", "toggle_seat", "Seat", id="package_map.toggle_seat"),
        Binding("b", "best", "Best", id="package_map.best"),
        Binding("enter", "done", "Subscriber", id="package_map.done"),
        Binding("escape", "back", "Back", id="package_map.back"),
    ]

    def __init__(self, package: Package, price_type: str, cart_id: int) -> None:
        super().__init__()
        self.package = package
        self.price_type = price_type
        self.cart_id = cart_id
        self.plan: dict[tuple[str, str, int], list[tuple[int, str]]] = {}
        self.view: CartView | None = None

    def compose(self) -> ComposeResult:
        app = self.box_office
        series = get_series(app.db, self.package.series_id)
        self.performances = series.performance_ids
        first = get_performance(app.db, series.performance_ids[0])
        self.seatmap = venues.venue_seatmap(app.db, first.venue_id)
        self.drawing = venue_drawing(self.seatmap)
        shows = ", ".join(f"#{p}" for p in self.performances)
        yield Static(Text.assemble(
            (f"{self.package.code}", "bold"), f" {self.package.name[:20]}: a seat free at "
            f"every performance of the series ({shows})"), id="heading")
        yield SeatMapWidget(self.drawing, self.seatmap.zones, id="map")
        yield Static(id="info")
        yield Static(id="chosen")
        yield Pieces(id="legend")
        yield KeyLine()

    def on_mount(self) -> None:
        taken = Text.assemble(("x + - h", "bold"), " taken at one performance or more",
                              style="dim")
        self.query_one("#legend", Pieces).set_pieces(
            [*legend(self.seatmap, self.drawing.seats), taken])
        seat_map = self.query_one(SeatMapWidget)
        self.watch(seat_map, "cursor", self._describe_cursor, init=False)
        self.refresh_plan()

    def refresh_plan(self) -> None:
        app = self.box_office
        self.plan = package_seats.package_plan(
            app.db, self.package.id, app.clock(), cart_id=self.cart_id,
            index=app.seat_index(self.performances[0], self.seatmap.sha256))
        states: dict[tuple[str, str, int], tuple[str, str | None]] = {}
        for key, entries in self.plan.items():
            others = [state for _, state in entries if state != "mine"]
            states[key] = (_SHOWN.get(others[0], "sold"), None) if others else ("mine", None)
        self.query_one(SeatMapWidget).set_states(states)
        self.view = carts.view_cart(app.db, self.cart_id)
        seats = sorted({line.label for line in self.view.lines})
        self.query_one("#chosen", Static).update(
            Text(f"In this sale: {', '.join(seats)}  ({len(seats)} seat(s) x "
                 f"{len(self.performances)} performances, "
                 f"{format_cents(self.view.total_cents)})  Enter: the subscriber", "bold")
            if seats else Text("Nothing chosen yet: space takes a seat, b the best "
                               "together.", "dim"))
        self.refresh_bindings()

    def _describe_cursor(self, cursor: int) -> None:
        seat = self.drawing.seats[cursor] if self.drawing.seats else None
        if seat is None:
            return
        text = describe_seat(seat, self.seatmap)
        entries = self.plan.get(seat.key)
        if not entries:
            text.append(f"  FREE at all {len(self.performances)}", style="bold green")
        elif all(state == "mine" for _, state in entries):
            text.append("  IN THIS SALE", style="bold")
        else:
            text.append(f"  NOT FREE: {where_taken(entries)}", style="bold")
        self.say(text)

    def say(self, message: str | Text, error: bool = False) -> None:
        self.query_one("#info", Static).update(
            message if isinstance(message, Text) else Text(message,
                                                           "bold red" if error else ""))

    # -- seats -------------------------------------------------------------------------

    def action_toggle_seat(self) -> None:
        seat = self.query_one(SeatMapWidget).seat
        if seat is None:
            return
        app = self.box_office
        entries = self.plan.get(seat.key, [])
        label = f"{seat.section} {seat.row}-{seat.number}"
        if entries and all(state == "mine" for _, state in entries):
            try:
                package_seats.remove_package_seat(app.db, app.seller, self.cart_id,
                                                  *seat.key, app.clock())
            except BoxOfficeError as error:
                self.say(f"Not done: {error.message}", error=True)
                return
            self.refresh_plan()
            self.say(f"{label} given back at every performance.")
            return
        if entries:
            self._offer_another(seat, f"{label} is not free at every performance: "
                                      f"{where_taken(entries)}.")
            return
        try:
            subscriptions.add_package_seats(
                app.db, app.seller, self.cart_id, self.package.id,
                f"{seat.section}-{seat.row}-{seat.number}", self.price_type, app.clock(),
                timedelta(minutes=app.config.sales.cart_hold_minutes))
        except BoxOfficeError as error:   # taken meanwhile: say where, offer another
            self.refresh_plan()
            self._offer_another(seat, f"{error.message}.")
            return
        self.refresh_plan()
        self.say(f"{label} held at all {len(self.performances)} performances "
                 f"({self.price_type}).")

    def _offer_another(self, seat: Seat, why: str) -> None:
        """Say why the seat cannot be had and put the cursor on the nearest seat free at
        every performance (its zone first), the seat offered instead."""
        free = [s for s in self.drawing.seats if s.key not in self.plan]
        same = [s for s in free if s.zone == seat.zone] or free
        if not same:
            self.say(f"{why} No seat is free at every performance.", error=True)
            return
        nearest = min(same, key=lambda s: (abs(s.y - seat.y), abs(s.x - seat.x)))
        self.query_one(SeatMapWidget).select_seat(*nearest.key)
        self.say(Text.assemble((why, "bold red"), f"  Offered instead: {nearest.section} "
                               f"{nearest.row}-{nearest.number} (space takes it)."))

    def action_best(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        values = values or {"count": "1"}
        self.app.push_screen(FormModal("Best seats together, free at every performance", [
            Field("count", "How many", values.get("count", "")),
            Field("zone", "Zone (blank: any)", values.get("zone", ""), required=False),
        ], problem=problem), self._best)

    def _best(self, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        try:
            count = parse_whole(values["count"], "how many", minimum=1, code="bad_quantity")
            view = subscriptions.add_package_best(
                app.db, app.seller, self.cart_id, self.package.id, count, self.price_type,
                app.clock(), timedelta(minutes=app.config.sales.cart_hold_minutes),
                zone=values["zone"].upper() or None)
        except BoxOfficeError as error:
            field = "Zone: " if error.code in ("no_price", "no_block", "unknown_zone") else ""
            self.action_best(values, f"{field}{error.message}. Nothing taken.")
            return
        self.refresh_plan()
        newest = view.lines[-1]
        if newest.row is not None and newest.number is not None:
            self.query_one(SeatMapWidget).select_seat(newest.section, newest.row,
                                                      newest.number)
        self.say(f"Held at every performance: {count} seat(s) together.")

    # -- leaving -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "done":
            return self.view is not None and bool(self.view.lines)
        return True

    def action_done(self) -> None:
        if self.view is not None and self.view.lines:
            self.dismiss(carts.view_cart(self.box_office.db, self.cart_id))

    def action_back(self) -> None:
        app = self.box_office
        if carts.view_cart(app.db, self.cart_id).status == "open":
            carts.cancel_cart(app.db, app.seller, self.cart_id, app.clock())
        self.dismiss(None)
