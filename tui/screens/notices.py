"""Balance-due reminders (the command palette: "Notices"): every group order past its
due date, who gets a letter (they agreed to mail) and who to phone instead. `l` writes
the letters, one a page, to `letters/` beside the database and logs them as sent.
Needs `group_sales`."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from core.errors import BoxOfficeError
from core.money import format_cents
from core.reports.letters import reminder_letters
from core.sales import notices
from core.sales.notices import Reminder
from tui.screens.admin_base import AdminSectionScreen


class NoticesScreen(AdminSectionScreen):
    AUTO_FOCUS = "#reminders"
    BINDINGS = [
        Binding("l", "letters", "Write letters", id="notices.letters"),
        Binding("escape", "back", "Back", id="notices.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reminders: list[Reminder] = []

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Balance-due reminders", "bold"),
                                   "  letters by consent; phone the others"), id="heading")
        yield DataTable(id="reminders", cursor_type="row", zebra_stripes=True)
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Order", "Group", "Balance", "Due", "Contact",
                                              "Notice")
        if self.may("group_sales"):
            self.load()

    def load(self) -> None:
        app = self.box_office
        today = app.clock().astimezone(app.config.zone).date()
        self.reminders = notices.balance_due_reminders(app.db, app.seller, today)
        table = self.query_one(DataTable)
        table.clear()
        for r in self.reminders:
            table.add_row(r.order.number, (r.order.group_name or "")[:18],
                          format_cents(r.order.balance_cents), r.order.balance_due.isoformat(),
                          (r.customer.name if r.customer else "-")[:18],
                          Text(r.skipped or "letter", style="yellow" if r.skipped else ""))
        letters = sum(1 for r in self.reminders if not r.skipped)
        self.say(f"{len(self.reminders)} balance(s) past due: {letters} letter(s); l writes "
                 "them." if self.reminders else "No balance is past due.")

    def action_letters(self) -> None:
        app = self.box_office
        today = app.clock().astimezone(app.config.zone).date()
        try:
            path = app.save_beside_database(
                "letters", f"reminders-{today.isoformat()}.pdf", reminder_letters(
                    self.reminders, house=app.config.venue.house_name,
                    house_address=app.config.venue.house_address, today=today))
        except BoxOfficeError as error:
            self.say(f"Not done: {error.message}", error=True)
            return
        except OSError as error:
            self.say(f"Could not write the letters: {error.strerror}", error=True)
            return
        sent = notices.record_sent(app.db, app.seller, self.reminders, now=app.clock())
        self.say(f"{sent} letter(s) written to {path} and logged as sent.")

    def action_back(self) -> None:
        self.dismiss()
