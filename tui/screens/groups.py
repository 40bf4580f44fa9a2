"""Groups (F7, or the command palette): schools, clubs and companies buying a block.

Every group with its contact, the seats held in its block, the tickets it has, what it
still owes and when; the balances past due are counted at the foot. `n` makes a group
(with its contact, a customer); `b` holds a block for it at a performance (typed seats;
on the seat map the block is painted like any hold, under the group's code GRP<n>); `s`
sells seats of the block at the GROUP price with a deposit and a balance due date; `p`
takes a balance payment; `r` puts the block's unsold seats back on sale. Needs
`group_sales`; core checks and journals each step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from core.errors import BoxOfficeError
from core.money import format_cents, parse_money
from core.sales import customers, groups
from core.sales.groups import GroupSummary
from core.sales.tenders import Tender
from core.venue import inventory, performances
from tui.screens.admin_base import AdminSectionScreen, Field, FormModal

# how a deposit or a balance is paid, as typed
MONEY = ("cash", "check")


def performance_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise BoxOfficeError(f"'{text[:20]}' is not a performance number",
                             code="bad_performance") from None


def tender(kind: str, amount: int, check_number: str) -> Tender:
    kind = kind.strip().lower()
    if kind not in MONEY:
        raise BoxOfficeError("paid by cash or check", code="bad_tender")
    return Tender(kind, amount, tendered_cents=amount if kind == "cash" else None,
                  check_number=check_number.strip() or None)


class GroupsScreen(AdminSectionScreen):
    AUTO_FOCUS = "#groups"
    BINDINGS = [
        Binding("n", "new", "New group", id="groups.new"),
        Binding("b", "block", "Hold block", id="groups.block"),
        Binding("s", "sell", "Sell", id="groups.sell"),
        Binding("p", "pay", "Balance", id="groups.pay"),
        Binding("r", "release", "Release", id="groups.release"),
        Binding("escape", "back", "Back", id="groups.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.groups: list[GroupSummary] = []

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Groups", "bold"), "  blocks, deposits and balances"),
                     id="heading")
        yield DataTable(id="groups", cursor_type="row", zebra_stripes=True)
        yield Static(id="overdue")
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#groups", DataTable).add_columns(
            "Group", "Contact", "Held", "Tickets", "Owes", "Due")
        self.load()
        if not self.groups:
            self.say("No group yet: n makes one.")

    @property
    def today(self) -> date:
        return self.box_office.clock().astimezone(self.box_office.config.zone).date()

    def load(self) -> None:
        table = self.query_one("#groups", DataTable)
        row = table.cursor_row
        table.clear()
        self.groups = groups.list_groups(self.box_office.db)
        today = self.today
        for line in self.groups:
            due = ""
            if line.next_due is not None:
                due = line.next_due.isoformat() + (" LATE" if line.next_due < today else "")
            table.add_row(line.group.name[:22], line.contact[:16], str(line.held),
                          str(line.sold), format_cents(line.owed_cents) if line.owed_cents
                          else "", due, key=str(line.group.id))
        if self.groups:
            table.move_cursor(row=min(max(row, 0), len(self.groups) - 1))
        overdue = groups.overdue_groups(self.box_office.db, today)
        self.query_one("#overdue", Static).update(
            Text(f"{len(overdue)} balance(s) past due: "
                 + ", ".join(f"{o.group_name} {format_cents(o.balance_cents)}"
                             for o in overdue[:3]), style="bold red")
            if overdue else Text("No balance is past due.", style="dim"))
        self.refresh_bindings()

    @property
    def selected(self) -> GroupSummary | None:
        row = self.query_one("#groups", DataTable).cursor_row
        return self.groups[row] if self.groups and 0 <= row < len(self.groups) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("block", "sell", "release"):
            return self.selected is not None
        if action == "pay":
            return self.selected is not None and self.selected.owed_cents > 0
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def ask(self, title: str, fields: list[Field],
            then: Callable[[dict[str, str] | None], None], problem: str = "") -> None:
        self.app.push_screen(FormModal(title, fields, problem=problem), then)

    def _first_show(self) -> str:
        shows = performances.list_performances(self.box_office.db)
        return str(shows[0].id) if shows else ""

    # -- a new group ---------------------------------------------------------------------

    def action_new(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        if not self.may("group_sales"):
            return
        values = values or {}
        self.ask("New group", [
            Field("name", "Group", values.get("name", ""), placeholder="St Anne's School"),
            Field("contact", "Contact (a person's name)", values.get("contact", "")),
            Field("phone", "Contact's phone", values.get("phone", ""), required=False),
            Field("email", "Contact's email", values.get("email", ""), required=False),
        ], self._new, problem)

    def _new(self, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        try:
            contact = customers.create_customer(app.db, app.seller, values["contact"],
                                                phone=values["phone"], email=values["email"],
                                                now=app.clock())
            group = groups.create_group(app.db, app.seller, values["name"],
                                        customer_id=contact.id, now=app.clock())
        except BoxOfficeError as error:
            self.action_new(values, f"{error.message}. Nothing made.")
            return
        self.load()
        self.say(f"{group.name} made (its block's hold code is {group.hold_code}): b holds "
                 "its seats.")

    # -- the block -----------------------------------------------------------------------

    def action_block(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        line = self.selected
        if line is None or not self.may("group_sales"):
            return
        values = values or {"performance": self._first_show()}
        self.ask(f"Hold seats for {line.group.name}", [
            Field("performance", "Performance number", values.get("performance", "")),
            Field("seats", "Seats", values.get("seats", ""),
                  placeholder="ORCH-S-101..120, ORCH-T-101..110"),
        ], lambda answer: self._block(line, answer), problem)

    def _block(self, line: GroupSummary, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        try:
            show = performance_number(values["performance"])
            seats = inventory.seats_by_label(app.db, show, values["seats"])
            held = groups.hold_block(app.db, app.seller, line.group.id, show, seats,
                                     app.clock())
        except BoxOfficeError as error:
            self.action_block(values, f"{error.message}. Nothing held.")
            return
        self.load()
        self.say(f"{held} seat(s) held for {line.group.name} under {line.group.hold_code}.")

    def action_release(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        line = self.selected
        if line is None or not self.may("group_sales"):
            return
        values = values or {"performance": self._first_show()}
        self.ask(f"Put {line.group.name}'s unsold seats back on sale", [
            Field("performance", "Performance number", values.get("performance", "")),
        ], lambda answer: self._release(line, answer), problem)

    def _release(self, line: GroupSummary, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        try:
            released = groups.release_unused(app.db, app.seller, line.group.id,
                                             performance_number(values["performance"]),
                                             app.clock())
        except BoxOfficeError as error:
            self.action_release(values, f"{error.message}. Nothing released.")
            return
        self.load()
        self.say(f"{released} seat(s) of {line.group.name}'s block back on sale.")

    # -- selling and the balance ---------------------------------------------------------

    def action_sell(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        line = self.selected
        if line is None or not self.may("group_sales"):
            return
        values = values or {"performance": self._first_show(), "paid": "cash"}
        self.ask(f"Sell {line.group.name}'s seats at the GROUP price", [
            Field("performance", "Performance number", values.get("performance", "")),
            Field("seats", "Seats (blank: every seat held for the group)",
                  values.get("seats", ""), required=False),
            Field("deposit", "Paid now (the whole price, or a deposit)",
                  values.get("deposit", "")),
            Field("paid", "Paid by: cash or check", values.get("paid", "cash")),
            Field("check", "Check number (for a check)", values.get("check", ""),
                  required=False),
            Field("due", "Balance due by (YYYY-MM-DD)", values.get("due", ""),
                  required=False),
        ], lambda answer: self._sell(line, answer), problem)

    def _sell(self, line: GroupSummary, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        try:
            show = performance_number(values["performance"])
            seats = (inventory.seats_by_label(app.db, show, values["seats"])
                     if values["seats"].strip()
                     else groups.held_in_block(app.db, line.group.id, show))
            if not seats:
                raise BoxOfficeError("no seat is held for the group at that performance",
                                     code="empty_block")
            try:
                due = date.fromisoformat(values["due"].strip()) if values["due"].strip() \
                    else self.today
            except ValueError:
                raise BoxOfficeError(f"'{values['due'][:20]}' is not a date such as "
                                     f"{self.today.isoformat()}", code="bad_date") from None
            paid = tender(values["paid"], parse_money(values["deposit"]), values["check"])
            order = groups.group_order(app.db, app.seller, line.group.id, show, seats,
                                       [paid], balance_due=due, station=app.station,
                                       now=app.clock(), zone=app.config.zone)
        except BoxOfficeError as error:
            self.action_sell(values, f"{error.message}. Nothing sold.")
            return
        self.load()
        owes = (f", {format_cents(order.balance_cents)} due by {due.isoformat()}"
                if order.status == "deposit" else ", paid in full")
        self.say(f"Order {order.number}: {len(order.tickets)} ticket(s) for "
                 f"{line.group.name}{owes}. Enter on it in order lookup prints them.")

    def action_pay(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        line = self.selected
        if line is None or not self.may("group_sales"):
            return
        owing = [o for o in groups.group_orders(self.box_office.db, line.group.id)
                 if o.status == "deposit"]
        if not owing:
            return
        first = owing[-1]
        values = values or {"order": first.number, "amount": format_cents(first.balance_cents),
                            "paid": "cash"}
        self.ask(f"A balance payment from {line.group.name}: "
                 + ", ".join(f"{o.number} owes {format_cents(o.balance_cents)}"
                             for o in owing[:3]), [
            Field("order", "Order number", values.get("order", "")),
            Field("amount", "Amount paid", values.get("amount", "")),
            Field("paid", "Paid by: cash or check", values.get("paid", "cash")),
            Field("check", "Check number (for a check)", values.get("check", ""),
                  required=False),
        ], lambda answer: self._pay(line, answer), problem)

    def _pay(self, line: GroupSummary, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        orders = {o.number: o for o in groups.group_orders(app.db, line.group.id)}
        try:
            order = orders.get(values["order"].strip())
            if order is None:
                raise BoxOfficeError(f"{line.group.name} has no order "
                                     f"'{values['order'][:12]}'", code="unknown_order")
            paid = tender(values["paid"], parse_money(values["amount"]), values["check"])
            after = groups.pay_balance(app.db, app.seller, order.id, [paid],
                                       station=app.station, now=app.clock())
        except BoxOfficeError as error:
            self.action_pay(values, f"{error.message}. Nothing taken.")
            return
        self.load()
        self.say(f"Order {after.number}: {format_cents(paid.amount_cents)} taken in "
                 f"{paid.kind}; " + ("paid in full." if after.status == "complete" else
                                     f"{format_cents(after.balance_cents)} still due."))

    def action_back(self) -> None:
        self.dismiss()
