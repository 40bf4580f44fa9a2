"""Change my PIN (from the command palette): every signed-in user, with their old PIN.
The new PIN is typed twice; a mismatch or a refused PIN brings the form back with what
was wrong and changes nothing. A wrong old PIN counts towards the lock, as at sign-in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.errors import BoxOfficeError
from core.people import users
from tui.screens.admin_base import Field, FormModal

if TYPE_CHECKING:
    from tui.app import BoxOfficeApp


def change_my_pin(app: BoxOfficeApp, problem: str = "") -> None:
    """Ask for the old PIN and the new one twice, then change it."""
    user = app.seller
    form = FormModal(f"Change the PIN of {user.display_name} ({user.username})", [
        Field("old", "Your PIN now", password=True),
        Field("new", "New PIN (4 to 8 digits)", password=True),
        Field("again", "New PIN again", password=True),
    ], problem=problem)
    app.push_screen(form, lambda values: _change(app, values))


def _change(app: BoxOfficeApp, values: dict[str, str] | None) -> None:
    if values is None:
        return
    if values["new"] != values["again"]:
        change_my_pin(app, "The two new PINs differ. Nothing changed.")
        return
    if values["new"] == values["old"]:
        change_my_pin(app, "The new PIN is the PIN you have now. Nothing changed.")
        return
    try:
        users.change_pin(app.db, app.seller.username, values["old"], values["new"])
    except BoxOfficeError as error:
        if error.code == "user_locked":
            app.show_error(error)
            app.action_lock()
            return
        change_my_pin(app, f"{error.message} Nothing changed.")
        return
    app.notify("Your PIN is changed: sign in with the new one from now on.",
               title="PIN changed")
