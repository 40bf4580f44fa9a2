"""What the admin screens share: a screen with a heading, a body, an #info line and a
footer; a small form dialog; and reading a time typed in the venue's zone.

Every change goes through a core service with the signed-in user as the actor, so core
checks the permission and journals it; a screen only turns a refusal into words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from core import times
from core.errors import BoxOfficeError
from core.people.permissions import has_permission
from tui.screens.base import BoxOfficeScreen
from tui.screens.sell_dialogs import Choose

T = TypeVar("T")

TIME_FORMAT = "%Y-%m-%d %H:%M"


def parse_local_time(text: str, zone: ZoneInfo) -> datetime:
    """'2026-12-31 19:30' in the venue's zone, or with its offset ('... 01:30-04:00') for
    an hour the clocks repeat. Raises BoxOfficeError `bad_time`, and core's refusals of a
    time the zone skips (`nonexistent_time`) or repeats (AmbiguousTime: `ask_which_time`
    asks which is meant)."""
    cleaned = text.strip()
    try:
        return times.local_time(datetime.strptime(cleaned, TIME_FORMAT), zone)
    except ValueError:
        pass
    try:
        with_offset = datetime.fromisoformat(cleaned)
    except ValueError:
        with_offset = None
    if with_offset is None or with_offset.tzinfo is None:   # only a time with its offset
        raise BoxOfficeError(f"'{cleaned[:40]}' is not a time such as 2026-12-31 19:30",
                             code="bad_time")
    return with_offset


def local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    return "-" if moment is None else moment.astimezone(zone).strftime(TIME_FORMAT)


class AdminSectionScreen(BoxOfficeScreen[None]):
    """A section of the admin screens: `say` writes the #info line, `attempt` runs a
    core call and shows its refusal instead of raising."""

    CSS_PATH = "admin.tcss"

    def say(self, message: str, error: bool = False) -> None:
        self.query_one("#info", Static).update(Text(message, "bold red" if error else ""))

    def may(self, permission: str) -> bool:
        """Whether the signed-in user's role has `permission`; if not, says so. Core checks
        again on the call itself: this only spares typing a form that would be refused."""
        user = self.box_office.seller
        if not user.locked and has_permission(self.box_office.db, user.role, permission):
            return True
        self.say(f"{user.display_name} ({user.role}) may not do this: it needs the "
                 f"'{permission}' permission.", error=True)
        return False

    def ask_which_time(self, label: str, error: times.AmbiguousTime,
                       then: Callable[[str | None], None]) -> None:
        """A typed time happens twice (the clocks go back): ask which of the two is meant.
        `then` gets it written with its offset, or None when the question is dismissed."""
        first, second = error.choices
        options = [(times.written_with_offset(moment),
                    f"{moment:%H:%M} {moment.tzname()} (UTC{moment:%z}), the {which} time")
                   for moment, which in ((first, "first"), (second, "second"))]
        self.app.push_screen(Choose(f"{label}: {first:%Y-%m-%d %H:%M} happens twice (the "
                                    "clocks go back). Which one?", options), then)

    def attempt(self, call: Callable[[], T], done: str | Callable[[T], str]) -> T | None:
        """Run a core call; on success say `done`, on a refusal say why (nothing changed)."""
        try:
            result = call()
        except BoxOfficeError as error:
            self.say(f"Not done: {error.message}", error=True)
            self.box_office.show_error(error)
            return None
        self.say(done if isinstance(done, str) else done(result))
        return result


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    password: bool = False
    required: bool = True


class FormModal(ModalScreen[dict[str, str] | None]):
    """A few labelled one-line fields. Enter moves on; Enter on the last returns them all
    (stripped; PINs as typed); Esc returns None. `problem` (what was wrong with the form
    as last typed, when it is shown again) stands in red above the hint; when it names a
    field ("Starts: ..."), that field has the focus, so the next keys fix what was wrong
    instead of overwriting another field."""

    CSS_PATH = "admin.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="admin_form.cancel")]

    def __init__(self, title: str, fields: list[Field], *, problem: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(Text(self.title_text, "bold"), classes="message")
            for field in self.fields:
                yield Label(field.label, classes="form-label")
                yield Input(field.value, placeholder=field.placeholder, id=f"f-{field.name}",
                            password=field.password)
            if self.problem:
                yield Static(Text(self.problem, "bold red"), id="form-problem",
                             classes="message")
            yield Static("Enter: next / OK   Esc: cancel", id="form-hint", classes="message")

    def on_mount(self) -> None:
        wrong = self.wrong_field()
        if wrong is not None:
            box = self.query_one(f"#f-{wrong.name}", Input)
            box.focus()
            box.action_select_all()

    def wrong_field(self) -> Field | None:
        """The field the problem names before its colon (by its name or the start of its
        label), if any."""
        named, colon, _ = self.problem.partition(":")
        named = named.strip().lower()
        if not colon or not named:
            return None
        return next((field for field in self.fields
                     if field.name == named or field.label.lower().startswith(named)), None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input).results(Input))
        index = inputs.index(event.input)
        if index < len(inputs) - 1:
            inputs[index + 1].focus()
            return
        values: dict[str, str] = {}
        for field, box in zip(self.fields, inputs, strict=True):
            value = box.value if field.password else box.value.strip()
            if field.required and not value:
                box.focus()
                self.query_one("#form-hint", Static).update(
                    Text(f"{field.label} cannot be empty.", "bold red"))
                return
            values[field.name] = value
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)
