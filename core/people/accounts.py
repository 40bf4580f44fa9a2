"""User administration: creating users, their roles, PINs reset by an admin, locking out
and back in. Each is a permission-checked action over users and permissions."""

from __future__ import annotations

from core.errors import BoxOfficeError, NotFound
from core.free_text import clean_text
from core.people.models import ROLES, User
from core.people.permissions import (
    PermissionDenied,
    authorize,
    has_permission,
    require_a_user_admin,
)
from core.people.users import check_pin_format, get_user, hash_pin
from core.store import journal
from core.store.db import Database, insert, write


def _insert_user(db: Database, username: str, display_name: str, role: str,
                 pin: str, actor: str) -> User:
    if role not in ROLES:
        raise BoxOfficeError(f"role must be one of {', '.join(ROLES)}", code="bad_role")
    if not username.strip() or not username.isprintable() or " " in username:
        raise BoxOfficeError("a user name is one word", code="bad_username")
    if not display_name.strip():
        raise BoxOfficeError("a user needs a display name", code="bad_name")
    username = clean_text(username, "user name")
    display_name = clean_text(display_name, "display name")
    check_pin_format(pin)
    pin_hash = hash_pin(pin)
    with write(db):
        if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise BoxOfficeError(f"there is already a user '{username}'", code="user_exists")
        user_id = insert(db,
            "INSERT INTO users (username, display_name, role, pin_hash) VALUES (?, ?, ?, ?)",
            [username, display_name.strip(), role, pin_hash])
        journal.append(db, actor=actor, action="user.create", subject=f"user:{user_id}",
                       data={"username": username, "role": role})
    return User(user_id, username, display_name.strip(), role, False)


def create_user(db: Database, actor: User, username: str, display_name: str,
                role: str, pin: str) -> User:
    """Create a user. Needs `user_admin`. Raises PermissionDenied, BoxOfficeError
    `bad_role`, `bad_username`, `bad_name`, `bad_pin`, `user_exists`."""

    with write(db):
        authorize(db, actor, "user_admin")
        return _insert_user(db, username, display_name, role, pin, actor.username)


def create_first_admin(db: Database, username: str, display_name: str,
                       pin: str) -> User:
    """The first user of a new database, an admin: the one user nobody has to authorize.
    Raises BoxOfficeError `users_exist` once the database has any user, and the codes of
    `create_user`."""
    with write(db):
        if db.execute("SELECT 1 FROM users WHERE system = 0 LIMIT 1").fetchone() is not None:
            raise BoxOfficeError("this database already has users: an admin adds more",
                                 code="users_exist")
        return _insert_user(db, username, display_name, "admin", pin, "setup")


def unlock_user(db: Database, actor: User, username: str) -> None:
    """Unlock a user and reset their failed PIN count. Needs a coordinator or admin
    (`user_admin` or `override`). Raises PermissionDenied, NotFound."""

    with write(db):
        if not (has_permission(db, actor.role, "user_admin")
                or has_permission(db, actor.role, "override")):
            raise PermissionDenied(f"a {actor.role} may not unlock users")
        target = get_user(db, username)
        db.execute("UPDATE users SET locked = 0, failed_logins = 0 WHERE id = ?", [target.id])
        journal.append(db, actor=actor.username, action="user.unlock",
                       subject=f"user:{target.id}", data={})


def _target(db: Database, username: str) -> tuple[int, str, bool]:
    """(id, role, active) of any user, active or not. Raises NotFound `unknown_user`."""

    row = db.execute("SELECT id, role, active FROM users WHERE username = ? AND "
                     "system = 0", [username]).fetchone()
    if row is None:
        raise NotFound(f"there is no user '{username}'", code="unknown_user")
    return int(row[0]), str(row[1]), bool(row[2])


def change_role(db: Database, actor: User, username: str, role: str) -> None:
    """Give a user another role. Needs `user_admin`. Refused (`last_user_admin`) when it
    would leave nobody able to administer users. Raises PermissionDenied, NotFound,
    BoxOfficeError `bad_role`."""

    if role not in ROLES:
        raise BoxOfficeError(f"role must be one of {', '.join(ROLES)}", code="bad_role")
    with write(db):
        authorize(db, actor, "user_admin")
        user_id, old_role, _ = _target(db, username)
        if old_role == role:
            return
        db.execute("UPDATE users SET role = ? WHERE id = ?", [role, user_id])
        require_a_user_admin(db)
        journal.append(db, actor=actor.username, action="user.role",
                       subject=f"user:{user_id}", data={"from": old_role, "to": role})


def reset_pin(db: Database, actor: User, username: str, pin: str) -> None:
    """Set a user's PIN (a forgotten one): also clears the failed count and any lock.
    Needs `user_admin`. Raises PermissionDenied, NotFound, BoxOfficeError `bad_pin`."""

    check_pin_format(pin)
    pin_hash = hash_pin(pin)
    with write(db):
        authorize(db, actor, "user_admin")
        user_id, _, _ = _target(db, username)
        db.execute("UPDATE users SET pin_hash = ?, failed_logins = 0, locked = 0 "
                   "WHERE id = ?", [pin_hash, user_id])
        journal.append(db, actor=actor.username, action="user.reset_pin",
                       subject=f"user:{user_id}", data={})


def _set_active(db: Database, actor: User, username: str, active: bool) -> None:

    with write(db):
        authorize(db, actor, "user_admin")
        user_id, _, was_active = _target(db, username)
        if was_active == active:
            return
        db.execute("UPDATE users SET active = ? WHERE id = ?", [int(active), user_id])
        if not active:
            require_a_user_admin(db)
        journal.append(db, actor=actor.username,
                       action="user.reactivate" if active else "user.deactivate",
                       subject=f"user:{user_id}", data={})


def deactivate_user(db: Database, actor: User, username: str) -> None:
    """Stop a user from logging in (kept, never deleted: the journal and orders name
    them). Needs `user_admin`. Refused (`last_user_admin`) for the last user who can
    administer users. Raises PermissionDenied, NotFound."""
    _set_active(db, actor, username, False)


def reactivate_user(db: Database, actor: User, username: str) -> None:
    """Let a deactivated user log in again. Needs `user_admin`. Raises PermissionDenied,
    NotFound."""
    _set_active(db, actor, username, True)
