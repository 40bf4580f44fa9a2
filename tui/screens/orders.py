"""Order lookup: one line takes whatever the customer brings (an order number, a name, a
phone number, an email, a ticket serial, or the ticket itself from a handheld scanner,
which types the code and Enter). The matches are listed; Enter opens one. A single match
opens at once, so a scanned ticket goes straight to its order."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input, Static

from core.errors import BoxOfficeError
from core.money import format_cents
from core.sales import lookup
from core.sales.lookup import OrderMatch
from tui.format import local_time
from tui.screens.base import REFRESH_SECONDS, BoxOfficeScreen
from tui.screens.order_text import flags_text, status_text


class QueryInput(Input):
    """The lookup line. It keeps the keys (a scanner may type at any moment); Up/Down move
    in the results below it."""

    BINDINGS = [
        Binding("down", "move(1)", "Next", show=False, id="orders.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="orders.previous"),
    ]

    def action_move(self, rows: int) -> None:
        table = self.screen.query_one("#results", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + rows)))


class OrderLookupScreen(BoxOfficeScreen[None]):
    CSS_PATH = "orders.tcss"
    AUTO_FOCUS = "#query"
    BINDINGS = [
        Binding("escape", "back", "Back", id="orders.back"),
        Binding("ctrl+o", "new_search", "New search", show=False, id="orders.new_search"),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial = query
        self.found: list[OrderMatch] = []
        self.last_query = ""

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Order lookup", "bold"),
                                   "  order number, name, phone, email, or scan a ticket"),
                     id="title")
        yield QueryInput(self.initial, id="query",
                         placeholder="Type or scan, then Enter ('pending': card answers "
                                     "waiting)")
        yield Static("", id="message")
        yield DataTable(id="results", cursor_type="row", zebra_stripes=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#results", DataTable)
        table.add_columns("Order", "Sold", "Customer", "Status", "Tickets", "Total")
        if self.initial:
            self.search(self.initial)
        self.set_interval(REFRESH_SECONDS, self._refresh, name="orders-refresh")

    def search(self, query: str, *, open_single: bool = True) -> None:
        """Look the query up and list what it found; one match opens straight away."""
        app = self.box_office
        self.last_query = query
        table = self.query_one("#results", DataTable)
        table.clear()
        self.found = []
        try:
            self.found = lookup.find_orders(app.db, query)
        except BoxOfficeError as error:
            self.say(error.message, "bold red")
            return
        if not query.strip():
            self.say("Type an order number, a name, a phone number or an email, or scan a "
                     "ticket.")
            return
        if not self.found:
            self.say(f"No order matches '{query.strip()[:40]}'.", "bold")
            return
        zone = app.config.zone
        for match in self.found:
            customer = Text(match.customer_name or "-")
            customer.append_text(flags_text(match.customer_flags))
            # goods count like tickets: all of both back reads REFUNDED
            status = status_text(match.status, match.live_tickets + match.kept_items,
                                 match.tickets + match.items)
            held = f"{match.live_tickets}/{match.tickets}" if match.tickets else ""
            if match.items:
                held += f"{' +' if held else ''}{match.kept_items}/{match.items} items"
            table.add_row(match.number, local_time(match.created_at, zone)[4:],
                          customer, status, held, format_cents(match.total_cents),
                          key=str(match.order_id))
        first = self.found[0]
        count = len(self.found)
        self.say(f"{count} orders (by {first.matched}). Up/Down choose, Enter opens."
                 if count > 1 else f"Found by {first.matched}. Enter opens it.")
        if count == 1 and open_single:
            self.open(first)

    def say(self, message: str, style: str = "") -> None:
        self.query_one("#message", Static).update(Text(message, style=style))

    def open(self, match: OrderMatch) -> None:
        from tui.screens.order_detail import OrderDetailScreen

        self.app.push_screen(OrderDetailScreen(match.order_id, note=match.matched,
                                               ticket_id=match.ticket_id))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        table = self.query_one("#results", DataTable)
        if self.found and event.value.strip() == self.last_query.strip() and (
                table.cursor_row < len(self.found)):
            self.open(self.found[table.cursor_row])     # the list shown is what was asked
        else:
            self.search(event.value)
        # the next code from a scanner (or a new name) replaces this one as it is typed
        event.input.action_select_all()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        for match in self.found:
            if str(match.order_id) == event.row_key.value:
                self.open(match)
                return

    def on_screen_resume(self) -> None:
        # an order may have changed on its own screen: list them as they are now
        self._refresh()

    def _refresh(self) -> None:
        """The last search again (other windows refund, pay and pick up), the cursor
        kept where it was."""
        if self.last_query and self.is_current:
            table = self.query_one("#results", DataTable)
            row = table.cursor_row
            self.search(self.last_query, open_single=False)
            if table.row_count:
                table.move_cursor(row=min(row, table.row_count - 1))

    def action_new_search(self) -> None:
        query = self.query_one("#query", Input)
        query.focus()
        query.action_select_all()

    def action_back(self) -> None:
        self.dismiss(None)
