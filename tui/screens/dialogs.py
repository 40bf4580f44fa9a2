"""Small dialogs every screen uses: a reason, a yes/no, and a supervisor's override.

`run_protected` is how a screen does a protected action: it tries as the seller; when core
refuses for want of a permission, a supervisor at the window types their name and PIN and
it tries again with that override (core checks it and journals it, approved or not).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from core.errors import BoxOfficeError
from core.people.permissions import Override, PermissionDenied

if TYPE_CHECKING:
    from tui.app import BoxOfficeApp

T = TypeVar("T")

DIALOG_CSS = """
    {cls} {{ align: center middle; background: $background 70%; }}
    {cls} > Vertical {{
        width: 64; max-width: 100%; height: auto; border: round $accent;
        padding: 0 1; background: $panel;
    }}
    {cls} Input {{ width: 100%; }}
    {cls} .message {{ height: auto; }}
"""


class AskText(ModalScreen[str | None]):
    """One line of text (a reason, a note). Enter returns it; Esc returns None."""

    DEFAULT_CSS = DIALOG_CSS.format(cls="AskText")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, question: str, *, placeholder: str = "", value: str = "",
                 required: bool = True) -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder
        self.value = value
        self.required = required

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, classes="message")
            yield Input(self.value, placeholder=self.placeholder, id="answer")
            yield Static("Enter: OK   Esc: cancel", classes="message", id="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if self.required and not text:
            self.query_one("#hint", Static).update(Text("This cannot be empty.", "bold red"))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    """A yes/no question: y or Enter confirms, n or Esc declines."""

    DEFAULT_CSS = DIALOG_CSS.format(cls="Confirm")
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, classes="message")
            yield Static("y / Enter: yes    n / Esc: no", classes="message")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class SupervisorOverride(ModalScreen[Override | None]):
    """A supervisor approves a protected action with their user name and PIN."""

    DEFAULT_CSS = DIALOG_CSS.format(cls="SupervisorOverride")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="override.cancel")]

    def __init__(self, why: str, *, refused: str = "") -> None:
        super().__init__()
        self.why = why
        self.refused = refused      # why the last try was refused, said in red

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text.assemble(("Supervisor override\n", "bold"), self.why,
                                       (f"\n{self.refused}" if self.refused else "",
                                        "bold red")),
                         classes="message")
            yield Input(placeholder="Supervisor's user name", id="supervisor")
            yield Input(placeholder="Supervisor's PIN", password=True, id="supervisor-pin",
                        restrict=r"[0-9]*", max_length=12)
            yield Static("Enter: approve   Esc: cancel", classes="message")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = self.query_one("#supervisor", Input).value.strip()
        pin = self.query_one("#supervisor-pin", Input).value
        if event.input.id == "supervisor" or not pin:
            self.query_one("#supervisor-pin", Input).focus()
            return
        if name:
            self.dismiss(Override(name, pin))

    def action_cancel(self) -> None:
        self.dismiss(None)


def _sentence(message: str) -> str:
    return message[0].upper() + message[1:] + ("" if message.endswith(".") else ".")


def run_protected(app: BoxOfficeApp, attempt: Callable[[Override | None], T],
                  on_done: Callable[[T], None], *, title: str = "Not done") -> None:
    """Do `attempt` as the seller; if core refuses for want of a permission, ask a
    supervisor and try again with their override. A wrong supervisor name or PIN asks
    again (everything the seller entered is kept: it lives in `attempt`); Esc cancels.
    Errors are shown, never raised."""
    try:
        result = attempt(None)
    except PermissionDenied as refusal:
        if refusal.code != "permission_denied":
            app.show_error(refusal, title=title)
            return
        why = _sentence(refusal.message)

        def approved(override: Override | None) -> None:
            if override is None:
                app.notify("Cancelled: nothing was changed.", title=title)
                return
            try:
                done = attempt(override)
            except PermissionDenied as again:
                if again.code == "override_refused":
                    app.push_screen(SupervisorOverride(why, refused=_sentence(again.message)
                                                       + " Try again, or Esc."), approved)
                    return
                app.show_error(again, title=title)
                return
            except BoxOfficeError as error:
                app.show_error(error, title=title)
                return
            on_done(done)

        app.push_screen(SupervisorOverride(why), approved)
        return
    except BoxOfficeError as error:
        app.show_error(error, title=title)
        return
    on_done(result)



def approve_first(app: BoxOfficeApp, permission: str, then: Callable[[Override | None], None],
                  *, what: str, title: str = "Not done") -> None:
    """Ask for a supervisor's approval when a protected action starts, before the seller
    types anything for it: `then(None)` at once when the seller may do it, `then(override)`
    once a supervisor approved (core checks and journals it; a wrong PIN asks again)."""
    from core.people.permissions import authorize

    if app.may(permission):
        then(None)
        return
    why = (f"{app.seller.display_name} ({app.seller.role}) may not {what} alone: a "
           "supervisor approves it now, before you start.")

    def approved(override: Override | None) -> None:
        if override is None:
            app.notify("Cancelled: nothing was changed.", title=title)
            return
        try:
            authorize(app.db, app.seller, permission, override=override)
        except PermissionDenied as refusal:
            app.push_screen(SupervisorOverride(why, refused=_sentence(refusal.message)
                                               + " Try again, or Esc."), approved)
            return
        except BoxOfficeError as error:
            app.show_error(error, title=title)
            return
        then(override)

    app.push_screen(SupervisorOverride(why), approved)
