"""The sell screen: a hall's map (or one stadium section) with the cart beside it.

Space puts the seat under the cursor in the cart, or takes it out; `r` twice selects a
range along a row; a coordinator paints holds (`h`) and kills (`k`) with the same keys.
Every change goes through core at once, so a seat on the map is locked while it is shown
as the seller's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static

from core.reports import sell_through
from core.sales import carts
from core.sales.models import CartLine, CartView
from core.seatmap import Drawing, Seat, SeatMap
from core.times import stamp
from core.venue import inventory, seat_plan
from core.venue.performances import Performance
from tui.format import describe_seat, legend
from tui.screens.dialogs import AskText
from tui.screens.sale import SaleScreen
from tui.screens.sell_dialogs import Choose
from tui.widgets.cart import CartPanel
from tui.widgets.keyline import KeyLine
from tui.widgets.pieces import Pieces
from tui.widgets.seatmap import SeatMap as SeatMapWidget

if TYPE_CHECKING:
    pass

STATE_WORDS = {"mine": "in this cart", "cart": "in another window's cart", "sold": "sold",
               "held": "held", "killed": "killed (off sale)"}


class SellScreen(SaleScreen):
    CSS_PATH = "sell.tcss"
    AUTO_FOCUS = "SeatMap"
    BINDINGS = [
        Binding("space", "toggle_seat", "Seat", id="sell.toggle_seat"),
        Binding("r", "range", "Range", id="sell.range"),
        Binding("g", "goto_row", "Row", id="sell.goto_row"),
        Binding("h", "hold", "Hold", id="sell.hold"),
        Binding("k", "kill", "Kill", id="sell.kill"),
        Binding("v", "heat", "Heat", id="sell.heat"),
        Binding("escape", "back", "Back", id="sell.back"),
    ]

    def __init__(self, performance: Performance, seatmap: SeatMap, drawing: Drawing) -> None:
        super().__init__(performance, seatmap)
        self.drawing = drawing
        self.range_start: Seat | None = None
        # painting holds or kills: ("hold", code) or ("kill", reason)
        self.paint: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        self.fit_width(self.app.size.width)
        yield Static(id="heading")
        with Horizontal(id="body"):
            yield SeatMapWidget(self.drawing, self.seatmap.zones, id="map")
            yield CartPanel(id="cart")
        yield Input(placeholder="Row label, then Enter (Esc cancels)", id="row-input")
        yield Static(id="info")
        yield Pieces(id="legend")
        yield KeyLine()

    def on_mount(self) -> None:
        super().on_mount()
        self._show_heading()
        self.query_one("#legend", Pieces).set_pieces(self._legend())
        self.query_one("#row-input", Input).display = False
        seat_map = self.query_one(SeatMapWidget)
        # A watcher runs as the cursor changes, so the seat line is drawn in the same
        # frame as the cursor (a message would land a frame later).
        self.watch(seat_map, "cursor", self._describe_cursor, init=False)
        seat_map.set_states({}, seat_plan.hold_colors(self.box_office.db))

    def _legend(self) -> list[Text]:
        if self.is_mounted and self.query_one(SeatMapWidget).heat:
            return self._heat_legend()
        states = [Text.assemble((mark, "bold"), f" {meaning}", style="dim")
                  for mark, meaning in (("x", "sold"), ("+", "other cart"), ("-", "killed"))]
        return legend(self.seatmap, self.drawing.seats) + states

    def _heat_legend(self) -> list[Text]:
        """The states' marks, then each zone (price level) of this map with its
        sell-through, and each section's."""
        app = self.box_office
        by_zone, by_section, names = sell_through.counts(app.db, self.performance.id,
                                                         stamp(app.clock()))
        marks = [Text.assemble((mark, f"bold {color}"), f" {meaning}") for mark, color, meaning
                 in (("x", "red", "sold"), ("c", "magenta", "comp"), ("h", "yellow", "held"),
                     ("+", "cyan", "cart"), ("-", "bright_black", "killed"),
                     ("A", "green", "open"))]
        shown = {seat.zone for seat in self.drawing.seats}
        zones = [Text.assemble((f"{code} {names[code]}", "bold"),
                               f" {sell_through.percent(sums)}%")
                 for code, sums in sorted(by_zone.items()) if code in shown]
        # and each section drawn here (a zone is a price level; a section a place)
        drawn = {seat.section for seat in self.drawing.seats}
        sections = ([Text.assemble(("section ", "dim"), (code, "bold"),
                                   f" {sell_through.percent(by_section[code])}%")
                     for code in sorted(drawn) if code in by_section]
                    if len(drawn) > 1 or self.seatmap.overview is not None else [])
        return marks + zones + sections

    def _show_heading(self) -> None:
        heading = self.heading(self.drawing.title)
        if self.paint is not None:
            kind, what = self.paint
            heading.append(f"  PAINTING {kind.upper()} {what if kind == 'hold' else ''}"
                           "(space, r; Esc stops)", style="bold reverse magenta")
        self.query_one("#heading", Static).update(heading)

    def refresh_sale(self) -> None:
        super().refresh_sale()
        app = self.box_office
        states = seat_plan.plan_states(app.db, self.performance.id, app.clock(),
                                       self.seat_index, app.sale.cart_id)
        seat_map = self.query_one(SeatMapWidget)
        if seat_map.heat:
            for seat_id in sell_through.comp_seats(app.db, self.performance.id):
                key = self.seat_index.keys.get(seat_id)
                if key is not None:
                    states[key] = ("comp", None)
        seat_map.set_states(states)

    def action_heat(self) -> None:
        """Sell-through at a glance: the seats by state, and the zones' percentages."""
        seat_map = self.query_one(SeatMapWidget)
        seat_map.set_heat(not seat_map.heat)
        self.refresh_sale()
        self.query_one("#legend", Pieces).set_pieces(self._legend())
        self.say("Heat: seats by state, each zone's sell-through below; v again for zones."
                 if seat_map.heat else "Seats by zone again.")

    def after_cart_change(self, view: CartView) -> None:
        self.refresh_sale()

    def focus_map(self) -> None:
        self.query_one(SeatMapWidget).focus()

    def show_seat(self, line: CartLine | None) -> None:
        if line is not None and line.row is not None and line.number is not None:
            self.query_one(SeatMapWidget).select_seat(line.section, line.row, line.number)

    def _describe_cursor(self, cursor: int) -> None:
        seat = self.drawing.seats[cursor] if self.drawing.seats else None
        if seat is None:
            return
        text = describe_seat(seat, self.seatmap)
        state = self.query_one(SeatMapWidget).states.get(seat.key)
        if state is not None:
            word = STATE_WORDS.get(state[0], state[0])
            text.append(f"  {word.upper()}{' ' + state[1] if state[1] else ''}",
                        style="bold")
        if self.range_start is not None:
            text.append(f"  range from {self.range_start.row}-{self.range_start.number}: r again",
                        style="bold yellow")
        # one line of fixed height: no need to lay the screen out again
        self.say(text)

    # -- seats ----------------------------------------------------------------------

    def _cart_line_for(self, key: seat_plan.SeatKey) -> CartLine | None:
        view = self.cart_view()
        seat_id = self.seat_ids.get(key)
        return next((line for line in view.lines if line.seat_id == seat_id), None) \
            if view else None

    def action_toggle_seat(self) -> None:
        seat = self.query_one(SeatMapWidget).seat
        if seat is None:
            return
        if self.paint is not None:
            self._paint([seat])
            return
        app = self.box_office
        state = self.query_one(SeatMapWidget).states.get(seat.key)
        if state is not None and state[0] == "mine":
            line = self._cart_line_for(seat.key)
            if line is not None and app.sale.cart_id is not None:
                cart_id = app.sale.cart_id
                self.attempt(lambda: carts.remove_item(app.db, app.seller, cart_id,
                                                       line.item_id, app.clock()),
                             done=f"{seat.row}-{seat.number} taken out of the cart.")
            return
        self._add([seat], from_hold=state[1] if state and state[0] == "held" else None)

    def _add(self, seats: list[Seat], *, from_hold: str | None = None) -> None:
        app = self.box_office
        ids = [self.seat_ids[seat.key] for seat in seats if seat.key in self.seat_ids]
        price_type = self.default_price_type(seats[0].zone)

        def add() -> CartView:
            cart_id = self.ensure_cart()
            return carts.add_seats(app.db, app.seller, cart_id, self.performance.id, ids,
                                   price_type, app.clock(), self.hold_time,
                                   from_hold=from_hold)

        names = (f"{seats[0].row}-{seats[0].number}" if len(seats) == 1
                 else f"{len(seats)} seats")
        self.attempt(add, done=f"{names} in the cart ({price_type}).")

    def action_range(self) -> None:
        seat = self.query_one(SeatMapWidget).seat
        if seat is None:
            return
        start = self.range_start
        if start is None or (start.section, start.row) != (seat.section, seat.row):
            self.range_start = seat
            self._describe_cursor(self.query_one(SeatMapWidget).cursor)
            return
        low, high = sorted((start.x, seat.x))
        chosen = [s for s in self.drawing.seats if (s.section, s.row) == (seat.section, seat.row)
                  and low <= s.x <= high]
        self.range_start = None
        if self.paint is not None:
            self._paint(chosen)
            return
        states = self.query_one(SeatMapWidget).states
        free = [s for s in chosen if s.key not in states]
        if not free:
            self.say("No seat in that range is available.", error=True)
            return
        self._add(free)

    def action_goto_row(self) -> None:
        row_input = self.query_one("#row-input", Input)
        row_input.value = ""
        row_input.display = True
        row_input.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        label = event.value.strip()
        self._close_row_input()
        if label and not self.query_one(SeatMapWidget).jump_to_row(label):
            self.say(f"There is no row '{label}' here.", error=True)

    def _close_row_input(self) -> None:
        self.query_one("#row-input", Input).display = False
        self.focus_map()

    # -- holds and kills --------------------------------------------------------------

    def action_hold(self) -> None:
        codes = seat_plan.hold_code_names(self.box_office.db)
        if not codes:
            self.say("There are no hold codes yet (an admin sets them up).", error=True)
            return
        self.app.push_screen(Choose("Paint which hold?", [(c, f"{c}  {n}") for c, n in codes]),
                             lambda code: self._start_paint("hold", code))

    def action_kill(self) -> None:
        self.app.push_screen(AskText("Why are these seats killed (off sale)?",
                                     placeholder="e.g. camera position"),
                             lambda reason: self._start_paint("kill", reason))

    def _start_paint(self, kind: str, what: str | None) -> None:
        if what:
            self.paint = (kind, what)
            self._show_heading()
            self.refresh_bindings()

    def _paint(self, seats: list[Seat]) -> None:
        """Toggle: available seats get the hold (or kill); held/killed ones are released."""
        assert self.paint is not None
        kind, what = self.paint
        app = self.box_office
        states = self.query_one(SeatMapWidget).states
        ids = [self.seat_ids[s.key] for s in seats if s.key in self.seat_ids]
        painted = [self.seat_ids[s.key] for s in seats
                   if states.get(s.key, ("", None))[0] in ("held", "killed")]
        now = app.clock()
        if painted and len(painted) == len(ids):
            self.attempt(lambda: inventory.release_seats(app.db, app.seller,
                                                         self.performance.id, ids, now),
                         done=f"Released {len(ids)} seat(s) to sale.")
        elif kind == "hold":
            self.attempt(lambda: inventory.hold_seats(app.db, app.seller, self.performance.id,
                                                      ids, what, now),
                         done=f"Held {len(ids)} seat(s) as {what}.")
        else:
            self.attempt(lambda: inventory.kill_seats(app.db, app.seller, self.performance.id,
                                                      ids, what, now),
                         done=f"Killed {len(ids)} seat(s).")

    # -- leaving ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "goto_row":
            return not self.query_one("#row-input", Input).display
        if action in ("hold", "kill") and self.paint is not None:
            return False
        return super().check_action(action, parameters)

    def action_back(self) -> None:
        if self.query_one("#row-input", Input).display:
            self._close_row_input()
        elif self.range_start is not None:
            self.range_start = None
            self.say("Range cancelled.")
        elif self.paint is not None:
            self.paint = None
            self._show_heading()
            self.refresh_bindings()
            self.say("Stopped painting.")
        else:
            self.dismiss()
