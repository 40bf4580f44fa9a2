"""Likely duplicate customers, side by side, and the merge (the command palette:
"Customers: likely duplicates").

Each line is a pair that shares an email, a phone or a name that reads the same; the
older record is on the left and is the one kept. `m` merges the right one into the left
(after a yes); `s` keeps the right one instead. Needs `customer_edit`; core moves the
orders, groups, consignment batches and cases, and journals the merge."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from core.sales.customer_merge import Duplicate, find_duplicates, merge_customers
from core.sales.customers import Customer
from tui.screens.admin_base import AdminSectionScreen
from tui.screens.dialogs import Confirm


def _who(customer: Customer) -> str:
    return f"#{customer.id} {customer.name[:18]}"


def _contact(customer: Customer) -> str:
    return " ".join(part for part in (customer.phone, customer.email[:24]) if part)


class DuplicatesScreen(AdminSectionScreen):
    AUTO_FOCUS = "#pairs"
    BINDINGS = [
        Binding("m", "merge(False)", "Merge into left", id="duplicates.merge"),
        Binding("s", "merge(True)", "Keep right", id="duplicates.swap"),
        Binding("escape", "back", "Back", id="duplicates.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[Duplicate] = []

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Likely duplicates", "bold"),
                                   "  the left (older) one is kept"), id="heading")
        yield DataTable(id="pairs", cursor_type="row", zebra_stripes=True)
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#pairs", DataTable).add_columns(
            "Keep", "Contact", "Merge", "Contact", "Why")
        if self.may("customer_edit"):
            self.load()

    def load(self) -> None:
        app = self.box_office
        table = self.query_one("#pairs", DataTable)
        row = table.cursor_row
        table.clear()
        self.pairs = find_duplicates(app.db, app.seller)
        for pair in self.pairs:
            table.add_row(_who(pair.first), _contact(pair.first), _who(pair.second),
                          _contact(pair.second), ", ".join(pair.reasons))
        if self.pairs:
            table.move_cursor(row=min(max(row, 0), len(self.pairs) - 1))
            self.say(f"{len(self.pairs)} likely duplicate(s). m merges the right one into "
                     "the left; s keeps the right one instead.")
        else:
            self.say("No likely duplicates.")
        self.refresh_bindings()

    @property
    def selected(self) -> Duplicate | None:
        row = self.query_one("#pairs", DataTable).cursor_row
        return self.pairs[row] if self.pairs and 0 <= row < len(self.pairs) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "merge":
            return self.selected is not None
        return True

    def action_merge(self, swap: bool) -> None:
        pair = self.selected
        if pair is None or not self.may("customer_edit"):
            return
        keep, other = (pair.second, pair.first) if swap else (pair.first, pair.second)

        def answered(yes: bool | None) -> None:
            if not yes:
                self.say("Nothing merged.")
                return
            app = self.box_office
            if self.attempt(lambda: merge_customers(app.db, app.seller, keep.id, other.id,
                                                    now=app.clock()), ""):
                self.load()
                self.say(f"Customer {other.id} merged into {keep.id} ({keep.name}). "
                         + (f"{len(self.pairs)} likely duplicate(s) left."
                            if self.pairs else "No likely duplicates left."))

        self.app.push_screen(Confirm(
            f"Merge customer {other.id} ({other.name}, {_contact(other) or 'no contact'}) "
            f"into {keep.id} ({keep.name})? Its orders, groups and cases move to "
            f"{keep.id}; it will not be found any more."), answered)

    def action_back(self) -> None:
        self.dismiss()
