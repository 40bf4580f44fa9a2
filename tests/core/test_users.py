"""Users: PINs hashed with scrypt, five wrong PINs lock, the lock survives a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import BoxOfficeError
from core.people.accounts import create_first_admin, create_user, unlock_user
from core.people.models import User
from core.people.permissions import PermissionDenied
from core.people.users import LoginFailed, authenticate, get_user
from core.store import journal
from core.store.db import Database
from core.store.schema import open_database


def _admin(db: Database) -> User:
    return create_first_admin(db, "ada", "Ada", "4444")


def test_pins_are_hashed_with_their_parameters(db: Database) -> None:
    create_user(db, _admin(db), "sam", "Sam", "seller", "1234")
    stored = db.execute("SELECT pin_hash FROM users WHERE username = 'sam'").fetchone()[0]
    assert stored.startswith("scrypt$16384$8$1$") and "1234" not in stored
    assert authenticate(db, "sam", "1234").role == "seller"


@pytest.mark.parametrize("pin", ["123", "12a4", "", "    "])
def test_a_pin_is_at_least_four_digits(db: Database, pin: str) -> None:
    with pytest.raises(BoxOfficeError) as caught:
        create_user(db, _admin(db), "x", "X", "seller", pin)
    assert caught.value.code == "bad_pin"


def test_five_wrong_pins_lock_and_the_lock_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "box.db"
    db = open_database(path)
    ada = _admin(db)
    create_user(db, ada, "sam", "Sam", "seller", "1111")
    create_user(db, ada, "cora", "Cora", "coordinator", "3333")
    for tries_left in (4, 3, 2, 1):
        words = "1 try left" if tries_left == 1 else f"{tries_left} tries left"
        with pytest.raises(LoginFailed, match=words):
            authenticate(db, "sam", "0000")
    with pytest.raises(LoginFailed) as fifth:
        authenticate(db, "sam", "0000")
    assert fifth.value.code == "user_locked"
    db.close()
    reopened = open_database(path)
    with pytest.raises(LoginFailed) as still:
        authenticate(reopened, "sam", "1111")   # the right PIN does not help now
    assert still.value.code == "user_locked"
    with pytest.raises(PermissionDenied):
        unlock_user(reopened, get_user(reopened, "sam"), "sam")
    unlock_user(reopened, get_user(reopened, "cora"), "sam")
    assert authenticate(reopened, "sam", "1111").username == "sam"
    actions = [row[0] for row in reopened.execute("SELECT action FROM journal ORDER BY id")]
    assert actions.count("login.failed") == 4 and "login.locked" in actions
    assert "user.unlock" in actions and journal.verify(reopened).ok


def test_a_right_pin_resets_the_count(db: Database) -> None:
    create_user(db, _admin(db), "sam", "Sam", "seller", "1111")
    for _ in range(4):
        with pytest.raises(LoginFailed):
            authenticate(db, "sam", "9999")
    authenticate(db, "sam", "1111")
    with pytest.raises(LoginFailed, match="4 tries left"):
        authenticate(db, "sam", "9999")


def test_an_unknown_user_fails_like_a_wrong_pin(db: Database) -> None:
    with pytest.raises(LoginFailed) as caught:
        authenticate(db, "nobody", "1111")
    assert caught.value.code == "login_failed"


def test_refused_logins_are_journaled(db: Database) -> None:
    with pytest.raises(LoginFailed):
        authenticate(db, "nobody", "1111")
    assert db.execute("SELECT action FROM journal").fetchone()[0] == "login.failed"
