"""Finding or creating the customer of a sale without leaving it.

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
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, DataTable, Input, Static

from core.errors import BoxOfficeError
from core.sales import customers, lookup
from core.sales.customers import Customer
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

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial = query
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
            yield Static("Enter: choose   Ctrl+N: new customer   Esc: no customer",
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
        if "banned" not in customer.flags:
            self.dismiss(customer)
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.dismiss(customer)

        self.app.push_screen(Confirm(f"{customer.name} is BANNED. Put them on this sale "
                                     "anyway?"), confirmed)

    def action_create(self) -> None:
        def created(customer: Customer | None) -> None:
            if customer is not None:
                self.dismiss(customer)

        self.app.push_screen(CustomerForm(self.query_one("#customer-query", Input).value),
                             created)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CustomerForm(ModalScreen[Customer | None]):
    """A new customer: name, phone, email and flags. Enter in a line or Ctrl+S saves;
    what core refuses is said under the form, and nothing is written."""

    CSS_PATH = "customers.tcss"
    AUTO_FOCUS = "#new-name"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="customer_form.save"),
        Binding("escape", "cancel", "Cancel", id="customer_form.cancel"),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        # what was typed in the search is probably the name, or the phone number
        text = query.strip()
        digits = sum(char.isdigit() for char in text)
        self.name_value = "" if digits > len(text) / 2 or "@" in text else text
        self.phone_value = text if digits > len(text) / 2 else ""
        self.email_value = text if "@" in text else ""

    @property
    def box_office(self) -> BoxOfficeApp:
        return cast("BoxOfficeApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="customer-form"):
            yield Static(Text("New customer", style="bold"))
            for label, value, field in (("Name", self.name_value, "new-name"),
                                        ("Phone", self.phone_value, "new-phone"),
                                        ("Email", self.email_value, "new-email")):
                with Horizontal(classes="field"):
                    yield Static(label, classes="label")
                    yield Input(value, placeholder="needed" if label == "Name" else "",
                                id=field)
            with Horizontal(id="new-flags"):
                yield Checkbox("Accessibility", id="flag-accessibility")
                yield Checkbox("VIP", id="flag-vip")
                yield Checkbox("Banned", id="flag-banned")
            yield Static("", id="form-error")
            yield Static("Tab: next   Space: tick a flag   Enter or Ctrl+S: save   Esc: cancel",
                         id="form-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        app = self.box_office
        flags = [flag for flag in customers.FLAGS
                 if self.query_one(f"#flag-{flag}", Checkbox).value]
        try:
            customer = customers.create_customer(
                app.db, app.seller, self.query_one("#new-name", Input).value,
                phone=self.query_one("#new-phone", Input).value,
                email=self.query_one("#new-email", Input).value, flags=flags,
                now=app.clock())
        except BoxOfficeError as error:
            message = error.message[0].upper() + error.message[1:]
            self.query_one("#form-error", Static).update(Text(message, style="bold red"))
            field = {"bad_name": "#new-name", "bad_phone": "#new-phone",
                     "bad_email": "#new-email"}.get(error.code)
            if field:
                self.query_one(field, Input).focus()
            return
        self.dismiss(customer)

    def action_cancel(self) -> None:
        self.dismiss(None)
