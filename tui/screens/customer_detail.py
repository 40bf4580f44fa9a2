"""One customer, for the counter: details, flags and notes, and every order they have made.

`e` edits the name, phone, email and flags (the same form as a new customer), `n` adds a
dated note, `k` records the contact consent, `x` exports everything held about them as a
JSON file, `f` forgets them (after a yes: details and case words go, orders stay), Enter
on an order opens it. Edits need `customer_edit`; core checks each one,
refuses text that looks like a card number and journals the change. Reached from the
customer search in the command palette ("Customers") and from an order (`u`)."""

from __future__ import annotations

import json

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from core.errors import BoxOfficeError
from core.money import format_cents
from core.sales import credit, customer_data, customer_orders, customers, plans
from core.sales.customer_orders import OrderSummary
from core.sales.customers import Customer
from tui.format import local_time
from tui.screens.base import BoxOfficeScreen
from tui.screens.customer_form import CustomerForm
from tui.screens.dialogs import AskText, Confirm
from tui.screens.order_text import flags_text, status_text


class CustomerScreen(BoxOfficeScreen[None]):
    CSS_PATH = "customers.tcss"
    AUTO_FOCUS = "#customer-orders"
    BINDINGS = [
        Binding("e", "edit", "Edit", id="customer.edit"),
        Binding("n", "note", "Add note", id="customer.note"),
        Binding("k", "consent", "Consent", id="customer.consent"),
        Binding("x", "export", "Export", id="customer.export"),
        Binding("f", "forget", "Forget", id="customer.forget"),
        Binding("escape", "back", "Back", id="customer.back"),
    ]

    def __init__(self, customer_id: int) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.history: list[OrderSummary] = []

    def compose(self) -> ComposeResult:
        yield Static(id="customer-card")
        yield DataTable(id="customer-orders", cursor_type="row", zebra_stripes=True)
        yield Static(id="customer-totals")
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#customer-orders", DataTable).add_columns(
            "Order", "Sold", "Status", "Tickets", "Total", "For")
        self.load()

    def load(self) -> None:
        db, zone = self.box_office.db, self.box_office.config.zone
        customer = customers.get_customer(db, self.customer_id)
        card = Text.assemble((customer.name, "bold"), "  ")
        card.append_text(flags_text(customer.flags))
        card.append(f"\nPhone {customer.phone or '-'}   Email {customer.email or '-'}   "
                    f"customer since {local_time(customer.created_at, zone)}   "
                    f"contact by {customer.consent.replace(',', ' and ')}")
        notes = customer.notes.strip().splitlines()
        card.append("\nNotes: " + (" | ".join(notes[-3:]) if notes else "none"), style="dim")
        self.query_one("#customer-card", Static).update(card)
        self.history = customer_orders.order_history(db, self.customer_id)
        table = self.query_one("#customer-orders", DataTable)
        table.clear()
        for order in self.history:
            shows = ", ".join(f"{p.event_name[:18]} {local_time(p.starts_at, zone)}"
                              for p in order.performances[:2])
            table.add_row(order.number, local_time(order.created_at, zone),
                          status_text(order.status, order.live_tickets, order.tickets),
                          f"{order.live_tickets}/{order.tickets}",
                          format_cents(order.total_cents), shows[:40],
                          key=str(order.order_id))
        live = [o for o in self.history if o.status not in ("voided", "cancelled")]
        balance = credit.credit_balance(self.box_office.db, self.customer_id)
        today = self.box_office.clock().astimezone(self.box_office.config.zone).date()
        late = [plan for plan in plans.overdue_plans(self.box_office.db, today)
                if plan.order_id in {o.order_id for o in self.history}]
        self.query_one("#customer-totals", Static).update(Text.assemble(
            (f"{len(self.history)} order(s)", "bold"),
            f"   {sum(o.live_tickets for o in live)} live ticket(s)   spent ",
            (format_cents(sum(o.total_cents for o in live)), "bold"),
            *(("   account credit ", (format_cents(balance), "bold reverse")) if balance
              else ()),
            *(("   ", (f"PLAN OVERDUE: order {late[0].order_number}", "bold reverse"))
              if late else ())))

    @property
    def customer(self) -> Customer:
        return customers.get_customer(self.box_office.db, self.customer_id)

    def say(self, message: str, error: bool = False) -> None:
        self.query_one("#info", Static).update(Text(message, "bold red" if error else ""))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.history and 0 <= event.cursor_row < len(self.history):
            self.box_office.show_order(self.history[event.cursor_row].order_id)

    def on_screen_resume(self) -> None:
        self.load()

    def action_edit(self) -> None:
        def edited(customer: Customer | None) -> None:
            if customer is not None:
                self.load()
                self.say(f"{customer.name}: saved.")

        self.app.push_screen(CustomerForm(customer=self.customer), edited)

    def action_note(self) -> None:
        self.app.push_screen(AskText(f"A note on {self.customer.name} (dated and signed "
                                     "with your name; never a card number)"), self._note)

    def _note(self, text: str | None) -> None:
        if not text:
            return
        app = self.box_office
        try:
            customers.add_note(app.db, app.seller, self.customer_id, text, now=app.clock())
        except BoxOfficeError as error:
            self.say(f"Not saved: {error.message}", error=True)
            return
        self.load()
        self.say("Note added.")

    def action_consent(self) -> None:
        self.app.push_screen(AskText(
            f"What {self.customer.name} agreed to be contacted by: none, mail, email, or "
            "mail,email", value=self.customer.consent), self._consent)

    def _consent(self, text: str | None) -> None:
        if not text:
            return
        app = self.box_office
        try:
            found = customer_data.set_consent(app.db, app.seller, self.customer_id, text,
                                              now=app.clock())
        except BoxOfficeError as error:
            self.say(f"Not saved: {error.message}", error=True)
            return
        self.load()
        self.say(f"Contact by {found.consent.replace(',', ' and ')}: recorded.")

    def action_export(self) -> None:
        app = self.box_office
        try:
            data = customer_data.export_customer(app.db, app.seller, self.customer_id,
                                                 now=app.clock())
            path = app.save_beside_database("exports", f"customer-{self.customer_id}.json",
                                            json.dumps(data, indent=2))
        except BoxOfficeError as error:
            self.say(f"Not exported: {error.message}", error=True)
            return
        except OSError as error:
            self.say(f"Could not write the export: {error.strerror}", error=True)
            return
        self.say(f"Exported to {path}")

    def action_forget(self) -> None:
        name = self.customer.name

        def answered(yes: bool | None) -> None:
            if not yes:
                self.say("Nothing changed.")
                return
            app = self.box_office
            try:
                customer_data.anonymise_customer(app.db, app.seller, self.customer_id,
                                                 now=app.clock())
            except BoxOfficeError as error:
                self.say(f"Not done: {error.message}", error=True)
                return
            self.load()
            self.say(f"{name} is forgotten: their orders stay, as anonymous.")

        self.app.push_screen(Confirm(
            f"Forget {name}? Their name, phone, email, notes and the words of their cases "
            "are wiped for good; their orders stay for the accounts."), answered)

    def action_back(self) -> None:
        self.dismiss()
