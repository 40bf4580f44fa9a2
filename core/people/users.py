"""Users and their PINs.

PINs are hashed with scrypt (memory-hard; its parameters are stored beside each hash so
they can be raised later) and compared in constant time.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from core.errors import BoxOfficeError, NotFound
from core.free_text import clean_text
from core.people.models import User
from core.store import journal
from core.store.db import Database, write

_N, _R, _P = 2**14, 8, 1


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


def list_users(db: Database, *, include_inactive: bool = False) -> list[User]:
    """Users in the order they were created; deactivated ones only when asked; never the
    system's own accounts (the storefront's `web`)."""
    where = "WHERE system = 0 " + ("" if include_inactive else "AND active = 1 ")
    return [User(row[0], row[1], row[2], row[3], bool(row[4]), bool(row[5]), row[6])
            for row in db.execute("SELECT id, username, display_name, role, locked, active, "
                                  f"failed_logins FROM users {where}ORDER BY id")]


def get_user(db: Database, username: str) -> User:
    """One active user by name. Raises NotFound."""

    row = db.execute("SELECT id, username, display_name, role, locked FROM users "
                     "WHERE username = ? AND active = 1 AND system = 0",
                     [username]).fetchone()
    if row is None:
        raise NotFound(f"there is no user '{username}'", code="unknown_user")
    return User(row[0], row[1], row[2], row[3], bool(row[4]))


MAX_FAILED_LOGINS = 5


@functools.cache
def _dummy_hash() -> str:
    return hash_pin("0000")


def _as_typed(username: str) -> str:
    """A typed user name fit for the journal: a card number, a control character or a
    screenful typed into the name field is not written down."""
    try:
        return clean_text(username, "user name")
    except BoxOfficeError:
        return "(unreadable name)"


class LoginFailed(BoxOfficeError):
    code = "login_failed"


def authenticate(db: Database, username: str, pin: str) -> User:
    """Check a user's PIN. The fifth wrong PIN in a row locks the user until a coordinator
    or admin unlocks them; the lock is in the database, so it survives a restart. Every
    success, failure and lock is journaled. Raises LoginFailed (`login_failed`,
    `user_locked`)."""

    refusal: LoginFailed | None = None
    sql = ("SELECT id, display_name, role, pin_hash, failed_logins, locked FROM users "
           "WHERE username = ? AND active = 1 AND system = 0")
    # scrypt takes tens of milliseconds: hash before taking the write lock, so sixteen
    # sign-ins at once do not queue behind each other's hashing ("database is locked")
    seen = db.execute(sql, [username]).fetchone()
    # same work as a real check, so a wrong name is not quicker than a wrong PIN
    matched = pin_matches(pin, seen[3] if seen else _dummy_hash())
    with write(db):   # refusals are journaled too, so raise only after the commit
        row = db.execute(sql, [username]).fetchone()
        if row is not None and (seen is None or row[3] != seen[3]):
            matched = pin_matches(pin, row[3])   # the PIN changed meanwhile: rare
        if row is None:
            journal.append(db, actor=_as_typed(username), action="login.failed",
                           subject="user:?",
                           data={"reason": "unknown user"})
            refusal = LoginFailed("wrong user name or PIN")
        else:
            user_id, display_name, role, _, failed, locked = row
            if locked:
                journal.append(db, actor=username, action="login.refused",
                               subject=f"user:{user_id}", data={"reason": "locked"})
                refusal = LoginFailed(
                    f"{display_name} is locked after {MAX_FAILED_LOGINS} wrong PINs; a "
                    "coordinator or admin can unlock", code="user_locked")
            elif matched:
                if failed:
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


def change_pin(db: Database, username: str, old_pin: str, new_pin: str) -> None:
    """A user changes their own PIN: the old one is checked as a login is (a wrong one
    counts towards the lock). Raises LoginFailed, BoxOfficeError `bad_pin`."""
    check_pin_format(new_pin)
    user = authenticate(db, username, old_pin)
    pin_hash = hash_pin(new_pin)
    with write(db):
        db.execute("UPDATE users SET pin_hash = ? WHERE id = ?", [pin_hash, user.id])
        journal.append(db, actor=username, action="user.change_pin",
                       subject=f"user:{user.id}", data={})


def _tries(count: int) -> str:
    return f"{count} try" if count == 1 else f"{count} tries"
