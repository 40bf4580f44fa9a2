"""The sell screen's dialogs: best available, general admission, and a list to choose
from (a price type, a hold code). Each returns what the seller asked for; the sell screen
calls core with it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from core.venue.best_available import MAX_QUANTITY
from tui.screens.dialogs import DIALOG_CSS


@dataclass(frozen=True)
class SeatRequest:
    """Best available or general admission: how many, where, at which price type."""

    quantity: int
    price_type: str
    zone: str | None = None
    section: str | None = None
    area: str | None = None


class _Form(ModalScreen[SeatRequest | None]):
    """Inputs filled top to bottom; Enter moves on, Enter on the last one submits."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="sell_dialog.cancel")]

    def __init__(self, title: str, fields: list[tuple[str, str, str]],
                 price_types: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields            # (id, label placeholder, initial value)
        self.price_types = price_types

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"), classes="message")
            for field_id, placeholder, value in self.fields:
                yield Input(value, placeholder=placeholder, id=field_id)
            types = "  ".join(f"{code}" for code, _ in self.price_types)
            yield Static(Text(f"Price types: {types}", style="dim"), classes="message")
            yield Static("Enter: next / OK   Esc: cancel", classes="message", id="hint")

    def on_mount(self) -> None:
        first = self.query_one(f"#{self.first_field()}", Input)
        first.focus()
        first.action_select_all()

    def first_field(self) -> str:
        return self.fields[0][0]

    def say(self, message: str) -> None:
        self.query_one("#hint", Static).update(Text(message, style="bold red"))

    def value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index < len(inputs) - 1:
            inputs[index + 1].focus()
            return
        request = self.build()
        if request is not None:
            self.dismiss(request)

    def build(self) -> SeatRequest | None:
        raise NotImplementedError

    # the most one request may ask for: core's own limit for the form's kind of request,
    # so the dialog never promises what core then refuses
    most = 99

    def quantity(self, field_id: str = "quantity") -> int | None:
        text = self.value(field_id)
        if not text.isdigit() or not 1 <= int(text) <= self.most:
            self.say(f"How many: a number from 1 to {self.most}.")
            self.query_one(f"#{field_id}", Input).focus()
            return None
        return int(text)

    def price_type(self) -> str | None:
        code = self.value("price-type").upper()
        if code not in {c for c, _ in self.price_types}:
            self.say(f"'{code}' is not a price type of this performance.")
            self.query_one("#price-type", Input).focus()
            return None
        return code

    def action_cancel(self) -> None:
        self.dismiss(None)


class BestAvailableForm(_Form):
    DEFAULT_CSS = DIALOG_CSS.format(cls="BestAvailableForm")
    most = MAX_QUANTITY

    def __init__(self, price_types: list[tuple[str, str]], zones: dict[str, str],
                 sections: dict[str, str], default_type: str) -> None:
        super().__init__("Best available", [
            ("quantity", f"How many seats (1 to {MAX_QUANTITY} together)", "2"),
            ("where", "Zone letter or section code (blank: best anywhere)", ""),
            ("price-type", "Price type", default_type)], price_types)
        self.zones = zones
        self.sections = sections

    def build(self) -> SeatRequest | None:
        quantity = self.quantity()
        if quantity is None:
            return None
        where = self.value("where").upper()
        zone = section = None
        if where in self.zones:
            zone = where
        elif where in {code.upper() for code in self.sections}:
            section = next(code for code in self.sections if code.upper() == where)
        elif where:
            self.say(f"'{where}' is neither a zone ({', '.join(self.zones)}) nor a section.")
            self.query_one("#where", Input).focus()
            return None
        price_type = self.price_type()
        if price_type is None:
            return None
        return SeatRequest(quantity, price_type, zone=zone, section=section)


class GeneralAdmissionForm(_Form):
    DEFAULT_CSS = DIALOG_CSS.format(cls="GeneralAdmissionForm")

    def __init__(self, price_types: list[tuple[str, str]], areas: dict[str, str],
                 area: str, default_type: str, left: str) -> None:
        super().__init__(f"General admission{left}", [
            ("area", f"Area ({', '.join(areas)})", area),
            ("quantity", "How many places", "2"),
            ("price-type", "Price type", default_type)], price_types)
        self.areas = areas

    def build(self) -> SeatRequest | None:
        area = self.value("area").upper()
        match = next((code for code in self.areas if code.upper() == area), None)
        if match is None:
            self.say(f"'{area}' is not a general-admission area here "
                     f"({', '.join(self.areas)}).")
            self.query_one("#area", Input).focus()
            return None
        quantity = self.quantity()
        price_type = self.price_type() if quantity is not None else None
        if quantity is None or price_type is None:
            return None
        return SeatRequest(quantity, price_type, area=match)


class Choose(ModalScreen[str | None]):
    """Pick one from a short list: arrows and Enter, or Esc."""

    DEFAULT_CSS = DIALOG_CSS.format(cls="Choose") + """
    Choose OptionList { height: auto; max-height: 12; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choose.cancel")]

    def __init__(self, title: str, options: list[tuple[str, str]],
                 current: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.options = options
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"), classes="message")
            yield OptionList(*[Option(label, id=value) for value, label in self.options])

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.focus()
        values = [value for value, _ in self.options]
        if self.current in values:
            option_list.highlighted = values.index(self.current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
