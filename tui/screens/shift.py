"""Counting money at the window: the float that opens a shift, by denomination.

A seller who signs in without an open shift is asked to count the float first: every
payment belongs to a shift (core refuses money otherwise), so the window asks up front
instead of at the first sale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from core.errors import BoxOfficeError
from core.money import format_cents
from core.till import shifts
from core.till.models import Shift

if TYPE_CHECKING:
    from tui.app import BoxOfficeApp


def denomination_label(cents: int) -> str:
    return f"{cents // 100}" if cents % 100 == 0 else f"0.{cents:02d}" if cents < 100 \
        else format_cents(cents)


def refuse_non_digits(box: Input) -> str:
    """A count takes digits only: anything else typed is taken out at once, focus stays,
    and the returned message says why ('' when the count is fine)."""
    typed = box.value
    if typed.isdigit() or not typed:
        return ""
    box.value = "".join(char for char in typed if char.isdigit())
    box.focus()
    return f"A count is a whole number: '{typed}' is not one."


class OpenShiftModal(ModalScreen[Shift | None]):
    """Count the float by denomination; Enter on the last line opens the shift."""

    CSS_PATH = "shift.tcss"
    BINDINGS = [Binding("escape", "cancel", "Not now", id="open_shift.cancel")]

    def __init__(self) -> None:
        super().__init__()
        self._problem = ""

    @property
    def box_office(self) -> BoxOfficeApp:
        return cast("BoxOfficeApp", self.app)

    def compose(self) -> ComposeResult:
        app = self.box_office
        with Vertical(id="count"):
            yield Static(Text.assemble(
                ("Open your shift at ", "bold"), (app.station, "bold"),
                ": count the float in the drawer, how many of each. Enter moves on; "
                "Enter on the last opens the shift. Esc: not now (no money can be taken)."),
                id="count-title")
            for cents in shifts.denominations(app.config):
                with Horizontal(classes="count-line"):
                    yield Label(f"{denomination_label(cents):>7} x", classes="count-label")
                    yield Input("0", id=f"d{cents}", max_length=5,
                                classes="count-input")
            yield Static(id="count-total")

    def on_mount(self) -> None:
        self._total()
        first = self.query(Input).first()
        first.focus()
        first.action_select_all()

    def counts(self) -> dict[int, int]:
        return {cents: int(self.query_one(f"#d{cents}", Input).value or 0)
                for cents in shifts.denominations(self.box_office.config)}

    def _total(self, message: str = "") -> None:
        total = sum(cents * count for cents, count in self.counts().items())
        text = Text.assemble(("Float ", "dim"), (format_cents(total), "bold"))
        if message:
            text.append(f"\n{message}", style="bold red")
        self.query_one("#count-total", Static).update(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        # the message stays until the next field: the corrected value is a change too
        self._problem = refuse_non_digits(event.input) or self._problem
        self._total(self._problem)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._problem = ""
        inputs = list(self.query(Input).results(Input))
        index = inputs.index(event.input)
        if index < len(inputs) - 1:
            inputs[index + 1].focus()
            inputs[index + 1].action_select_all()
            return
        app = self.box_office
        try:
            shift = shifts.open_shift(app.db, app.seller, station=app.station,
                                      float_counts=self.counts(), now=app.clock(),
                                      rules=app.config.shifts)
        except BoxOfficeError as error:
            self._total(error.message[0].upper() + error.message[1:] + ".")
            return
        self.dismiss(shift)

    def action_cancel(self) -> None:
        self.dismiss(None)
