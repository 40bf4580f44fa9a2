"""Signing in, and the lock that an idle window or Ctrl+L puts over the screen.

The lock screen sits on top of whatever the seller was doing: a PIN resumes it exactly as
it was (the cart too), and another user's name and PIN switches seller without losing it.
Wrong PINs count toward the user's lock in core, so five in a row lock the user there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from core.admin import demo
from core.errors import BoxOfficeError
from core.people.models import User
from core.people.users import authenticate, list_users
from tui.screens.base import BoxOfficeScreen

if TYPE_CHECKING:
    from tui.app import BoxOfficeApp


class PinForm(Vertical):
    """User name and PIN, and the answer to the last try."""

    DEFAULT_CSS = """
    PinForm {
        width: 60;
        max-width: 100%;
        height: auto;
        border: round $accent;
        padding: 0 1;
        background: $panel;
    }
    PinForm Input { width: 100%; }
    PinForm #pin-message { height: auto; min-height: 1; }
    """

    def __init__(self, title: str, username: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.username = username

    def compose(self) -> ComposeResult:
        yield Static(self.title_text, id="pin-title")
        yield Input(self.username, placeholder="User name", id="username")
        yield Input(placeholder="PIN", password=True, id="pin", restrict=r"[0-9]*",
                    max_length=12)
        yield Static("", id="pin-message")

    def on_mount(self) -> None:
        self.query_one("#pin" if self.username else "#username", Input).focus()

    def say(self, message: str, style: str = "bold red") -> None:
        self.query_one("#pin-message", Static).update(Text(message, style=style))

    def try_sign_in(self, app: BoxOfficeApp) -> User | None:
        username = self.query_one("#username", Input).value.strip()
        pin_input = self.query_one("#pin", Input)
        if not username:
            self.query_one("#username", Input).focus()
            self.say("Type your user name, then your PIN.")
            return None
        if not pin_input.value:
            # a stray Enter is not a try: it must not count toward the user's lock
            pin_input.focus()
            self.say("Type your PIN, then Enter.")
            return None
        try:
            user = authenticate(app.db, username, pin_input.value)
        except BoxOfficeError as error:
            pin_input.value = ""
            pin_input.focus()
            self.say(error.message[0].upper() + error.message[1:] + ".")
            return None
        return user


class LoginScreen(BoxOfficeScreen[None]):
    """The first screen: who is selling at this window."""

    CSS_PATH = "login.tcss"

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield PinForm("Sign in: your user name, then your PIN, then Enter.", id="login-form")
        yield Static("", id="demo-users")
        yield Footer()

    def on_mount(self) -> None:
        from core.till.shifts import list_shifts

        app = self.box_office
        # which window this is, and whose shift its drawer is in
        holders = [s.username for s in list_shifts(app.db) if s.status != "closed"
                   and s.station == app.station]
        drawer = (f"drawer in {holders[0]}'s shift" if holders else "drawer: no shift open")
        title = Text.assemble(("Box office", "bold"), "  window ", (app.station, "bold"),
                              f"  {drawer}")
        if app.training:
            title.append("  TRAINING - nothing here is real", style="bold reverse")
        self.query_one("#title", Static).update(title)
        if not list_users(app.db, include_inactive=True):
            self.query_one(PinForm).say(
                "This database has no users yet: create the first admin on the command "
                "line (boxoffice user --help), or try the demo: boxoffice demo.")
        users = demo.demo_users(app.db)
        panel = self.query_one("#demo-users", Static)
        if not users:
            panel.display = False
            return
        text = Text("Demo users (this is the demo database):\n", style="bold")
        for user in users:
            text.append(f"  {user.username:<6}", style="bold")
            text.append(f" {user.role:<12} PIN {user.pin}\n")
        panel.update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        form = self.query_one(PinForm)
        if event.input.id == "username":
            self.query_one("#pin", Input).focus()
            return
        user = form.try_sign_in(self.box_office)
        if user is None:
            return
        from tui.screens.performances import PerformancesScreen

        self.box_office.signed_in(user)
        self.app.switch_screen(PerformancesScreen())
        self.box_office.resume_open_cart()
        self.box_office.after_sign_in()


class LockScreen(ModalScreen[None]):
    """Over the window while it is locked. The PIN resumes; another user switches seller."""

    CSS_PATH = "login.tcss"

    def __init__(self, user: User) -> None:
        super().__init__()
        self.user = user

    def compose(self) -> ComposeResult:
        yield PinForm(f"Locked. {self.user.display_name}: your PIN resumes, just as you "
                      "left it. Another seller: change the user name.", self.user.username,
                      id="lock-form")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "username":
            self.query_one("#pin", Input).focus()
            return
        app = cast("BoxOfficeApp", self.app)
        user = self.query_one(PinForm).try_sign_in(app)
        if user is None:
            return
        app.signed_in(user)
        self.dismiss()
        if user.id != self.user.id:
            # another seller: from the performance list (the cart stays: F5 shows it),
            # with their own float to count if they have no shift
            app.back_to_list()
            app.after_sign_in()
        # the same seller resumes exactly where they were: no float dialog (Esc had put
        # it off before), which took the keys typed straight after the PIN
