"""The customer form: a new customer, or one edited; shared by the customer search and a
customer's screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Static

from core.errors import BoxOfficeError
from core.sales import customers
from core.sales.customers import Customer

if TYPE_CHECKING:
    from tui.app import BoxOfficeApp


class FlagBox(Checkbox):
    """A flag's tick box whose mark differs in shape, not only in colour: `X` when set,
    blank when not (Textual draws an X in both states), so on a 16-colour or monochrome
    terminal a customer is not read as banned when they are not."""

    @property
    def BUTTON_INNER(self) -> str:
        return "X" if self.value else " "

    @BUTTON_INNER.setter
    def BUTTON_INNER(self, _: str) -> None:
        """The mark follows the value; nothing to set."""


class CustomerForm(ModalScreen[Customer | None]):
    """A new customer, or `customer` edited: name, phone, email and flags. Enter in a line
    or Ctrl+S saves; what core refuses is said under the form, and nothing is written."""

    CSS_PATH = "customers.tcss"
    AUTO_FOCUS = "#new-name"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="customer_form.save"),
        Binding("escape", "cancel", "Cancel", id="customer_form.cancel"),
    ]

    def __init__(self, query: str = "", *, customer: Customer | None = None) -> None:
        super().__init__()
        self.editing = customer
        # what was typed in the search is probably the name, or the phone number
        text = query.strip()
        digits = sum(char.isdigit() for char in text)
        self.name_value = "" if digits > len(text) / 2 or "@" in text else text
        self.phone_value = text if digits > len(text) / 2 else ""
        self.email_value = text if "@" in text else ""
        self.flags: frozenset[str] = frozenset()
        if customer is not None:
            self.name_value, self.phone_value, self.email_value = (
                customer.name, customer.phone, customer.email)
            self.flags = customer.flags

    @property
    def box_office(self) -> BoxOfficeApp:
        return cast("BoxOfficeApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="customer-form"):
            yield Static(Text(f"Edit {self.editing.name}" if self.editing else
                              "New customer", style="bold"))
            for label, value, field in (("Name", self.name_value, "new-name"),
                                        ("Phone", self.phone_value, "new-phone"),
                                        ("Email", self.email_value, "new-email")):
                with Horizontal(classes="field"):
                    yield Static(label, classes="label")
                    yield Input(value, placeholder="needed" if label == "Name" else "",
                                id=field)
            with Horizontal(id="new-flags"):
                yield FlagBox("Accessibility", "accessibility" in self.flags,
                              id="flag-accessibility")
                yield FlagBox("VIP", "vip" in self.flags, id="flag-vip")
                yield FlagBox("Banned", "banned" in self.flags, id="flag-banned")
            yield Static("", id="form-error")
            yield Static("Tab: next   Space: tick a flag   Enter or Ctrl+S: save   Esc: cancel",
                         id="form-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        app = self.box_office
        flags = [flag for flag in customers.FLAGS
                 if self.query_one(f"#flag-{flag}", Checkbox).value]
        name, phone, email = (self.query_one(f"#new-{field}", Input).value
                              for field in ("name", "phone", "email"))
        try:
            if self.editing is not None:
                customer = customers.update_customer(app.db, app.seller, self.editing.id,
                                                     name=name, phone=phone, email=email,
                                                     flags=flags)
            else:
                customer = customers.create_customer(app.db, app.seller, name, phone=phone,
                                                     email=email, flags=flags,
                                                     now=app.clock())
        except BoxOfficeError as error:
            message = error.message[0].upper() + error.message[1:]
            self.query_one("#form-error", Static).update(Text(message, style="bold red"))
            field = {"bad_name": "#new-name", "bad_phone": "#new-phone",
                     "bad_email": "#new-email"}.get(error.code)
            if field:
                self.query_one(field, Input).focus()
            return
        self.dismiss(customer)

    def action_cancel(self) -> None:
        self.dismiss(None)
