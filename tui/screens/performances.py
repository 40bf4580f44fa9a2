"""The first screen: what is on, today and upcoming. Enter opens a performance's map."""

from __future__ import annotations

from datetime import datetime, time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from core import demo, performances
from core.performances import Performance
from tui.format import local_time
from tui.screens.base import BoxOfficeScreen


class PerformanceTable(DataTable):  # type: ignore[type-arg]
    """The list of performances. Enter is the table's own binding, handled in order with
    the arrow keys before it (a screen-level priority binding ran ahead of them, and a
    quick "down down enter" opened the wrong performance)."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Open map", id="performances.open"),
    ]


class PerformancesScreen(BoxOfficeScreen[None]):
    CSS_PATH = "performances.tcss"
    AUTO_FOCUS = "#performances"

    def __init__(self) -> None:
        super().__init__()
        self.performances: list[Performance] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="title")
        yield PerformanceTable(id="performances", cursor_type="row", zebra_stripes=False)
        yield Static("", id="demo-users")
        yield Footer()

    def on_mount(self) -> None:
        box_office = self.box_office
        zone = box_office.config.zone
        now = box_office.clock()
        start_of_today = datetime.combine(now.astimezone(zone).date(), time(0), zone)
        self.performances = performances.list_performances(box_office.db, since=start_of_today)
        self.query_one("#title", Static).update(
            Text.assemble(("Box office", "bold"), "  Performances today and upcoming  ",
                          (local_time(now, zone), "dim")))
        table = self.query_one("#performances", DataTable)
        table.add_columns("When", "Event", "Venue", "Note")
        for performance in self.performances:
            table.add_row(local_time(performance.starts_at, zone), performance.event_name,
                          performance.venue_name,
                          "CANCELLED" if performance.status == "cancelled" else "",
                          key=str(performance.id))
        if not self.performances:
            table.add_row("", "No performances from today on. Try: boxoffice demo", "", "")
        self._show_demo_users()

    def _show_demo_users(self) -> None:
        users = demo.demo_users(self.box_office.db)
        panel = self.query_one("#demo-users", Static)
        if not users:
            panel.display = False
            return
        text = Text("Demo users (this is the demo database):  ", style="bold")
        for user in users:
            text.append(f"{user.username}", style="bold")
            text.append(f" {user.role} PIN {user.pin}   ")
        panel.update(text)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.performances:
            self._open(event.row_key.value)

    def _open(self, key: str | None) -> None:
        if key is None:
            return
        from tui.screens.seatmap import open_performance

        open_performance(self.box_office, int(key))
