"""Change my PIN from the command palette, as any signed-in user: with the old PIN, the new
one twice; a mismatch or a wrong old PIN brings the form back and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from core.people import users
from core.people.users import LoginFailed
from core.store.db import Database
from tests.support.app_helpers import fill, make_app, sign_in, text_of
from tui.app import BoxOfficeApp
from tui.commands import window_commands
from tui.screens.admin_base import FormModal


async def open_change_pin(pilot: Pilot[None], app: BoxOfficeApp) -> None:
    command = next(command for command in window_commands(app, app.screen)
                   if command.title == "Change my PIN")
    command.callback()
    await pilot.pause()
    assert isinstance(app.screen, FormModal)


async def test_a_seller_changes_their_pin(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        await open_change_pin(pilot, app)
        assert all(box.password for box in app.screen.query(Input).results(Input))
        await fill(pilot, "1111", "2468", "2486")            # typed wrong the second time
        assert isinstance(app.screen, FormModal)
        assert "The two new PINs differ" in text_of(app, "#form-problem")
        await fill(pilot, "1111", "2468", "2468")
        assert not isinstance(app.screen, FormModal)
        assert any("Your PIN is changed" in str(note.message) for note in app._notifications)
    assert users.authenticate(demo_db, "sam", "2468").username == "sam"
    with pytest.raises(LoginFailed):
        users.authenticate(demo_db, "sam", "1111")


async def test_a_wrong_old_pin_changes_nothing_and_counts(demo_db: Database,
                                                          tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await open_change_pin(pilot, app)
        await fill(pilot, "9999", "2468", "2468")
        assert isinstance(app.screen, FormModal)
        assert "Nothing changed" in text_of(app, "#form-problem")
        await fill(pilot, "3333", "12", "12")                # too short: core refuses it
        assert isinstance(app.screen, FormModal)
        assert "Nothing changed" in text_of(app, "#form-problem")
    assert users.authenticate(demo_db, "cora", "3333").username == "cora"
    failed = demo_db.execute("SELECT count(*) FROM journal WHERE action = 'login.failed'"
                             ).fetchone()[0]
    assert failed == 1          # the wrong old PIN counted, as at sign-in


async def test_the_palette_offers_it_only_to_someone_signed_in(demo_db: Database,
                                                               tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)):
        assert "Change my PIN" not in {c.title for c in window_commands(app, app.screen)}
