"""The permission matrix on screen (F4, Roles): space or Enter on a role x permission cell
grants or revokes it through core, journaled; only with `user_admin`; never leaving
nobody able to administer users."""

from __future__ import annotations

import json
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable

from core.people.models import PERMISSIONS, ROLES
from core.people.permissions import has_permission, permission_matrix
from core.store.db import Database
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.tui.test_app_admin import open_section
from tui.screens.admin_roles import RolesScreen
from tui.screens.dialogs import Confirm


def permission_changes(db: Database) -> list[tuple[str, str, str, str]]:
    """(actor, action, role, permission) of every grant and revoke journaled."""
    return [(actor, action, subject.removeprefix("role:"), json.loads(data)["permission"])
            for actor, action, subject, data in db.execute(
                "SELECT actor, action, subject, data FROM journal WHERE action IN "
                "('permission.grant', 'permission.revoke') ORDER BY id")]


async def open_roles(pilot: Pilot[None]) -> RolesScreen:
    await open_section(pilot, "roles")
    screen = pilot.app.screen
    assert isinstance(screen, RolesScreen)
    return screen


async def go_to(pilot: Pilot[None], role: str, permission: str) -> None:
    """Move the cursor (which starts on the first role of the first permission) to a cell."""
    await pilot.press(*["down"] * PERMISSIONS.index(permission),
                      *["right"] * ROLES.index(role))
    await pilot.pause()


def shown(screen: RolesScreen, role: str, permission: str) -> str:
    table = screen.query_one("#roles", DataTable)
    return str(table.get_cell(permission, role))


async def test_an_admin_grants_and_revokes_a_permission(demo_db: Database,
                                                        tmp_path: Path) -> None:
    assert not has_permission(demo_db, "seller", "refund")
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        screen = await open_roles(pilot)
        assert shown(screen, "seller", "refund") == "-"
        await go_to(pilot, "seller", "refund")
        await pilot.press("space")
        await pilot.pause()
        assert has_permission(demo_db, "seller", "refund")
        assert shown(screen, "seller", "refund") == "yes"
        assert "seller may now refund" in text_of(app, "#info")
        await pilot.press("enter")                       # Enter toggles too: back again,
        await pilot.pause()
        assert isinstance(app.screen, Confirm)           # ... once the revoke is confirmed
        await pilot.press("n")
        await pilot.pause()
        assert has_permission(demo_db, "seller", "refund")
        assert "Nothing changed" in text_of(app, "#info")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not has_permission(demo_db, "seller", "refund")
        assert shown(screen, "seller", "refund") == "-"
        assert "seller may no longer refund" in text_of(app, "#info")
    assert permission_changes(demo_db)[-2:] == [
        ("ada", "permission.grant", "seller", "refund"),
        ("ada", "permission.revoke", "seller", "refund")]


async def test_the_last_user_admin_is_kept(demo_db: Database,
                                          tmp_path: Path) -> None:
    before = permission_matrix(demo_db)
    journaled = permission_changes(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        screen = await open_roles(pilot)
        await go_to(pilot, "admin", "user_admin")
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert "nobody able to administer users" in text_of(app, "#info")
        assert shown(screen, "admin", "user_admin") == "yes"
    assert permission_matrix(demo_db) == before
    assert permission_changes(demo_db) == journaled


async def test_a_coordinator_sees_the_matrix_but_may_not_change_it(
        demo_db: Database, tmp_path: Path) -> None:
    before = permission_matrix(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        screen = await open_roles(pilot)
        assert shown(screen, "coordinator", "refund") == "yes"
        assert shown(screen, "coordinator", "user_admin") == "-"
        await go_to(pilot, "gate", "sell")
        await pilot.press("space")
        await pilot.pause()
        assert "needs the 'user_admin' permission" in text_of(app, "#info")
    assert permission_matrix(demo_db) == before
