"""Consignment (command palette): tickets handed to an outside seller in numbered batches.

Every batch with its performance, consignee, state (ISSUED, ON ACCOUNT, PAID), live
tickets and value. `n` issues a batch (the performance, the consignee, the seats as
SECTION-ROW-NUMBER or SECTION-ROW-FIRST..LAST, then whether to print them now); `s`
settles one (the seats that came back, whose codes stop working at once; the rest are
sold and paid in cash or check, or put on account); `c` collects money for what is on
account; Enter opens the batch's order (print, reprint). Needs `consign`; core checks
and journals each step."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from core.errors import BoxOfficeError
from core.money import format_cents, parse_money
from core.sales import consignment
from core.sales.consignment import BatchSummary
from core.sales.orders import get_order
from core.sales.tenders import Tender
from core.venue import inventory, performances
from tui.format import local_time
from tui.screens.admin_base import AdminSectionScreen, Field, FormModal
from tui.screens.dialogs import Confirm

# how the sold tickets of a settled batch are paid, as typed
PAID_BY = {"cash": "cash", "check": "check", "account": "account"}


class ConsignmentScreen(AdminSectionScreen):
    AUTO_FOCUS = "#batches"
    BINDINGS = [
        Binding("n", "issue", "Issue", id="consignment.issue"),
        Binding("s", "settle", "Settle", id="consignment.settle"),
        Binding("c", "collect", "Collect", id="consignment.collect"),
        Binding("escape", "back", "Back", id="consignment.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[BatchSummary] = []

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Consignment", "bold"),
                                   "  batches out with sellers outside the box office"),
                     id="heading")
        yield DataTable(id="batches", cursor_type="row", zebra_stripes=True)
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#batches", DataTable).add_columns(
            "Batch", "Performance", "Consignee", "State", "Live", "Value", "On account")
        self.load()
        if not self.batches:
            self.say("No batch yet: n issues one.")

    def load(self) -> None:
        db, zone = self.box_office.db, self.box_office.config.zone
        shows = {perf.id: perf for perf in performances.list_performances(db)}
        table = self.query_one("#batches", DataTable)
        row = table.cursor_row
        table.clear()
        self.batches = consignment.list_consignments(db)
        for line in self.batches:
            show = shows.get(line.batch.performance_id)
            when = (f"{show.event_name[:14]} {local_time(show.starts_at, zone)}"
                    if show else str(line.batch.performance_id))
            table.add_row(line.batch.number, when, line.batch.consignee[:14], line.state,
                          str(line.live_tickets), format_cents(line.value_cents),
                          format_cents(line.on_account_cents) if line.on_account_cents
                          else "", key=str(line.batch.id))
        if self.batches:
            table.move_cursor(row=min(max(row, 0), len(self.batches) - 1))
        self.refresh_bindings()

    @property
    def selected(self) -> BatchSummary | None:
        row = self.query_one("#batches", DataTable).cursor_row
        return self.batches[row] if self.batches and 0 <= row < len(self.batches) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        line = self.selected
        if action == "settle":
            return line is not None and line.batch.status == "issued"
        if action == "collect":
            return line is not None and line.on_account_cents > 0
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.selected is not None:
            self.box_office.show_order(self.selected.batch.order_id)

    def on_screen_resume(self) -> None:
        self.load()

    # -- issue ---------------------------------------------------------------------------

    def action_issue(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        if not self.may("consign"):
            return
        upcoming = performances.list_performances(self.box_office.db)
        values = values or {"performance": str(upcoming[0].id) if upcoming else ""}
        self.app.push_screen(FormModal("Issue a consignment batch", [
            Field("performance", "Performance number", values.get("performance", "")),
            Field("consignee", "Consignee (who sells them)", values.get("consignee", ""),
                  placeholder="Rotary Club"),
            Field("seats", "Seats", values.get("seats", ""),
                  placeholder="ORCH-T-101..110, ORCH-U-101"),
        ], problem=problem), self._issue)

    def _issue(self, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        try:
            performance_id = int(values["performance"])
            seats = inventory.seats_by_label(app.db, performance_id, values["seats"])
            batch = consignment.issue(app.db, app.seller, performance_id, seats,
                                      values["consignee"], station=app.station,
                                      now=app.clock())
        except ValueError:
            self.action_issue(values, f"'{values['performance']}' is not a performance "
                                      "number. Nothing issued.")
            return
        except BoxOfficeError as error:
            self.action_issue(values, f"{error.message}. Nothing issued.")
            return
        self.load()
        issued = (f"{batch.number}: {len(batch.tickets)} ticket(s) issued to "
                  f"{batch.consignee}, on account.")
        self.say(issued)
        self.app.push_screen(Confirm(f"Print the {len(batch.tickets)} ticket(s) of "
                                     f"{batch.number} now?"),
                             lambda yes: self._print(batch.order_id, issued, yes))

    def _print(self, order_id: int, issued: str, yes: bool | None) -> None:
        if yes:
            self.box_office.print_order(get_order(self.box_office.db, order_id),
                                        receipt=False)
        else:
            self.say(f"{issued} Not printed: Enter on the batch opens its order, where t "
                     "prints them.")

    # -- settle --------------------------------------------------------------------------

    def action_settle(self, problem: str = "") -> None:
        line = self.selected
        if line is None or not self.may("consign"):
            return
        self.app.push_screen(FormModal(
            f"Settle {line.batch.number} ({line.live_tickets} live ticket(s), "
            f"{line.batch.consignee})", [
                Field("returned", "Seats that came back (blank: none)", required=False,
                      placeholder="ORCH-T-105..110"),
                Field("paid", "The sold ones are paid by: cash, check or account",
                      "cash"),
                Field("check", "Check number (for a check)", required=False),
            ], problem=problem), lambda values: self._settle(line, values))

    def _settle(self, line: BatchSummary, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app, batch = self.box_office, line.batch
        paid_by = PAID_BY.get(values["paid"].strip().lower())
        if paid_by is None:
            self.action_settle("Paid by: cash, check or account. Nothing settled.")
            return
        try:
            returned = (inventory.seats_by_label(app.db, batch.performance_id,
                                                 values["returned"])
                        if values["returned"].strip() else [])
            order = consignment.settle_returning(
                app.db, app.seller, batch.id, returned_seat_ids=returned, paid_by=paid_by,
                check_number=values["check"].strip() or None, station=app.station,
                now=app.clock())
        except BoxOfficeError as error:
            self.action_settle(f"{error.message}. Nothing settled.")
            return
        self.load()
        sold = sum(1 for t in order.tickets if t.status == "live")
        self.say(f"{batch.number} settled: {sold} sold ({format_cents(order.value_cents)} "
                 f"{'on account' if paid_by == 'account' else 'in ' + paid_by}), "
                 f"{len(returned)} back on sale: their codes no longer scan.")

    # -- collect -------------------------------------------------------------------------

    def action_collect(self, problem: str = "") -> None:
        line = self.selected
        if line is None or not self.may("consign"):
            return
        self.app.push_screen(FormModal(
            f"Collect for {line.batch.number}: {format_cents(line.on_account_cents)} on "
            "account", [
                Field("amount", "Amount paid", format_cents(line.on_account_cents)),
                Field("paid", "Paid by: cash or check", "cash"),
                Field("check", "Check number (for a check)", required=False),
            ], problem=problem), lambda values: self._collect(line, values))

    def _collect(self, line: BatchSummary, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        paid_by = values["paid"].strip().lower()
        try:
            if paid_by not in ("cash", "check"):
                raise BoxOfficeError("paid by cash or check", code="bad_tender")
            amount = parse_money(values["amount"])
            consignment.collect_account(
                app.db, app.seller, line.batch.id,
                [Tender(paid_by, amount, check_number=values["check"].strip() or None)],
                station=app.station, now=app.clock())
        except BoxOfficeError as error:
            self.action_collect(f"{error.message}. Nothing taken.")
            return
        self.load()
        self.say(f"{line.batch.number}: {format_cents(amount)} collected in {paid_by}.")

    def action_back(self) -> None:
        self.dismiss()
