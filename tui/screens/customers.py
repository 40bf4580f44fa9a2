"""Finding or creating the customer of a sale without leaving it (or, from the palette,
finding a customer to open their details and orders).

`CustomerPicker` searches as the seller types (name, phone digits in any shape, email) and
returns the highlighted customer on Enter; Ctrl+N opens `CustomerForm` to create one,
which the picker then returns. Esc returns None. A banned customer is shown so that it
cannot be missed, and choosing one asks for a confirmation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from core.sales import customers, lookup
from core.sales.customers import Customer
from tui.screens.customer_form import CustomerForm
from tui.screens.dialogs import Confirm
from tui.screens.order_text import flags_text

if TYPE_CHECKING:
    from tui.app import BoxOfficeApp

RESULTS = 30


class CustomerQuery(Input):
    """The search line. Up/Down move in the results while the line keeps the keys."""

    BINDINGS = [
        Binding("down", "move(1)", "Next", show=False, id="customers.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="customers.previous"),
    ]

    def action_move(self, rows: int) -> None:
        table = self.screen.query_one("#customers", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + rows)))


class CustomerPicker(ModalScreen[Customer | None]):
    CSS_PATH = "customers.tcss"
    AUTO_FOCUS = "#customer-query"
    BINDINGS = [
        Binding("escape", "cancel", "No customer", id="customers.cancel"),
        Binding("ctrl+n", "create", "New customer", id="customers.new"),
    ]

    def __init__(self, query: str = "", *, browse: bool = False) -> None:
        """`browse`: Enter opens the customer's details and orders instead of returning
        the customer for a sale (the palette's "Customers")."""
        super().__init__()
        self.initial = query
        self.browse = browse
        self.found: list[Customer] = []

    @property
    def box_office(self) -> BoxOfficeApp:
        return cast("BoxOfficeApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="customer-box"):
            yield Static(Text.assemble(("Customer", "bold"),
                                       ": type a name, phone digits or an email"))
            yield CustomerQuery(self.initial, placeholder="Name, phone or email",
                                id="customer-query")
            yield DataTable(id="customers", cursor_type="row", zebra_stripes=False)
            yield Static("", id="customer-info")
            yield Static("Enter: details and orders   Ctrl+N: new customer   Esc: close"
                         if self.browse else
                         "Enter: choose   Ctrl+N: new customer   Esc: no customer",
                         id="customer-hint")

    def on_mount(self) -> None:
        table = self.query_one("#customers", DataTable)
        table.add_columns("Name", "Phone", "Email", "Flags", "Orders")
        self.search(self.initial)

    def search(self, query: str) -> None:
        db = self.box_office.db
        self.found = customers.search_customers(db, query, limit=RESULTS)
        counts = lookup.order_counts(db, [c.id for c in self.found])
        table = self.query_one("#customers", DataTable)
        table.clear()
        for customer in self.found:
            table.add_row(customer.name[:24], customer.phone, customer.email[:22],
                          flags_text(customer.flags), str(counts.get(customer.id, 0)),
                          key=str(customer.id))
        self._describe()

    def highlighted(self) -> Customer | None:
        table = self.query_one("#customers", DataTable)
        if not self.found or table.cursor_row >= len(self.found):
            return None
        return self.found[table.cursor_row]

    def _describe(self) -> None:
        info = self.query_one("#customer-info", Static)
        query = self.query_one("#customer-query", Input).value.strip()
        customer = self.highlighted()
        if customer is None:
            info.update(Text(f"No customer matches '{query[:30]}'. Ctrl+N creates one."
                             if query else "Start typing to search.", style="bold"
                             if query else "dim"))
        elif "banned" in customer.flags:
            info.update(Text(f" {customer.name} is BANNED: ask a supervisor before selling. ",
                             style="bold reverse red"))
        else:
            text = Text(f"{len(self.found)} found. ")
            text.append_text(flags_text(customer.flags))
            info.update(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.search(event.value)

    def on_screen_resume(self) -> None:
        # back from a customer's screen: their name or flags may have changed
        self.search(self.query_one("#customer-query", Input).value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.choose()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._describe()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.choose()

    def choose(self) -> None:
        customer = self.highlighted()
        if customer is None:
            self._describe()
            return
        if self.browse:
            self._open(customer)
            return
        if "banned" not in customer.flags:
            self.dismiss(customer)
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.dismiss(customer)

        self.app.push_screen(Confirm(f"{customer.name} is BANNED. Put them on this sale "
                                     "anyway?"), confirmed)

    def _open(self, customer: Customer) -> None:
        self.box_office.show_customer(customer.id)

    def action_create(self) -> None:
        def created(customer: Customer | None) -> None:
            if customer is not None and self.browse:
                self._open(customer)
            elif customer is not None:
                self.dismiss(customer)

        self.app.push_screen(CustomerForm(self.query_one("#customer-query", Input).value),
                             created)

    def action_cancel(self) -> None:
        self.dismiss(None)


