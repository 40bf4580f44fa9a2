"""Counting stock, and one item's moves.

The count is blind: the counter types what is on the shelf for each item and sees no
expected figure until the count is recorded; then the screen shows, from core's
StockCount, what was expected, what was counted and the variance (counted - expected,
negative is missing) with its value at average cost. A blank is an item not counted
(its stock stays as it is).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Input, Label, Static

from core.concessions import stock
from core.concessions.stock import Item, StockCount
from core.errors import BoxOfficeError
from core.money import format_cents
from tui.format import local_time
from tui.screens.base import BoxOfficeScreen
from tui.screens.dialogs import Confirm
from tui.screens.stock_forms import whole


class CountScreen(BoxOfficeScreen[StockCount | None]):
    CSS_PATH = "stock.tcss"
    BINDINGS = [
        Binding("ctrl+s", "record", "Record count", id="stock_count.record"),
        Binding("escape", "back", "Back", id="stock_count.back"),
    ]

    def __init__(self, items: list[Item]) -> None:
        super().__init__()
        self.items = items
        self.result: StockCount | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Stock count", "bold"), "  what is on the shelf, item "
                                   "by item; blank: not counted"), id="heading")
        with VerticalScroll(id="count-sheet"):
            for index, item in enumerate(self.items):
                with Horizontal(classes="count-row"):
                    yield Label(f"{item.sku:<10} {item.name[:30]} ({item.unit})",
                                classes="count-label")
                    yield Input(id=f"count-{index}", max_length=7,
                                placeholder="how many")
        yield DataTable(id="count-result", cursor_type="row", zebra_stripes=False)
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#count-result").display = False
        self.say("Enter moves down; Enter on the last (or Ctrl+S) records the count. "
                 "Expected figures show after.", style="")
        if self.items:
            self.query_one("#count-0", Input).focus()

    def say(self, message: str, *, style: str = "bold") -> None:
        self.query_one("#info", Static).update(Text(message, style=style))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "record":
            return self.result is None
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        index = int((event.input.id or "count-0").rsplit("-", 1)[1])
        if index < len(self.items) - 1:
            self.query_one(f"#count-{index + 1}", Input).focus()
        else:
            self.action_record()

    def counts(self) -> dict[str, int] | None:
        """What was typed, by SKU; None (after saying which and why) when one is wrong."""
        counts: dict[str, int] = {}
        for index, item in enumerate(self.items):
            field = self.query_one(f"#count-{index}", Input)
            if not field.value.strip():
                continue
            try:
                counts[item.sku] = whole(field.value, f"{item.sku} {item.name}")
            except BoxOfficeError as error:
                self.say(f"{error.message}. Nothing is recorded yet.", style="bold red")
                field.focus()
                return None
        return counts

    def action_record(self) -> None:
        counts = self.counts()
        if counts is None:
            return
        if not counts:
            self.say("Nothing counted yet: type how many of at least one item.",
                     style="bold red")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._record(counts)

        left = len(self.items) - len(counts)
        self.app.push_screen(Confirm(
            f"Record the count of {len(counts)} item(s)?"
            + (f" {left} not counted keep their stock." if left else "")
            + " Stock becomes what was counted."), answered)

    def _record(self, counts: dict[str, int]) -> None:
        app = self.box_office
        try:
            self.result = stock.record_count(app.db, app.seller, counts, app.clock())
        except BoxOfficeError as error:
            self.say(f"Not recorded: {error.message}", style="bold red")
            app.show_error(error)
            return
        self._show_result(self.result)

    def _show_result(self, result: StockCount) -> None:
        self.query_one("#count-sheet").display = False
        table = self.query_one("#count-result", DataTable)
        table.display = True
        for label in ("SKU", "Item", "Expected", "Counted", "Variance", "Value"):
            table.add_column(label, key=label.lower())
        for line in result.lines:
            style = "bold" if line.variance else ""
            table.add_row(line.sku, line.name[:24], Text(str(line.expected), justify="right"),
                          Text(str(line.counted), justify="right"),
                          Text(f"{line.variance:+d}" if line.variance else "0", style=style,
                               justify="right"),
                          Text(format_cents(line.variance_cents), justify="right"))
        table.focus()
        when = local_time(result.at, self.box_office.config.zone)
        self.query_one("#heading", Static).update(Text.assemble(
            ("Stock count ", "bold"), (str(result.id), "bold"),
            f"  recorded {when} by {result.username}"))
        missing = sum(1 for line in result.lines if line.variance)
        self.say(f"Variance at cost: {format_cents(result.variance_cents)} "
                 f"({missing} item(s) off). Stock now equals the count. Esc: back.")
        self.refresh_bindings()

    def action_back(self) -> None:
        self.dismiss(self.result)


class MovesScreen(BoxOfficeScreen[None]):
    """One item's stock moves, newest first: what changed its stock, by whom, and why."""

    CSS_PATH = "stock.tcss"
    AUTO_FOCUS = "#moves"
    BINDINGS = [Binding("escape", "back", "Back", id="stock_moves.back")]

    def __init__(self, item: Item) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        item = self.item
        yield Static(Text.assemble(("Moves ", "bold"), (item.sku, "bold"),
                                   f"  {item.name}: {item.on_hand} on hand, newest first"),
                     id="heading")
        yield DataTable(id="moves", cursor_type="row", zebra_stripes=False)
        yield Footer()

    def on_mount(self) -> None:
        app = self.box_office
        table = self.query_one("#moves", DataTable)
        table.add_columns("When", "Kind", "Qty", "After", "Cost", "By", "Reason")
        zone = app.config.zone
        for move in stock.moves(app.db, self.item.sku):
            by = move.username + (f" ok {move.approved_by}"
                                  if move.approved_by and move.approved_by != move.username
                                  else "")
            table.add_row(move.at.astimezone(zone).strftime("%d %b %H:%M"), move.kind,
                          Text(f"{move.quantity:+d}", justify="right"),
                          Text(str(move.on_hand_after), justify="right"),
                          format_cents(move.unit_cost_cents)
                          if move.unit_cost_cents is not None else "",
                          by, move.reason or "")
        if not table.row_count:
            table.add_row("", "no moves yet", "", "", "", "", "")

    def action_back(self) -> None:
        self.dismiss()
