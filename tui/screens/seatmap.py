"""Seat map screens: a hall's whole map, a stadium's overview, and one stadium section."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input, Static

from core import performances, venues
from core.errors import BoxOfficeError
from core.performances import Performance
from core.seatmap import (
    Drawing,
    SeatMap,
    overview_drawing,
    section_drawing,
    venue_drawing,
)
from tui.format import describe_seat, legend, local_time
from tui.screens.base import BoxOfficeScreen
from tui.widgets.overview import OverviewMap
from tui.widgets.seatmap import SeatMap as SeatMapWidget

if TYPE_CHECKING:
    from tui.app import BoxOfficeApp


def open_performance(app: BoxOfficeApp, performance_id: int) -> None:
    """Push the right map screen for a performance, or tell the seller why not."""
    try:
        performance = performances.get_performance(app.db, performance_id)
        seatmap = venues.venue_seatmap(app.db, performance.venue_id)
    except BoxOfficeError as error:
        app.notify(error.message, severity="error", title="Cannot open")
        return
    # A map screen stays installed once built: going back to it is a resume (the cursor
    # where the seller left it), not a rebuild of the whole screen.
    name = f"map-{performance.id}-{seatmap.sha256[:12]}"
    if not app.is_screen_installed(name):
        screen = (OverviewScreen(performance, seatmap) if seatmap.overview is not None
                  else MapScreen(performance, seatmap, venue_drawing(seatmap)))
        app.install_screen(screen, name)
    app.push_screen(name)


def _heading(performance: Performance, app: BoxOfficeApp, where: str) -> Text:
    return Text.assemble((performance.event_name, "bold"), "  ",
                         local_time(performance.starts_at, app.config.zone), "  ",
                         (where, "dim"))


class MapScreen(BoxOfficeScreen[None]):
    """A drawing of seats (a whole hall, or one section) with the cursor's seat below."""

    CSS_PATH = "seatmap.tcss"
    AUTO_FOCUS = "SeatMap"
    BINDINGS = [
        Binding("g", "goto_row", "Go to row", id="seatmap.goto_row"),
        Binding("escape", "back", "Back", id="seatmap.back"),
    ]

    def __init__(self, performance: Performance, seatmap: SeatMap, drawing: Drawing) -> None:
        super().__init__()
        self.performance = performance
        self.seatmap = seatmap
        self.drawing = drawing

    def compose(self) -> ComposeResult:
        yield Static(id="heading")
        yield SeatMapWidget(self.drawing, self.seatmap.zones, id="map")
        yield Input(placeholder="Row label, then Enter (Esc cancels)", id="row-input")
        yield Static(id="info")
        yield Static(id="legend")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#heading", Static).update(
            _heading(self.performance, self.box_office, self.drawing.title))
        self.query_one("#legend", Static).update(legend(self.seatmap, self.drawing.seats))
        self.query_one("#row-input", Input).display = False
        # A watcher runs as the cursor changes, so the seat line is drawn in the same
        # frame as the cursor (a message would land a frame later).
        seat_map = self.query_one(SeatMapWidget)
        self.watch(seat_map, "cursor", self._describe_cursor, init=False)

    def _describe_cursor(self, cursor: int) -> None:
        seat = self.drawing.seats[cursor] if self.drawing.seats else None
        if seat is not None:
            # one line of fixed height: no need to lay the screen out again
            self.query_one("#info", Static).update(describe_seat(seat, self.seatmap),
                                                   layout=False)

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
            self.query_one("#info", Static).update(
                Text(f"There is no row '{label}' here.", style="bold red"))

    def _close_row_input(self) -> None:
        self.query_one("#row-input", Input).display = False
        self.query_one(SeatMapWidget).focus()

    def action_back(self) -> None:
        if self.query_one("#row-input", Input).display:
            self._close_row_input()
        else:
            self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "goto_row":
            return not self.query_one("#row-input", Input).display
        return True


class OverviewScreen(BoxOfficeScreen[None]):
    """A stadium's sections around the field; Enter drills into one."""

    CSS_PATH = "seatmap.tcss"
    AUTO_FOCUS = "OverviewMap"
    BINDINGS = [Binding("escape", "back", "Back", id="overview.back")]

    def __init__(self, performance: Performance, seatmap: SeatMap) -> None:
        super().__init__()
        self.performance = performance
        self.seatmap = seatmap
        self.drawing = overview_drawing(seatmap)
        self._colors = self._hotspot_colors()

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
        yield Static(id="heading")
        yield OverviewMap(self.drawing, self._colors, id="overview")
        yield Static(id="info")
        yield Static(id="legend")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#heading", Static).update(
            _heading(self.performance, self.box_office, f"{self.seatmap.name} - sections"))
        self.query_one("#legend", Static).update(legend(self.seatmap))

    def on_overview_map_hotspot_highlighted(self, event: OverviewMap.HotspotHighlighted
                                            ) -> None:
        self.query_one("#info", Static).update(self._describe(event.hotspot.code),
                                               layout=False)

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
            return text
        zones = sorted({seat.zone for seat in section.seats})
        text.append(f"Section {section.name} ({section.code})", style="bold")
        text.append(f"  {section.seat_count:,} seats in {len(section.rows)} rows  ")
        for code_ in zones:
            zone = self.seatmap.zones[code_]
            text.append(f"Zone {zone.code} {zone.name} ", style=zone.color)
        text.append("  Enter opens it", style="dim")
        return text

    def on_overview_map_hotspot_chosen(self, event: OverviewMap.HotspotChosen) -> None:
        code = event.hotspot.code
        if any(section.code == code for section in self.seatmap.sections):
            self.app.push_screen(
                MapScreen(self.performance, self.seatmap, section_drawing(self.seatmap, code)))
        else:
            area = self.seatmap.area(code)
            self.app.notify(f"{area.name} is general admission ({area.capacity:,} "
                            "standing): it is sold by quantity, not by seat.",
                            title=area.name)

    def action_back(self) -> None:
        self.dismiss()
