"""Users at the admin screens: who may sign in, with which role; new users, role
changes, PIN resets, unlocks, deactivation. All of it needs `user_admin` (core checks);
users are never deleted, only deactivated."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from core.errors import BoxOfficeError
from core.people import accounts, users
from core.people.models import ROLES, User
from tui.screens.admin_base import AdminSectionScreen, Field, FormModal
from tui.screens.dialogs import AskText


def status_of(user: User) -> str:
    if not user.active:
        return "inactive"
    return "LOCKED" if user.locked else "active"


class UsersScreen(AdminSectionScreen):
    AUTO_FOCUS = "#users"
    BINDINGS = [
        Binding("n", "new_user", "New", id="admin_users.new"),
        Binding("r", "change_role", "Role", id="admin_users.role"),
        Binding("p", "reset_pin", "Reset PIN", id="admin_users.reset_pin"),
        Binding("u", "unlock", "Unlock", id="admin_users.unlock"),
        Binding("d", "toggle_active", "(De)activate", id="admin_users.deactivate"),
        Binding("escape", "back", "Back", id="admin_users.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.users: list[User] = []

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Users", "bold"), "  role, locked, active"), id="heading")
        yield DataTable(id="users", cursor_type="row", zebra_stripes=True)
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#users", DataTable)
        table.add_columns("User", "Name", "Role", "Status")
        self.load()

    def load(self, keep: str | None = None) -> None:
        table = self.query_one("#users", DataTable)
        table.clear()
        self.users = users.list_users(self.box_office.db, include_inactive=True)
        for user in self.users:
            table.add_row(user.username, user.display_name, user.role, status_of(user),
                          key=user.username)
        if keep is not None:
            for index, user in enumerate(self.users):
                if user.username == keep:
                    table.move_cursor(row=index)
        self.refresh_bindings()

    @property
    def selected(self) -> User | None:
        table = self.query_one("#users", DataTable)
        if not self.users or not 0 <= table.cursor_row < len(self.users):
            return None
        return self.users[table.cursor_row]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new_user", "back"):
            return True
        user = self.selected
        if user is None:
            return False
        if action == "unlock":
            return user.locked and user.active
        if action in ("change_role", "reset_pin"):
            return user.active
        return True

    def action_new_user(self, values: dict[str, str] | None = None,
                        problem: str = "") -> None:
        """The form; after a refusal it comes back with what was typed (but the PIN) and
        what was wrong."""
        if not self.may("user_admin"):
            return
        values = values or {}
        form = FormModal("New user", [
            Field("username", "User name (signs in with it)", values.get("username", ""),
                  placeholder="sam"),
            Field("display_name", "Display name", values.get("display_name", ""),
                  placeholder="Sam Seller"),
            Field("role", f"Role ({', '.join(ROLES)})", values.get("role", "seller")),
            Field("pin", "PIN (at least 4 digits)", password=True),
        ], problem=problem)
        self.app.push_screen(form, self._create)

    def _create(self, values: dict[str, str] | None) -> None:
        if values is None:
            self.say("Cancelled: no user was made.")
            return
        app = self.box_office
        try:
            accounts.create_user(app.db, app.seller, values["username"],
                                 values["display_name"], values["role"].lower(),
                                 values["pin"])
        except BoxOfficeError as error:
            self.action_new_user(values, f"{error.message}. Nobody was made.")
            return
        self.say(f"{values['username']} can sign in now ({values['role'].lower()}).")
        self.load(keep=values["username"])

    def action_change_role(self) -> None:
        user = self.selected
        if user is None or not self.may("user_admin"):
            return

        def chosen(role: str | None) -> None:
            if role is None:
                return
            app = self.box_office
            self.attempt(lambda: accounts.change_role(app.db, app.seller, user.username,
                                                   role.lower()),
                         f"{user.username} is now {role.lower()}.")
            self.load(keep=user.username)

        self.app.push_screen(AskText(f"New role for {user.username} ({', '.join(ROLES)}):",
                                     value=user.role), chosen)

    def action_reset_pin(self) -> None:
        user = self.selected
        if user is None or not self.may("user_admin"):
            return

        def typed(values: dict[str, str] | None) -> None:
            if values is None:
                return
            app = self.box_office
            self.attempt(lambda: accounts.reset_pin(app.db, app.seller, user.username,
                                                 values["pin"]),
                         f"{user.username} has a new PIN (and is unlocked).")
            self.load(keep=user.username)

        self.app.push_screen(FormModal(f"New PIN for {user.username}", [
            Field("pin", "PIN (at least 4 digits)", password=True)]), typed)

    def action_unlock(self) -> None:
        user = self.selected
        if user is None:
            return
        app = self.box_office
        self.attempt(lambda: accounts.unlock_user(app.db, app.seller, user.username),
                     f"{user.username} is unlocked.")
        self.load(keep=user.username)

    def action_toggle_active(self) -> None:
        user = self.selected
        if user is None:
            return
        app = self.box_office
        if user.active:
            self.attempt(lambda: accounts.deactivate_user(app.db, app.seller, user.username),
                         f"{user.username} is deactivated: d again reactivates.")
        else:
            self.attempt(lambda: accounts.reactivate_user(app.db, app.seller, user.username),
                         f"{user.username} is active again.")
        self.load(keep=user.username)

    def action_back(self) -> None:
        self.dismiss()
