"""Roles at the admin screens: the permission matrix, every permission (rows) x every role
(columns). Space or Enter on a cell grants the role that permission, or revokes it.

Each change goes through `core.permissions.grant` / `revoke`, which need `user_admin`,
journal it (`permission.grant`, `permission.revoke`) and refuse one that would leave no
active user able to administer users (`last_user_admin`). Anyone may look."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Footer, Static

from core.people import permissions
from core.people.models import PROTECTED_ACTIONS
from core.people.permissions import PermissionMatrix
from tui.screens.admin_base import AdminSectionScreen
from tui.screens.dialogs import Confirm


class RolesScreen(AdminSectionScreen):
    AUTO_FOCUS = "#roles"
    BINDINGS = [
        Binding("space,enter", "toggle_grant", "Grant/revoke", id="admin_roles.toggle"),
        Binding("escape", "back", "Back", id="admin_roles.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.matrix: PermissionMatrix | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Roles", "bold"), "  who may do what; * a protected "
                                   "action"), id="heading")
        yield DataTable(id="roles", cursor_type="cell", zebra_stripes=True)
        yield Static("Space or Enter grants or revokes; needs 'user_admin'.", id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        table = self.query_one("#roles", DataTable)
        where = table.cursor_coordinate
        table.clear(columns=True)
        matrix = self.matrix = permissions.permission_matrix(self.box_office.db)
        table.add_column("Permission", key="permission")
        for role in matrix.roles:
            table.add_column(role, key=role)
        for permission in matrix.permissions:
            star = " *" if permission in PROTECTED_ACTIONS else ""
            table.add_row(permission + star, *[
                Text("yes", "bold green", justify="center") if matrix.allows(role, permission)
                else Text("-", "dim", justify="center") for role in matrix.roles],
                key=permission)
        table.cursor_coordinate = where if where.column else Coordinate(where.row, 1)

    def cell(self) -> tuple[str, str] | None:
        """The (role, permission) under the cursor, if it is a cell of the matrix."""
        if self.matrix is None:
            return None
        where = self.query_one("#roles", DataTable).cursor_coordinate
        if not (0 <= where.row < len(self.matrix.permissions)
                and 1 <= where.column <= len(self.matrix.roles)):
            return None
        return self.matrix.roles[where.column - 1], self.matrix.permissions[where.row]

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_toggle_grant()

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_grant":
            return self.cell() is not None
        return True

    def action_toggle_grant(self) -> None:
        cell = self.cell()
        if cell is None or self.matrix is None or not self.may("user_admin"):
            return
        role, permission = cell
        app = self.box_office
        words = permission.replace("_", " ")
        if self.matrix.allows(role, permission):
            # a revoke takes something away from every user of the role: asked first, as
            # one miscounted Down once took report_access from admin
            def revoke(yes: bool | None) -> None:
                if yes:
                    self.attempt(
                        lambda: permissions.revoke(app.db, app.seller, role, permission),
                        f"{role} may no longer {words} ('{permission}' revoked; space "
                        "again grants it).")
                else:
                    self.say(f"Nothing changed: {role} may still {words}.")
                self.load()

            self.app.push_screen(Confirm(f"Take '{permission}' away from every {role}? "
                                         f"They may then no longer {words}."), revoke)
            return
        else:
            self.attempt(lambda: permissions.grant(app.db, app.seller, role, permission),
                         f"{role} may now {words} ('{permission}' granted; space again "
                         "revokes it).")
        self.load()

    def action_back(self) -> None:
        self.dismiss()
