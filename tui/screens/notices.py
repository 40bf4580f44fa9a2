"""Notices to patrons (the command palette: "Notices"): balance-due reminders for group
orders past their due date, and instalment reminders for payment plans (the next
instalment due within a week, or late). Each row says how it goes: a letter to those who
agreed to mail, an email to those who agreed to email, or whom to phone instead.

`l` writes the balance letters, `i` the instalment letters, one a page, to `letters/`
beside the database, and logs them as sent; `e` emails the instalment reminders through
`[mail]` (in a worker: a slow mail server never freezes the window); `d` changes how many
days ahead to look. An instalment reminder goes once per instalment and channel; `a`
offers those already sent again, until it is pressed again. Needs `group_sales`."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from core.errors import BoxOfficeError
from core.mail import MailError
from core.money import format_cents
from core.reports.letters import email_instalment_reminders, instalment_letters, reminder_letters
from core.sales import notices
from core.sales.notices import InstalmentReminder, Reminder
from tui.screens.admin_base import AdminSectionScreen
from tui.screens.dialogs import AskText

DAYS_AHEAD = 7


class NoticesScreen(AdminSectionScreen):
    AUTO_FOCUS = "#instalments"
    BINDINGS = [
        Binding("l", "letters", "Balance letters", id="notices.letters"),
        Binding("i", "instalment_letters", "Instalment letters",
                id="notices.instalment_letters"),
        Binding("e", "email", "Email", id="notices.email"),
        Binding("d", "days", "Days ahead", id="notices.days"),
        Binding("a", "again", "Send again", id="notices.again"),
        Binding("escape", "back", "Back", id="notices.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reminders: list[Reminder] = []
        self.instalments: list[InstalmentReminder] = []
        self.days_ahead = DAYS_AHEAD
        self.again = False

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Notices", "bold"),
                                   "  letters and emails by consent; phone the others"),
                     id="heading")
        yield Static("", id="instalments-title", classes="subheading")
        yield DataTable(id="instalments", cursor_type="row", zebra_stripes=True)
        yield Static("Balances past due (group orders)", classes="subheading")
        yield DataTable(id="reminders", cursor_type="row", zebra_stripes=True)
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#reminders", DataTable).add_columns(
            "Order", "Group", "Balance", "Due", "Contact", "Notice")
        self.query_one("#instalments", DataTable).add_columns(
            "Order", "Customer", "#", "Owed", "Due", "Notice")
        if self.may("group_sales"):
            self.load()

    def load(self, said: str = "") -> None:
        app = self.box_office
        today = app.clock().astimezone(app.config.zone).date()
        self.reminders = notices.balance_due_reminders(app.db, app.seller, today)
        self.instalments = notices.instalment_reminders(app.db, app.seller, today,
                                                        due_within=self.days_ahead,
                                                        again=self.again)
        table = self.query_one("#reminders", DataTable)
        table.clear()
        for r in self.reminders:
            table.add_row(r.order.number, (r.order.group_name or "")[:16],
                          format_cents(r.order.balance_cents), r.order.balance_due.isoformat(),
                          (r.customer.name if r.customer else "-")[:16],
                          Text(r.skipped or "letter", style="yellow" if r.skipped else ""))
        plans = self.query_one("#instalments", DataTable)
        plans.clear()
        for i in self.instalments:
            late = i.instalment.due < today
            words = i.words()
            plans.add_row(i.plan.order_number, i.plan.customer_name[:16], str(i.instalment.seq),
                          format_cents(i.owed_cents),
                          Text(i.instalment.due.isoformat() + (" LATE" if late else ""),
                               style="bold" if late else ""),
                          Text(words[:28], style="" if words in ("letter", "email",
                                                                 "letter, email")
                               else "yellow"))
        self.query_one("#instalments-title", Static).update(
            f"Instalments due within {self.days_ahead} day(s), and late ones"
            + ("; AGAIN: sent ones too" if self.again else ""))
        letters = sum(1 for r in self.reminders if not r.skipped)
        by_mail = sum(1 for i in self.instalments if not i.why_not("mail"))
        by_email = sum(1 for i in self.instalments if not i.why_not("email"))
        self.say(said or f"{len(self.instalments)} instalment(s): {by_mail} letter(s), "
                 f"{by_email} email(s); {len(self.reminders)} balance(s) past due: {letters} "
                 "letter(s).")

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

    def action_instalment_letters(self) -> None:
        app = self.box_office
        today = app.clock().astimezone(app.config.zone).date()
        try:
            path = app.save_beside_database(
                "letters", f"instalments-{app.clock():%Y-%m-%d-%H%M%S}.pdf",
                instalment_letters(self.instalments, house=app.config.venue.house_name,
                                   house_address=app.config.venue.house_address,
                                   today=today))
        except BoxOfficeError as error:
            self.say(f"Not done: {error.message}", error=True)
            return
        except OSError as error:
            self.say(f"Could not write the letters: {error.strerror}", error=True)
            return
        sent = notices.record_instalment_sent(app.db, app.seller, self.instalments, "mail",
                                              now=app.clock())
        self.load(f"{sent} instalment letter(s) written to {path} and logged as sent.")

    def action_email(self) -> None:
        app = self.box_office
        if not app.config.mail.host:
            self.say("Not done: no mail server is configured ([mail] host in the config).",
                     error=True)
            return
        if not any(not i.why_not("email") for i in self.instalments):
            self.say("No instalment reminder may go by email (no consent, no address, or "
                     "sent already).", error=True)
            return
        self.say("Sending the emails...")
        self._send_emails(list(self.instalments))

    @work(thread=True, exclusive=True, group="notices-mail")
    def _send_emails(self, reminders: list[InstalmentReminder]) -> None:
        # its own connection, as the print worker: the mail server may take its time
        from core.store.schema import open_database

        app = self.box_office
        today = app.clock().astimezone(app.config.zone).date()
        db = open_database(app.db.location, check_location=False)
        try:
            sent, failed = email_instalment_reminders(
                db, app.seller, reminders, mail=app.config.mail,
                house=app.config.venue.house_name,
                house_address=app.config.venue.house_address, today=today, now=app.clock())
            said = f"{len(sent)} instalment reminder(s) emailed and logged." + (
                f" Not sent: {', '.join(f'{r.plan.order_number} ({why})' for r, why in failed)}"
                if failed else "")
        except MailError as error:
            said = f"Not done: {error.message}"
        finally:
            db.conn.close()
        app.call_from_thread(self.load, said)

    def action_days(self) -> None:
        def answered(text: str | None) -> None:
            if text is None:
                return
            if not text.strip().isdigit() or int(text) > 365:
                self.say("Days ahead: a number from 0 to 365.", error=True)
                return
            self.days_ahead = int(text)
            self.load()

        self.app.push_screen(AskText("Instalments due within how many days?",
                                     value=str(self.days_ahead)), answered)

    def action_again(self) -> None:
        self.again = not self.again
        self.load("Reminders already sent are offered again: i or e sends them."
                  if self.again else "Reminders already sent are left out again.")

    def action_back(self) -> None:
        self.dismiss()
