"""Users and their PINs.

PINs are hashed with scrypt (memory-hard; its parameters are stored beside each hash so
they can be raised later) and compared in constant time.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlite_utils

from core import journal
from core.db import write
from core.errors import BoxOfficeError

ROLES = ("seller", "gate", "coordinator", "admin")
_N, _R, _P = 2**14, 8, 1


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    locked: bool
    active: bool = True
    failed_logins: int = 0


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    """True when `pin` matches the stored hash; False for a malformed hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n),
                                   r=int(r), p=int(p), dklen=len(digest) // 2)
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)


def check_pin_format(pin: str) -> None:
    """Raises BoxOfficeError `bad_pin` unless the PIN is at least 4 digits."""
    if len(pin) < 4 or not pin.isdigit():
        raise BoxOfficeError("a PIN is at least 4 digits", code="bad_pin")


def _insert_user(db: sqlite_utils.Database, username: str, display_name: str, role: str,
                 pin: str, actor: str) -> User:
    if role not in ROLES:
        raise BoxOfficeError(f"role must be one of {', '.join(ROLES)}", code="bad_role")
    if not username.strip() or not username.isprintable() or " " in username:
        raise BoxOfficeError("a user name is one word", code="bad_username")
    if not display_name.strip():
        raise BoxOfficeError("a user needs a display name", code="bad_name")
    check_pin_format(pin)
    pin_hash = hash_pin(pin)
    with write(db):
        if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise BoxOfficeError(f"there is already a user '{username}'", code="user_exists")
        user_id = db.execute(
            "INSERT INTO users (username, display_name, role, pin_hash) VALUES (?, ?, ?, ?)",
            [username, display_name.strip(), role, pin_hash]).lastrowid
        assert user_id is not None
        journal.append(db, actor=actor, action="user.create", subject=f"user:{user_id}",
                       data={"username": username, "role": role})
    return User(user_id, username, display_name.strip(), role, False)


def create_user(db: sqlite_utils.Database, actor: User, username: str, display_name: str,
                role: str, pin: str) -> User:
    """Create a user. Needs `user_admin`. Raises PermissionDenied, BoxOfficeError
    `bad_role`, `bad_username`, `bad_name`, `bad_pin`, `user_exists`."""
    from core.permissions import authorize

    with write(db):
        authorize(db, actor, "user_admin")
        return _insert_user(db, username, display_name, role, pin, actor.username)


def create_first_admin(db: sqlite_utils.Database, username: str, display_name: str,
                       pin: str) -> User:
    """The first user of a new database, an admin: the one user nobody has to authorize.
    Raises BoxOfficeError `users_exist` once the database has any user, and the codes of
    `create_user`."""
    with write(db):
        if db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None:
            raise BoxOfficeError("this database already has users: an admin adds more",
                                 code="users_exist")
        return _insert_user(db, username, display_name, "admin", pin, "setup")


def list_users(db: sqlite_utils.Database, *, include_inactive: bool = False) -> list[User]:
    """Users in the order they were created; deactivated ones only when asked."""
    where = "" if include_inactive else "WHERE active = 1 "
    return [User(row[0], row[1], row[2], row[3], bool(row[4]), bool(row[5]), row[6])
            for row in db.execute("SELECT id, username, display_name, role, locked, active, "
                                  f"failed_logins FROM users {where}ORDER BY id")]


def get_user(db: sqlite_utils.Database, username: str) -> User:
    """One active user by name. Raises NotFound."""
    from core.errors import NotFound

    row = db.execute("SELECT id, username, display_name, role, locked FROM users "
                     "WHERE username = ? AND active = 1", [username]).fetchone()
    if row is None:
        raise NotFound(f"there is no user '{username}'", code="unknown_user")
    return User(row[0], row[1], row[2], row[3], bool(row[4]))


MAX_FAILED_LOGINS = 5


@functools.cache
def _dummy_hash() -> str:
    return hash_pin("0000")


class LoginFailed(BoxOfficeError):
    code = "login_failed"


def authenticate(db: sqlite_utils.Database, username: str, pin: str) -> User:
    """Check a user's PIN. The fifth wrong PIN in a row locks the user until a coordinator
    or admin unlocks them; the lock is in the database, so it survives a restart. Every
    success, failure and lock is journaled. Raises LoginFailed (`login_failed`,
    `user_locked`)."""
    from core.db import write

    refusal: LoginFailed | None = None
    with write(db):   # refusals are journaled too, so raise only after the commit
        row = db.execute("SELECT id, display_name, role, pin_hash, failed_logins, locked "
                         "FROM users WHERE username = ? AND active = 1",
                         [username]).fetchone()
        if row is None:
            # same work as a real check, so a wrong name is not quicker than a wrong PIN
            pin_matches(pin, _dummy_hash())
            journal.append(db, actor=username, action="login.failed", subject="user:?",
                           data={"reason": "unknown user"})
            refusal = LoginFailed("wrong user name or PIN")
        else:
            user_id, display_name, role, pin_hash, failed, locked = row
            if locked:
                journal.append(db, actor=username, action="login.refused",
                               subject=f"user:{user_id}", data={"reason": "locked"})
                refusal = LoginFailed(
                    f"{display_name} is locked after {MAX_FAILED_LOGINS} wrong PINs; a "
                    "coordinator or admin can unlock", code="user_locked")
            elif pin_matches(pin, pin_hash):
                db.execute("UPDATE users SET failed_logins = 0 WHERE id = ?", [user_id])
                journal.append(db, actor=username, action="login",
                               subject=f"user:{user_id}", data={})
                return User(user_id, username, display_name, role, False)
            else:
                failed += 1
                now_locked = failed >= MAX_FAILED_LOGINS
                db.execute("UPDATE users SET failed_logins = ?, locked = ? WHERE id = ?",
                           [failed, int(now_locked), user_id])
                journal.append(db, actor=username, action="login.locked" if now_locked
                               else "login.failed", subject=f"user:{user_id}",
                               data={"failed": failed})
                refusal = LoginFailed(
                    f"wrong PIN; {display_name} is now locked. A coordinator or admin can "
                    "unlock", code="user_locked") if now_locked else LoginFailed(
                    f"wrong user name or PIN ({_tries(MAX_FAILED_LOGINS - failed)} left)")
    raise refusal


def unlock_user(db: sqlite_utils.Database, actor: User, username: str) -> None:
    """Unlock a user and reset their failed PIN count. Needs a coordinator or admin
    (`user_admin` or `override`). Raises PermissionDenied, NotFound."""
    from core.db import write
    from core.permissions import PermissionDenied, has_permission

    with write(db):
        if not (has_permission(db, actor.role, "user_admin")
                or has_permission(db, actor.role, "override")):
            raise PermissionDenied(f"a {actor.role} may not unlock users")
        target = get_user(db, username)
        db.execute("UPDATE users SET locked = 0, failed_logins = 0 WHERE id = ?", [target.id])
        journal.append(db, actor=actor.username, action="user.unlock",
                       subject=f"user:{target.id}", data={})


def _target(db: sqlite_utils.Database, username: str) -> tuple[int, str, bool]:
    """(id, role, active) of any user, active or not. Raises NotFound `unknown_user`."""
    from core.errors import NotFound

    row = db.execute("SELECT id, role, active FROM users WHERE username = ?",
                     [username]).fetchone()
    if row is None:
        raise NotFound(f"there is no user '{username}'", code="unknown_user")
    return int(row[0]), str(row[1]), bool(row[2])


def change_role(db: sqlite_utils.Database, actor: User, username: str, role: str) -> None:
    """Give a user another role. Needs `user_admin`. Refused (`last_user_admin`) when it
    would leave nobody able to administer users. Raises PermissionDenied, NotFound,
    BoxOfficeError `bad_role`."""
    from core.permissions import authorize, require_a_user_admin

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


def reset_pin(db: sqlite_utils.Database, actor: User, username: str, pin: str) -> None:
    """Set a user's PIN (a forgotten one): also clears the failed count and any lock.
    Needs `user_admin`. Raises PermissionDenied, NotFound, BoxOfficeError `bad_pin`."""
    from core.permissions import authorize

    check_pin_format(pin)
    pin_hash = hash_pin(pin)
    with write(db):
        authorize(db, actor, "user_admin")
        user_id, _, _ = _target(db, username)
        db.execute("UPDATE users SET pin_hash = ?, failed_logins = 0, locked = 0 "
                   "WHERE id = ?", [pin_hash, user_id])
        journal.append(db, actor=actor.username, action="user.reset_pin",
                       subject=f"user:{user_id}", data={})


def change_pin(db: sqlite_utils.Database, username: str, old_pin: str, new_pin: str) -> None:
    """A user changes their own PIN: the old one is checked as a login is (a wrong one
    counts towards the lock). Raises LoginFailed, BoxOfficeError `bad_pin`."""
    check_pin_format(new_pin)
    user = authenticate(db, username, old_pin)
    pin_hash = hash_pin(new_pin)
    with write(db):
        db.execute("UPDATE users SET pin_hash = ? WHERE id = ?", [pin_hash, user.id])
        journal.append(db, actor=username, action="user.change_pin",
                       subject=f"user:{user.id}", data={})


def _set_active(db: sqlite_utils.Database, actor: User, username: str, active: bool) -> None:
    from core.permissions import authorize, require_a_user_admin

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


def deactivate_user(db: sqlite_utils.Database, actor: User, username: str) -> None:
    """Stop a user from logging in (kept, never deleted: the journal and orders name
    them). Needs `user_admin`. Refused (`last_user_admin`) for the last user who can
    administer users. Raises PermissionDenied, NotFound."""
    _set_active(db, actor, username, False)


def reactivate_user(db: sqlite_utils.Database, actor: User, username: str) -> None:
    """Let a deactivated user log in again. Needs `user_admin`. Raises PermissionDenied,
    NotFound."""
    _set_active(db, actor, username, True)


def _tries(count: int) -> str:
    return f"{count} try" if count == 1 else f"{count} tries"
