"""The blind count that closes a shift: cash by denomination, then the checks' and card
slips' totals, with a running total as the seller types and a review before the count
goes in (tui/screens/shift_close.py submits it)."""

from __future__ import annotations

from typing import cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from core.errors import BoxOfficeError
from core.money import format_cents, parse_money
from tui.screens.shift import denomination_label, refuse_non_digits


class CountModal(ModalScreen[dict[str, object] | None]):
    """The blind count: cash by denomination, then the checks' and card slips' totals."""

    CSS_PATH = "shift.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="count.cancel")]

    def __init__(self, denominations: tuple[int, ...]) -> None:
        super().__init__()
        self.denominations = denominations

    def compose(self) -> ComposeResult:
        with Vertical(id="count"):
            yield Static(Text("Count the drawer: how many of each, then the checks' and card "
                              "slips' totals. The expected amount shows after you submit.",
                              style="bold"))
            for cents in self.denominations:
                with Horizontal(classes="count-line"):
                    yield Label(f"{denomination_label(cents):>7} x", classes="count-label")
                    yield Input("0", id=f"d{cents}", max_length=5,
                                classes="count-input")
            for field_id, label in (("checks", "Checks"), ("cards", "Card slips")):
                with Horizontal(classes="count-line"):
                    yield Label(f"{label:>10}", classes="count-label")
                    yield Input("0.00", id=field_id, classes="count-input")
            yield Static(id="count-total")

    def on_mount(self) -> None:
        # what the seller last saw summed up before the final Enter: the count goes in
        # only when Enter is pressed again on the same figures
        self._reviewed: dict[str, object] | None = None
        first = self.query(Input).first()
        first.focus()
        first.action_select_all()
        self._show_running_total()

    def _counted(self) -> dict[str, object]:
        """The count as typed; raises BoxOfficeError for an amount that does not read."""
        counts = {c: int(self.query_one(f"#d{c}", Input).value or 0)
                  for c in self.denominations}
        return {"cash": counts, "checks": parse_money(self.query_one("#checks", Input).value),
                "cards": parse_money(self.query_one("#cards", Input).value)}

    def _summary(self, counted: dict[str, object]) -> str:
        cash = sum(c * n for c, n in cast(dict[int, int], counted["cash"]).items())
        checks, cards = cast(int, counted["checks"]), cast(int, counted["cards"])
        return (f"Cash {format_cents(cash)}  Checks {format_cents(checks)}  "
                f"Card slips {format_cents(cards)}  Total {format_cents(cash + checks + cards)}")

    def _show_running_total(self) -> None:
        try:
            counted = self._counted()
        except (BoxOfficeError, ValueError):
            return      # the field's own message says what is wrong
        self.query_one("#count-total", Static).update(
            Text(f"So far: {self._summary(counted)}", style="bold"))

    def on_input_changed(self, event: Input.Changed) -> None:
        self._reviewed = None
        if event.input.id not in ("checks", "cards"):
            problem = refuse_non_digits(event.input)
            if problem:     # kept until the next field (the corrected value is a change too)
                self.query_one("#count-total", Static).update(Text(problem, "bold red"))
                return
        self._show_running_total()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id in ("checks", "cards"):
            # an amount is refused on its own field, at once, and the focus stays there
            try:
                parse_money(event.input.value)
            except BoxOfficeError as error:
                self.query_one("#count-total", Static).update(Text(error.message, "bold red"))
                event.input.focus()
                return
        inputs = list(self.query(Input).results(Input))
        index = inputs.index(event.input)
        if index < len(inputs) - 1:
            inputs[index + 1].focus()
            inputs[index + 1].action_select_all()
            self._show_running_total()
            return
        try:
            counted = self._counted()
        except BoxOfficeError as error:
            self.query_one("#count-total", Static).update(Text(error.message, "bold red"))
            return
        if counted != self._reviewed:
            # the review: the whole count once more before it is final
            self._reviewed = counted
            self.query_one("#count-total", Static).update(Text.assemble(
                ("Counted: ", "bold"), (self._summary(counted), "bold"),
                "\nEnter again submits this count (it is final). Shift+Tab goes "
                "back to fix a line; Esc keeps the shift open."))
            return
        self.dismiss(counted)

    def action_cancel(self) -> None:
        self.dismiss(None)
