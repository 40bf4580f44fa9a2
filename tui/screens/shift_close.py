"""The seller's shift at the window: drops, paid-outs, the X report, and the close.

The close is blind: the seller counts the drawer by denomination (plus checks and card
slips) before the window shows what was expected. Only the count's result shows the
over/short; above the tolerance a coordinator signs it off with a note; then the Z report
is made (gapless number, kept for good) and printed.
"""

from __future__ import annotations

from typing import cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Static

from core.errors import BoxOfficeError
from core.money import format_cents, parse_money
from core.people.permissions import Override
from core.sales.payments import pending_card_payments
from core.till import shifts
from core.till.figures import x_rows, z_rows
from core.till.models import CountResult, Shift
from tui.screens.base import REFRESH_SECONDS, BoxOfficeScreen
from tui.screens.dialogs import AskText, Confirm, run_protected
from tui.screens.shift import OpenShiftModal
from tui.screens.shift_count import CountModal


class ShiftScreen(BoxOfficeScreen[None]):
    """The seller's own shift; or, opened from the list of every shift (`a`, for whoever
    may sign off shifts), another seller's: a coordinator counts, signs off and closes it
    from any window, as with `boxoffice shift count/close --shift N` on the command line."""

    CSS_PATH = "shift.tcss"
    BINDINGS = [
        Binding("a", "all_shifts", "All shifts", id="shift.all"),
        Binding("o", "open_shift", "Open shift", id="shift.open"),
        Binding("d", "drop", "Cash drop", id="shift.drop"),
        Binding("u", "paid_out", "Paid out", id="shift.paid_out"),
        Binding("x", "x_report", "X report", id="shift.x_report"),
        Binding("c", "count", "Count & close", id="shift.count"),
        Binding("escape", "back", "Back", id="shift.back"),
    ]

    def __init__(self, shift_id: int | None = None) -> None:
        super().__init__()
        # None: the seller's own shift, whichever is open now
        self.shift_id = shift_id

    def compose(self) -> ComposeResult:
        yield Static(id="heading")
        with VerticalScroll(id="shift-body"):
            yield Static(id="shift-report")
        yield Static(id="info")
        yield Footer()

    @property
    def shift(self) -> Shift | None:
        app = self.box_office
        if self.shift_id is not None:
            return shifts.get_shift(app.db, self.shift_id)
        return shifts.current_shift(app.db, app.seller.id)

    def on_mount(self) -> None:
        self.show()
        # sales at other windows move the figures: read them again now and then
        self.set_interval(REFRESH_SECONDS, self._refresh, name="shift-refresh")

    def on_screen_resume(self) -> None:
        self.show()

    def _refresh(self) -> None:
        if self.is_current:
            self.show()

    def say(self, message: str, error: bool = False) -> None:
        self.query_one("#info", Static).update(Text(message, "bold red" if error else ""))

    def show(self) -> None:
        app = self.box_office
        shift = self.shift
        if shift is not None and self.shift_id is not None:
            heading = Text.assemble((f"Shift {shift.id}", "bold"), f"  {shift.username}  "
                                    f"{shift.station}  {shift.status}")
        else:
            heading = Text.assemble(("Shift", "bold"), f"  {app.seller.display_name}  "
                                    f"{app.station}")
        self.query_one("#heading", Static).update(heading)
        body = self.query_one("#shift-report", Static)
        if shift is None:
            body.update("No shift open. o opens one: count the float in the drawer.")
        elif shift.status == "closed":
            body.update(f"Shift {shift.id} is closed: Z report {shift.z_number} (F3 "
                        "reports).")
        else:
            report = shifts.x_report(app.db, shift.id, app.clock(), viewer=app.seller)
            text = Text()
            for label, value in x_rows(report, app.config.zone):
                text.append(f"{label:<22}" if label != "-" else "", style="dim")
                text.append(f"{value}\n")
            waiting = pending_card_payments(app.db, shift_id=shift.id)
            if waiting:
                text.append("\nCard payments waiting for the terminal's answer (settle "
                            "them before the count: Ctrl+O, pending):\n", style="bold")
                for payment in waiting:
                    text.append(f"  order {payment.order_number}  "
                                f"{format_cents(payment.amount_cents)}\n")
            if report.blind:
                text.append("\nThe expected amounts show once the drawer is counted (c).",
                            style="dim")
            body.update(text)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return True
        if action == "all_shifts":
            return self.shift_id is None and self.box_office.may("shift_signoff")
        shift = self.shift
        if action == "open_shift":
            return shift is None and self.shift_id is None
        if shift is not None and shift.status == "closed":
            return False
        if action == "count":
            return shift is not None
        return shift is not None and shift.status == "open"

    def action_all_shifts(self) -> None:
        self.app.push_screen(AllShiftsScreen())

    def action_open_shift(self) -> None:
        self.app.push_screen(OpenShiftModal(), lambda _shift: self.show())

    def action_drop(self) -> None:
        self._take_out("drop", "Cash drop: the amount and where it went (amount, reason)")

    def action_paid_out(self) -> None:
        self._take_out("paid_out", "Paid out: the amount and what for (amount, reason)")

    def _take_out(self, kind: str, question: str) -> None:
        def answered(text: str | None) -> None:
            shift = self.shift
            if not text or shift is None:
                return
            amount_text, _, reason = text.partition(",")
            app = self.box_office
            try:
                amount = parse_money(amount_text)
                service = shifts.cash_drop if kind == "drop" else shifts.paid_out
                service(app.db, app.seller, shift.id, amount, reason=reason.strip(),
                        now=app.clock())
            except BoxOfficeError as error:
                self.say(error.message, error=True)
                return
            self.say(f"{'Dropped' if kind == 'drop' else 'Paid out'} {format_cents(amount)}.")
            self.show()

        self.app.push_screen(AskText(question, placeholder="e.g. 200, to the safe"), answered)

    def action_x_report(self) -> None:
        shift = self.shift
        if shift is None:
            return
        app = self.box_office
        report = shifts.x_report(app.db, shift.id, app.clock(), viewer=app.seller)
        app.print_report(f"X report, shift {shift.id}", x_rows(report, app.config.zone),
                         f"x-{shift.id}")
        self.show()

    def action_count(self) -> None:
        shift = self.shift
        if shift is None:
            return
        if shift.status == "counted":
            self._after_count(shift, shifts.count_result(self.box_office.db, shift.id))
            return
        # a card payment still waiting for the terminal's answer would stop the count at
        # its end: say so before the seller counts a drawer
        waiting = pending_card_payments(self.box_office.db, shift_id=shift.id)
        if waiting:
            self.box_office.notify(
                "Before the count, settle the card payment(s) waiting for the terminal's "
                "answer: " + ", ".join(f"order {p.order_number} {format_cents(p.amount_cents)}"
                                       for p in waiting[:4])
                + ". Ctrl+O, type pending, then a on the order.",
                severity="warning", title="Card payments pending", timeout=15)
            return
        self.app.push_screen(CountModal(shifts.denominations(self.box_office.config)),
                             lambda counted: self._counted(shift, counted))

    def _counted(self, shift: Shift, counted: dict[str, object] | None) -> None:
        if counted is None:
            return
        app = self.box_office
        try:
            result = shifts.submit_count(
                app.db, app.seller, shift.id, cash_counts=cast(dict[int, int], counted["cash"]),
                checks_cents=cast(int, counted["checks"]),
                card_slips_cents=cast(int, counted["cards"]), now=app.clock(),
                rules=app.config.shifts)
        except BoxOfficeError as error:
            self.say(error.message, error=True)
            return
        self._after_count(shift, result)

    def _after_count(self, shift: Shift, result: CountResult) -> None:
        lines = ", ".join(f"{line.tender} over/short {format_cents(line.over_short_cents)}"
                          for line in result.lines)
        self.say(f"Counted: {lines}.")
        self.show()
        if result.needs_signoff and not result.signed_off:
            self.app.push_screen(AskText(
                f"Over/short {format_cents(result.over_short_cents)} is above the tolerance "
                f"({format_cents(result.tolerance_cents)}): a coordinator signs it off. "
                "Their note:"), lambda note: self._sign_off(shift, note))
            return
        self._ask_to_close(shift, result)

    def _ask_to_close(self, shift: Shift, result: CountResult) -> None:
        """The over/short on screen, then the Z only when the seller says so: a Z report
        cannot be changed once made."""
        lines = "\n".join(f"  {line.tender}: over/short {format_cents(line.over_short_cents)}"
                          for line in result.lines)

        def answered(close: bool | None) -> None:
            if close:
                self._close(shift)
            else:
                self.say("Counted, not closed: c makes the Z report when you are ready.")

        self.app.push_screen(Confirm(
            f"Counted. Over/short {format_cents(result.over_short_cents)}:\n{lines}\n"
            "Close the shift and print the Z report now? It cannot be changed after."),
            answered)

    def _sign_off(self, shift: Shift, note: str | None) -> None:
        if not note:
            self.say("Not signed off: the shift stays counted; c resumes the close.")
            return
        app = self.box_office

        def attempt(override: Override | None) -> Shift:
            return shifts.sign_off(app.db, app.seller, shift.id, note=note, now=app.clock(),
                                   override=override)

        run_protected(app, attempt, lambda _signed: self._ask_to_close(
            shift, shifts.count_result(app.db, shift.id)), title="Sign-off")

    def _close(self, shift: Shift) -> None:
        app = self.box_office
        try:
            z_report = shifts.close_shift(app.db, app.seller, shift.id, now=app.clock())
        except BoxOfficeError as error:
            self.say(error.message, error=True)
            return
        # no "Printed" toast: at 80x24 it covered the backup path said below
        app.print_report(f"Z report {z_report.z_number}", z_rows(z_report, app.config.zone),
                         f"z-{z_report.z_number}", quiet=True)
        saved = "backup failed"
        try:   # after the close has committed: a failed backup never undoes it
            from core.store.backup import auto_backup

            result = auto_backup(app.config, app.db.location, "z_close")
            saved = f"backed up to {result.path}"
        except BoxOfficeError as error:
            if error.code == "postgresql":
                saved = "the database server keeps the backups"
            else:
                app.show_error(error, title="Backup")
        self.say(f"Shift closed: Z report {z_report.z_number}, printing.\n{saved[0].upper()}"
                 f"{saved[1:]}.")
        self.show()

    def action_back(self) -> None:
        self.dismiss()


class AllShiftsScreen(BoxOfficeScreen[None]):
    """Every shift not yet closed, at every station, with the card payments each still
    waits for; Enter opens one to count, sign off and close it (`shift_signoff`)."""

    CSS_PATH = "shift.tcss"
    BINDINGS = [Binding("escape", "back", "Back", id="all_shifts.back")]

    def compose(self) -> ComposeResult:
        yield Static(Text("Open shifts, every window", style="bold"), id="heading")
        yield DataTable(id="shifts", cursor_type="row", zebra_stripes=False)
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.show()
        self.set_interval(REFRESH_SECONDS, self._refresh, name="shifts-refresh")

    def on_screen_resume(self) -> None:
        self.show()

    def _refresh(self) -> None:
        if self.is_current:
            self.show()

    def show(self) -> None:
        app = self.box_office
        zone = app.config.zone
        table = self.query_one(DataTable)
        keep = table.cursor_row
        open_shifts = [s for s in shifts.list_shifts(app.db) if s.status != "closed"]
        table.clear(columns=True)
        table.add_columns("Shift", "Seller", "Window", "Status", "Opened", "Cards waiting")
        for shift in open_shifts:
            waiting = pending_card_payments(app.db, shift_id=shift.id)
            table.add_row(str(shift.id), shift.username, shift.station, shift.status,
                          f"{shift.opened_at.astimezone(zone):%a %H:%M}",
                          (f"{len(waiting)}: "
                           f"{format_cents(sum(p.amount_cents for p in waiting))}"
                           if waiting else ""), key=str(shift.id))
        if open_shifts:
            table.move_cursor(row=min(max(keep, 0), len(open_shifts) - 1))
        self.query_one("#info", Static).update(
            "Enter opens a shift: X report, count, sign-off and close, as its seller would."
            if open_shifts else "No shift is open at any window.")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.app.push_screen(ShiftScreen(int(event.row_key.value)))

    def action_back(self) -> None:
        self.dismiss()
