"""Roles and permissions, checked in core services: deny by default.

A role has exactly the permissions granted to it in `role_permissions`; the defaults
below are seeded by the migration and editable by admins. A protected action by someone
without the permission may go ahead on a supervisor override: another user, present at
the window, who has both that permission and `override`, enters their PIN.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import BoxOfficeError
from core.money import refuse_card_numbers
from core.people.models import PERMISSIONS, ROLES, User
from core.people.users import pin_matches
from core.store import journal
from core.store.db import Database, write


class PermissionDenied(BoxOfficeError):
    code = "permission_denied"


@dataclass(frozen=True)
class Override:
    """A supervisor at the window: their username and the PIN they typed."""

    username: str
    pin: str


def has_permission(db: Database, role: str, permission: str) -> bool:
    return db.execute("SELECT 1 FROM role_permissions WHERE role = ? AND permission = ?",
                      [role, permission]).fetchone() is not None


def authorize(db: Database, actor: User, permission: str, *,
              override: Override | None = None) -> str:
    """Allow `actor` to do `permission`, or raise PermissionDenied.

    Returns who approved it: the actor's username, or the supervisor's when an override
    was needed (the override is journaled, and so is a refused one: call this before the
    action's own transaction, or a refusal is rolled back with it). Raises
    PermissionDenied (`permission_denied`, `override_refused`).
    """
    if permission not in PERMISSIONS:
        raise PermissionDenied(f"unknown permission '{permission}'")
    if not actor.locked and has_permission(db, actor.role, permission):
        return actor.username
    if override is None:
        raise PermissionDenied(f"{actor.display_name} ({actor.role}) may not {_words(permission)}"
                               "; a supervisor can approve it with their PIN")

    refuse_card_numbers(supervisor=override.username)   # it is journaled below
    row = db.execute("SELECT id, display_name, role, pin_hash, locked, active FROM users "
                     "WHERE username = ? AND system = 0", [override.username]).fetchone()
    approved = (row is not None and row[5] and not row[4] and pin_matches(override.pin, row[3])
                and has_permission(db, row[2], permission)
                and has_permission(db, row[2], "override"))
    journal.append(db, actor=actor.username,
                   action="override.approved" if approved else "override.refused",
                   subject=f"permission:{permission}",
                   data={"supervisor": override.username})
    if not approved:
        raise PermissionDenied("the supervisor's name or PIN is wrong, or they may not "
                               f"approve this ({_words(permission)})", code="override_refused")
    return override.username


# what a permission lets one do, as a sentence ends: "Sam Seller may not sign off a shift"
_DOING = {
    "no_sale": "open the drawer with no sale", "hold": "hold seats", "kill": "kill seats",
    "price_change": "change prices", "event_setup": "set up events",
    "user_admin": "administer users", "report_access": "see reports",
    "shift_signoff": "sign off a shift", "override": "approve overrides",
    "group_sales": "sell to groups", "consign": "consign tickets",
    "customer_edit": "edit customers", "will_call": "hand out will-call tickets",
    "gate_scan": "scan at the gate", "stock": "manage stock",
    "stock_override": "override stock limits", "comp": "give comps",
    "cases": "handle patron cases",
}


def _words(permission: str) -> str:
    return _DOING.get(permission, permission.replace("_", " "))


@dataclass(frozen=True)
class PermissionMatrix:
    """Which role holds which permission, as the admin screen draws it."""

    roles: tuple[str, ...]
    permissions: tuple[str, ...]
    grants: frozenset[tuple[str, str]]      # (role, permission)

    def allows(self, role: str, permission: str) -> bool:
        return (role, permission) in self.grants


def permission_matrix(db: Database) -> PermissionMatrix:
    """Every role x every permission, from the database (what `authorize` reads)."""
    grants = frozenset((role, permission) for role, permission in db.execute(
        "SELECT role, permission FROM role_permissions"))
    return PermissionMatrix(ROLES, PERMISSIONS, grants)


def _check_names(role: str, permission: str) -> None:
    if role not in ROLES:
        raise PermissionDenied(f"there is no role '{role}' (roles: {', '.join(ROLES)})",
                               code="unknown_role")
    if permission not in PERMISSIONS:
        raise PermissionDenied(f"there is no permission '{permission}'",
                               code="unknown_permission")


def grant(db: Database, actor: User, role: str, permission: str) -> bool:
    """Let every user of `role` do `permission`. Needs `user_admin`. True when it was
    newly granted (and journaled), False when the role already had it. Raises
    PermissionDenied (`permission_denied`, `unknown_role`, `unknown_permission`)."""
    _check_names(role, permission)
    with write(db):
        authorize(db, actor, "user_admin")
        added = db.execute("INSERT INTO role_permissions (role, permission) VALUES (?, ?) "
                           "ON CONFLICT (role, permission) DO NOTHING",
                           [role, permission]).rowcount
        if added:
            journal.append(db, actor=actor.username, action="permission.grant",
                           subject=f"role:{role}", data={"permission": permission})
    return bool(added)


def revoke(db: Database, actor: User, role: str, permission: str) -> bool:
    """Take `permission` away from `role`. Needs `user_admin`. True when it was revoked
    (and journaled), False when the role did not have it. Refused (`last_user_admin`)
    when it would leave no active user able to administer users. Raises
    PermissionDenied (`permission_denied`, `unknown_role`, `unknown_permission`,
    `last_user_admin`)."""
    _check_names(role, permission)
    with write(db):
        authorize(db, actor, "user_admin")
        removed = db.execute("DELETE FROM role_permissions WHERE role = ? AND "
                             "permission = ?", [role, permission]).rowcount
        if removed and permission == "user_admin":
            require_a_user_admin(db)
        if removed:
            journal.append(db, actor=actor.username, action="permission.revoke",
                           subject=f"role:{role}", data={"permission": permission})
    return bool(removed)


def require_a_user_admin(db: Database) -> None:
    """Inside a write, after a change: raise PermissionDenied `last_user_admin` (rolling
    the change back) unless some active user's role still has `user_admin`."""
    left = db.execute(
        "SELECT count(*) FROM users u JOIN role_permissions r ON r.role = u.role "
        "WHERE u.active = 1 AND r.permission = 'user_admin'").fetchone()[0]
    if not left:
        raise PermissionDenied("that would leave nobody able to administer users",
                               code="last_user_admin")
