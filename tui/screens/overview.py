"""A stadium's sell screen: its sections around the field, each in its main price zone,
with how many seats are left. Enter drills into a section's map to pick seats, or sells a
general-admission area by quantity; `b` finds the best seats in the whole stadium."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from core.errors import BoxOfficeError
from core.seatmap import SeatMap, overview_drawing, section_drawing, venue_drawing
from core.venue import performances, seat_plan, venues
from core.venue.performances import Performance
from tui.format import legend
from tui.screens.sale import SaleScreen
from tui.screens.sell import SellScreen
from tui.widgets.cart import CartPanel
from tui.widgets.keyline import KeyLine
from tui.widgets.overview import OverviewMap
from tui.widgets.pieces import Pieces

if TYPE_CHECKING:
    from tui.app import BoxOfficeApp


class SellOverviewScreen(SaleScreen):
    CSS_PATH = "sell.tcss"
    AUTO_FOCUS = "OverviewMap"
    BINDINGS = [Binding("escape", "back", "Back", id="overview.back")]

    def __init__(self, performance: Performance, seatmap: SeatMap) -> None:
        super().__init__(performance, seatmap)
        self.drawing = overview_drawing(seatmap)
        self._colors = self._hotspot_colors()
        self._taken: dict[str, int] = {}

    def _hotspot_colors(self) -> dict[str, str]:
        """Each section in the colour of its most common price zone."""
        colors = {}
        for section in self.seatmap.sections:
            counts: dict[str, int] = {}
            for seat in section.seats:
                counts[seat.zone] = counts.get(seat.zone, 0) + 1
            colors[section.code] = self.seatmap.zones[max(counts, key=counts.__getitem__)].color
        for area in self.seatmap.areas:
            colors[area.code] = self.seatmap.zones[area.zone].color
        return colors

    def compose(self) -> ComposeResult:
        self.fit_width(self.app.size.width)
        yield Static(id="heading")
        with Horizontal(id="body"):
            yield OverviewMap(self.drawing, self._colors, id="map")
            yield CartPanel(id="cart")
        yield Static(id="info")
        yield Pieces(id="legend")
        yield KeyLine()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#heading", Static).update(
            self.heading(f"{self.seatmap.name} - sections"))
        self.query_one("#legend", Pieces).set_pieces(legend(self.seatmap))

    def refresh_sale(self) -> None:
        super().refresh_sale()
        app = self.box_office
        by_section: dict[str, int] = {}
        for (section, _, _), _state in seat_plan.plan_states(
                app.db, self.performance.id, app.clock(), self.seat_index,
                app.sale.cart_id).items():
            by_section[section] = by_section.get(section, 0) + 1
        self._taken = by_section

    def focus_map(self) -> None:
        self.query_one(OverviewMap).focus()

    def on_overview_map_hotspot_highlighted(self, event: OverviewMap.HotspotHighlighted
                                            ) -> None:
        self.say(self._describe(event.hotspot.code))

    def _describe(self, code: str) -> Text:
        text = Text()
        try:
            section = self.seatmap.section(code)
        except KeyError:
            area = self.seatmap.area(code)
            zone = self.seatmap.zones[area.zone]
            text.append(f"{area.name} ({area.code})", style="bold")
            text.append(f"  general admission, {area.capacity:,} standing  ")
            text.append(f"Zone {zone.code} {zone.name}", style=zone.color)
            text.append("  Enter sells places", style="dim")
            return text
        left = section.seat_count - self._taken.get(code, 0)
        text.append(f"Section {section.name} ({section.code})", style="bold")
        text.append(f"  {left:,} of {section.seat_count:,} seats left  ")
        for zone_code in sorted({seat.zone for seat in section.seats}):
            zone = self.seatmap.zones[zone_code]
            text.append(f"Zone {zone.code} {zone.name} ", style=zone.color)
        text.append("  Enter opens it", style="dim")
        return text

    def on_overview_map_hotspot_chosen(self, event: OverviewMap.HotspotChosen) -> None:
        code = event.hotspot.code
        if any(section.code == code for section in self.seatmap.sections):
            self.app.push_screen(SellScreen(self.performance, self.seatmap,
                                            section_drawing(self.seatmap, code)))
        else:
            self.action_general_admission(code)

    def action_back(self) -> None:
        self.dismiss()


def open_performance(app: BoxOfficeApp, performance_id: int) -> None:
    """Push the right sell screen for a performance, or tell the seller why not."""
    try:
        performance = performances.get_performance(app.db, performance_id)
        seatmap = venues.venue_seatmap(app.db, performance.venue_id)
    except BoxOfficeError as error:
        app.show_error(error, title="Cannot open")
        return
    if performance.status == "cancelled":
        app.notify("This performance is cancelled: nothing can be sold for it.",
                   severity="error", title="Cancelled")
        return
    # A screen stays installed once built: going back to it is a resume (the cursor
    # where the seller left it), not a rebuild of the whole map.
    name = f"sell-{performance.id}-{seatmap.sha256[:12]}"
    if not app.is_screen_installed(name):
        screen = (SellOverviewScreen(performance, seatmap) if seatmap.overview is not None
                  else SellScreen(performance, seatmap, venue_drawing(seatmap)))
        app.install_screen(screen, name)
    app.push_screen(name)
