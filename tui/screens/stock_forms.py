"""The stock screen's form, and reading what was typed into it.

A form is a few labelled one-line fields. Enter moves down; Enter on the last hands the
values to `submit`, which reads them and calls core. What was wrong (a quantity that is
not a number, a negative cost, an empty reason: BadInput, naming its field; or core's
own refusal, returned) stays on the form in red with everything as typed, the cursor on
the field to fix, and nothing has changed; None closes it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from core.concessions.stock import MAX_QUANTITY
from core.errors import BoxOfficeError
from core.money import parse_money


class BadInput(BoxOfficeError):
    """What was typed into a form's `field` cannot be read."""

    code = "bad_input"

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    value: str = ""
    placeholder: str = ""


def whole(text: str, what: str, *, low: int = 0, high: int = MAX_QUANTITY,
          signed: bool = False, field: str = "") -> int:
    """A whole number typed into a form. Raises BadInput saying what was wrong."""
    text = text.strip()
    if not re.fullmatch(r"[+-]?\d{1,7}" if signed else r"\d{1,7}", text):
        sign = "a whole number (- in front takes stock out)" if signed else "a whole number"
        raise BadInput(f"{what}: '{text}' is not {sign}" if text else f"{what}: type {sign}",
                       field=field)
    number = int(text)
    if not low <= number <= high:
        raise BadInput(f"{what}: {low} to {high}", field=field)
    return number


def money(text: str, what: str, *, field: str = "") -> int:
    """An amount such as 6.50 (never negative). Raises BadInput."""
    if text.strip().startswith("-"):
        raise BadInput(f"{what} cannot be negative", field=field)
    try:
        return parse_money(text)
    except BoxOfficeError as error:
        raise BadInput(f"{what}: {error.message}", field=field) from error


def percent(text: str, what: str = "Tax", *, field: str = "tax") -> int:
    """'8', '8.25', '8.25%' -> basis points (825). Raises BadInput."""
    match = re.fullmatch(r"\s*(\d{1,3})(?:\.(\d{1,2}))?\s*%?\s*", text)
    if not match:
        raise BadInput(f"{what}: '{text.strip()}' is not a percentage such as 8 or 8.25",
                       field=field)
    points = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    if points > 10_000:
        raise BadInput(f"{what}: 0 to 100 %", field=field)
    return points


def yes_no(text: str, what: str, *, field: str = "") -> bool:
    answer = text.strip().lower()
    if answer in ("y", "yes"):
        return True
    if answer in ("n", "no"):
        return False
    raise BadInput(f"{what}: y or n", field=field)


class StockForm(ModalScreen[dict[str, str] | None]):
    """Labelled fields; `submit(values)` returns a problem to show, or None when done."""

    CSS_PATH = "stock.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="stock_form.cancel")]

    def __init__(self, title: str, fields: list[Field],
                 submit: Callable[[dict[str, str]], str | None], *, note: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.submit = submit
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="stock-form"):
            yield Static(Text(self.title_text, "bold"), classes="message")
            if self.note:
                yield Static(Text(self.note, "dim"), classes="message")
            for field in self.fields:
                with Horizontal(classes="form-row"):
                    yield Label(field.label, classes="form-label")
                    yield Input(field.value, placeholder=field.placeholder,
                                id=f"f-{field.name}")
            yield Static("", id="form-problem", classes="message")
            yield Static("Enter: next / OK   Esc: cancel (nothing changes)", id="form-hint",
                         classes="message")

    def on_mount(self) -> None:
        first = self.query(Input).first(Input)
        first.focus()
        first.action_select_all()

    def values(self) -> dict[str, str]:
        return {field.name: self.query_one(f"#f-{field.name}", Input).value.strip()
                for field in self.fields}

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input).results(Input))
        index = inputs.index(event.input)
        if index < len(inputs) - 1:
            inputs[index + 1].focus()
            return
        values = self.values()
        try:
            problem = self.submit(values)
        except BadInput as error:
            self.show_problem(error.message, error.field)
            return
        if problem is None:
            self.dismiss(values)
            return
        self.show_problem(problem)

    def show_problem(self, message: str, field: str = "") -> None:
        """Say what was wrong and put the cursor on the field to fix (or the first)."""
        message = message.rstrip(".")
        self.query_one("#form-problem", Static).update(
            Text(message[:1].upper() + message[1:] + ". Nothing changed.", "bold red"))
        names = [f.name for f in self.fields]
        box = self.query_one(f"#f-{field if field in names else names[0]}", Input)
        box.focus()
        box.action_select_all()

    def action_cancel(self) -> None:
        self.dismiss(None)
