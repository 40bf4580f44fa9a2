"""Patron cases (F8, or the command palette): inquiries, complaints and requests.

The worklist: open cases by follow-up date (overdue ones marked LATE), high priority
first, with the highlighted case's description and latest notes under it. `n` logs a
case (the order it concerns brings its customer), `o` adds a note, `w` marks it waiting
on the customer (again: open), `a` assigns it, sets its follow-up date or priority, `r`
closes it with the disposition in writing (or refers it), `l` writes the letter to the
patron as a PDF, `c` shows closed cases too. Needs `cases`; core checks and journals
each step (never the words)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from core.errors import BoxOfficeError
from core.reports.letters import case_letter
from core.sales import cases, customers, orders
from core.sales.cases import Case
from tui.format import follow_up_date
from tui.screens.admin_base import AdminSectionScreen, Field, FormModal
from tui.screens.base import REFRESH_SECONDS


def whole_number(text: str, what: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise BoxOfficeError(f"{what}: '{text[:20]}' is not a number", code="bad_number")
    return int(text)


class CasesScreen(AdminSectionScreen):
    AUTO_FOCUS = "#cases"
    BINDINGS = [
        Binding("n", "new", "New case", id="cases.new"),
        Binding("o", "note", "Note", id="cases.note"),
        Binding("w", "waiting", "Waiting/open", id="cases.waiting"),
        Binding("a", "assign", "Assign/due", id="cases.assign"),
        Binding("r", "close", "Resolve", id="cases.close"),
        Binding("l", "letter", "Letter", id="cases.letter"),
        Binding("c", "closed", "Closed too", id="cases.closed"),
        Binding("escape", "back", "Back", id="cases.back"),
    ]

    def __init__(self, *, order_number: str = "") -> None:
        super().__init__()
        self.cases: list[Case] = []
        self.show_closed = False
        # opened from an order: the new-case form comes up at once, about that order
        self.order_number = order_number

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Cases", "bold"), "  inquiries, complaints, requests"),
                     id="heading")
        yield DataTable(id="cases", cursor_type="row", zebra_stripes=True)
        yield Static(id="case-detail")
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#cases", DataTable).add_columns(
            "Case", "Due", "Pri", "Status", "Kind", "Category", "Customer", "Who")
        if not self.may("cases"):
            return
        self.load()
        self.set_interval(REFRESH_SECONDS, self._refresh, name="cases-refresh")
        if self.order_number:
            self.action_new({"order": self.order_number})
        elif not self.cases:
            self.say("No open case: n logs one.")

    def on_screen_resume(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        if self.is_current and self.box_office.may("cases"):
            self.load()

    @property
    def today(self) -> date:
        return self.box_office.clock().astimezone(self.box_office.config.zone).date()

    def load(self, select: int | None = None) -> None:
        app = self.box_office
        table = self.query_one("#cases", DataTable)
        keep = self.selected.id if select is None and self.selected else select
        table.clear()
        self.cases = cases.list_cases(app.db, app.seller, open_only=not self.show_closed)
        today = self.today
        for case in self.cases:
            due = Text(case.follow_up.isoformat() if case.follow_up else "")
            if case.overdue(today):
                due = Text(f"{due.plain} LATE", style="bold red")
            table.add_row(str(case.id), due, case.priority, case.status, case.kind,
                          case.category[:14], (case.customer_name or "")[:14],
                          case.assignee or "", key=str(case.id))
        ids = [case.id for case in self.cases]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
        self._detail()
        self.refresh_bindings()

    @property
    def selected(self) -> Case | None:
        if not self.is_mounted:
            return None
        row = self.query_one("#cases", DataTable).cursor_row
        return self.cases[row] if self.cases and 0 <= row < len(self.cases) else None

    def _detail(self) -> None:
        case = self.selected
        text = Text()
        if case is not None:
            full = cases.get_case(self.box_office.db, self.box_office.seller, case.id)
            zone = self.box_office.config.zone
            text.append(f"Case {full.id} ", style="bold")
            text.append(f"{full.channel}, {full.opened_at.astimezone(zone):%a %d %b %H:%M} "
                        f"by {full.opened_by}")
            if full.order_number:
                text.append(f", order {full.order_number}")
            text.append(f"\n{full.description}\n")
            for note in full.notes[-2:]:
                text.append(f"{note.at.astimezone(zone):%d %b %H:%M} {note.username}: ",
                            style="dim")
                text.append(f"{note.text}\n")
            if full.disposition:
                text.append(f"{full.status.upper()}: ", style="bold")
                text.append(full.disposition)
        self.query_one("#case-detail", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        case = self.selected
        if action in ("note", "waiting", "assign", "close"):
            return case is not None and case.is_open
        if action == "letter":
            return case is not None and not case.is_open
        return True

    def ask(self, title: str, fields: list[Field],
            then: Callable[[dict[str, str] | None], None], problem: str = "") -> None:
        self.app.push_screen(FormModal(title, fields, problem=problem), then)

    # -- a new case ------------------------------------------------------------------

    def action_new(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        if not self.may("cases"):
            return
        values = values or {}
        self.ask("New case", [
            Field("kind", "Kind: inquiry, complaint or request",
                  values.get("kind", "inquiry")),
            Field("channel", "Channel: counter, phone, email or web",
                  values.get("channel", "counter")),
            Field("category", "Category", values.get("category", ""),
                  placeholder="Seating, Refund, Parking, Accessibility..."),
            Field("description", "What the patron says", values.get("description", "")),
            Field("order", "Order number (optional)", values.get("order", ""),
                  required=False),
            Field("customer", "Customer number, if no order (optional)",
                  values.get("customer", ""), required=False),
            Field("priority", "Priority: low, normal or high",
                  values.get("priority", "normal")),
            Field("assignee", "Assign to (user name, optional)", values.get("assignee", ""),
                  required=False),
            Field("follow_up", "Follow up in days (+3) or on YYYY-MM-DD (optional)",
                  values.get("follow_up", "+2"), required=False),
        ], self._new, problem)

    def _new(self, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        try:
            order_id = (orders.find_order(app.db, values["order"]).id if values["order"]
                        else None)
            customer_id = whole_number(values["customer"], "Customer number")
            if customer_id is not None:
                customers.get_customer(app.db, customer_id)
            case = cases.open_case(
                app.db, app.seller, kind=values["kind"], channel=values["channel"],
                category=values["category"], description=values["description"],
                priority=values["priority"], order_id=order_id, customer_id=customer_id,
                assignee=values["assignee"] or None,
                follow_up=follow_up_date(values["follow_up"], self.today), now=app.clock())
        except BoxOfficeError as error:
            self.action_new(values, f"{error.message}. Nothing logged.")
            return
        self.load(select=case.id)
        self.say(f"Case {case.id} logged" + (f", for {case.customer_name}"
                                              if case.customer_name else "") + ".")

    # -- following it up ----------------------------------------------------------------

    def action_note(self) -> None:
        case = self.selected
        if case is None:
            return
        self.ask(f"Note on case {case.id}: what was said or done", [
            Field("note", "Note")], lambda values: self._note(case, values))

    def _note(self, case: Case, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        if self.attempt(lambda: cases.add_note(app.db, app.seller, case.id, values["note"],
                                               now=app.clock()), "Note added."):
            self.load()

    def action_waiting(self) -> None:
        case = self.selected
        if case is None:
            return
        status = "open" if case.status == "waiting" else "waiting"
        app = self.box_office
        if self.attempt(lambda: cases.update_case(app.db, app.seller, case.id, status=status,
                                                  now=app.clock()),
                        f"Case {case.id} is {status}"
                        + (" (on the customer)." if status == "waiting" else ".")):
            self.load()

    def action_assign(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        case = self.selected
        if case is None:
            return
        values = values or {"assignee": case.assignee or "", "priority": case.priority,
                            "follow_up": case.follow_up.isoformat() if case.follow_up
                            else ""}
        self.ask(f"Case {case.id}: who follows it up, and by when", [
            Field("assignee", "Assign to (user name)", values["assignee"], required=False),
            Field("follow_up", "Follow up in days (+3) or on YYYY-MM-DD",
                  values["follow_up"], required=False),
            Field("priority", "Priority: low, normal or high", values["priority"]),
        ], lambda answer: self._assign(case, answer), problem)

    def _assign(self, case: Case, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        try:
            cases.update_case(app.db, app.seller, case.id, now=app.clock(),
                              assignee=values["assignee"] or None,
                              priority=values["priority"],
                              follow_up=follow_up_date(values["follow_up"], self.today))
        except BoxOfficeError as error:
            self.action_assign(values, f"{error.message}. Nothing changed.")
            return
        self.load()
        self.say(f"Case {case.id} updated.")

    def action_close(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        case = self.selected
        if case is None:
            return
        values = values or {"how": "resolved", "disposition": ""}
        self.ask(f"Close case {case.id}: the disposition, as the patron will read it", [
            Field("how", "resolved or referred", values["how"]),
            Field("disposition", "Disposition", values["disposition"]),
        ], lambda answer: self._close(case, answer), problem)

    def _close(self, case: Case, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        how = values["how"].strip().lower()
        try:
            if how not in ("resolved", "referred"):
                raise BoxOfficeError("How: resolved or referred", code="bad_status")
            cases.close_case(app.db, app.seller, case.id, disposition=values["disposition"],
                             referred=how == "referred", now=app.clock())
        except BoxOfficeError as error:
            self.action_close(values, f"{error.message}. The case stays open.")
            return
        self.show_closed = True        # keep it in sight: the letter is the next step
        self.load(select=case.id)
        self.say(f"Case {case.id} {how}. l writes the letter to the patron.")

    def action_letter(self) -> None:
        case = self.selected
        if case is None:
            return
        app = self.box_office
        full = cases.get_case(app.db, app.seller, case.id)
        contact = ""
        if full.customer_id is not None:
            customer = customers.get_customer(app.db, full.customer_id)
            contact = customer.email or customer.phone
        try:
            path = app.save_beside_database("letters", f"case-{full.id}.pdf", case_letter(
                full, house=app.config.venue.house_name,
                house_address=app.config.venue.house_address,
                patron=full.customer_name or "", patron_address=contact, today=self.today))
        except BoxOfficeError as error:
            self.say(f"Not done: {error.message}", error=True)
            return
        except OSError as error:
            self.say(f"Could not write the letter: {error.strerror}", error=True)
            return
        self.say(f"Letter written: {path}")

    def action_closed(self) -> None:
        self.show_closed = not self.show_closed
        self.load()
        self.say("Closed cases shown too." if self.show_closed else "Open cases only.")

    def action_back(self) -> None:
        self.dismiss()
