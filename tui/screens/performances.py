"""The performance picker: today's and upcoming performances, soonest first. Typing
filters by event, venue or date ("fig", "sat", "21 nov", "2026-11-21"); the arrows move in
the list while the filter keeps the keys; Enter opens the performance to sell. F5 sells
items on their own (concessions, merchandise); a line under the list names the items
that are low on stock."""

from __future__ import annotations

from datetime import datetime, time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input, Static

from core.concessions import stock
from core.sales import groups
from core.venue import performances
from core.venue.performances import Performance
from tui.format import local_time
from tui.screens.base import REFRESH_SECONDS, BoxOfficeScreen
from tui.widgets.items import low_stock_line


class PerformanceTable(DataTable):  # type: ignore[type-arg]
    """The list of performances. Enter is the table's own binding, handled in order with
    the arrow keys before it (a screen-level priority binding ran ahead of them, and a
    quick "down down enter" opened the wrong performance)."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Sell", id="performances.open"),
    ]


class FilterInput(Input):
    """The type-to-filter line. Up/Down/Enter act on the list below it."""

    BINDINGS = [
        Binding("down", "move(1)", "Next", show=False, id="performances.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="performances.previous"),
        Binding("pagedown", "move(10)", "Page down", show=False, id="performances.page_down"),
        Binding("pageup", "move(-10)", "Page up", show=False, id="performances.page_up"),
    ]

    def action_move(self, rows: int) -> None:
        table = self.screen.query_one(PerformanceTable)
        table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + rows)))


def searchable(performance: Performance, moment: datetime) -> str:
    """What a filter is matched against: names, and the date written several ways."""
    return " ".join((performance.event_name, performance.venue_name,
                     moment.strftime("%a %A %d %b %B %Y %Y-%m-%d %H:%M"),
                     moment.strftime("%-d %b %-d %B"))).lower()


class PerformancesScreen(BoxOfficeScreen[None]):
    CSS_PATH = "performances.tcss"
    AUTO_FOCUS = "#filter"
    # a function key: the filter line keeps the letters
    BINDINGS = [Binding("f5", "items", "Items", id="performances.items")]

    def __init__(self) -> None:
        super().__init__()
        self.performances: list[Performance] = []
        self.shown: list[Performance] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="title")
        yield FilterInput(placeholder="Type to filter: event, venue or date. Enter sells.",
                          id="filter")
        yield PerformanceTable(id="performances", cursor_type="row", zebra_stripes=False)
        yield Static("", id="low-stock")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload()
        # other windows and admins add, move and cancel performances: read the list again
        # every 30 s (and on each return to it, below); the clock in the title with it
        self.set_interval(REFRESH_SECONDS, self.reload, name="performances-refresh")

    def reload(self) -> None:
        """Read the performances again and redraw when they changed, keeping the filter
        and the highlighted performance."""
        box_office = self.box_office
        zone = box_office.config.zone
        now = box_office.clock()
        start_of_today = datetime.combine(now.astimezone(zone).date(), time(0), zone)
        title = Text.assemble(("Box office", "bold"), "  Performances today and upcoming  ",
                              (local_time(now, zone), "dim"))
        if box_office.training:
            title.append("  TRAINING", style="bold reverse")
        self.query_one("#title", Static).update(title)
        fresh = performances.list_performances(box_office.db, since=start_of_today)
        if fresh == self.performances and self.query_one("#performances", DataTable).row_count:
            return
        table = self.query_one("#performances", DataTable)
        highlighted = (self.shown[table.cursor_row].id
                       if self.shown and 0 <= table.cursor_row < len(self.shown) else None)
        self.performances = fresh
        self._fill(self.query_one("#filter", Input).value)
        ids = [p.id for p in self.shown]
        if highlighted in ids:
            table.move_cursor(row=ids.index(highlighted))

    def _fill(self, text: str) -> None:
        zone = self.box_office.config.zone
        words = text.lower().split()
        self.shown = [p for p in self.performances
                      if all(w in searchable(p, p.starts_at.astimezone(zone)) for w in words)]
        table = self.query_one("#performances", DataTable)
        # the columns too: a column keeps the widest text it ever held, so the long
        # "Nothing matches" line pushed Note off the edge after the filter was cleared
        table.clear(columns=True)
        table.add_columns("When", "Event", "Venue", "Note")
        for performance in self.shown:
            table.add_row(local_time(performance.starts_at, zone), performance.event_name,
                          performance.venue_name,
                          "CANCELLED" if performance.status == "cancelled" else "",
                          key=str(performance.id))
        if not self.performances:
            table.add_row("", "No performances from today on. Try: boxoffice demo", "", "")
        elif not self.shown:
            table.add_row("", f"Nothing matches '{text}'. Backspace widens it.", "", "")

    def on_screen_resume(self) -> None:
        self.reload()
        # stock changes with every sale: say what is low each time the list comes back;
        # whoever runs group sales also sees the group balances past their due date
        app = self.box_office
        low = low_stock_line(stock.low_stock(app.db))
        if app.may("group_sales"):
            today = app.clock().astimezone(app.config.zone).date()
            late = groups.overdue_groups(app.db, today)
            if late:
                if low.plain:
                    low.append("   ")
                low.append(f"{len(late)} group balance(s) past due (F7)", style="bold")
        widget = self.query_one("#low-stock", Static)
        widget.update(low)
        widget.display = bool(low.plain)

    def action_items(self) -> None:
        """A sale of items on their own, in the window's sale."""
        from tui.screens.goods_sale import open_concessions

        open_concessions(self.box_office)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        table = self.query_one(PerformanceTable)
        if self.shown and table.row_count:
            self._open(self.shown[table.cursor_row].id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.shown and event.row_key.value is not None:
            self._open(int(event.row_key.value))

    def _open(self, performance_id: int) -> None:
        from tui.screens.overview import open_performance

        open_performance(self.box_office, performance_id)
