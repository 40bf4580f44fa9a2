"""Roles and permissions, checked in core services: deny by default.

A role has exactly the permissions granted to it in `role_permissions`; the defaults
below are seeded by the migration and editable by admins. A protected action by someone
without the permission may go ahead on a supervisor override: another user, present at
the window, who has both that permission and `override`, enters their PIN.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from core import journal
from core.errors import BoxOfficeError
from core.users import User, pin_matches

PERMISSIONS = (
    "sell", "refund", "void", "exchange", "comp", "reprint", "no_sale", "hold", "kill",
    "price_change", "event_setup", "user_admin", "report_access", "shift_signoff",
    "override", "group_sales", "consign", "customer_edit", "will_call", "gate_scan",
)

DEFAULT_GRANTS: dict[str, frozenset[str]] = {
    "seller": frozenset({"sell", "customer_edit", "will_call"}),
    "gate": frozenset({"gate_scan"}),
    "coordinator": frozenset({
        "sell", "refund", "void", "exchange", "comp", "reprint", "no_sale", "hold", "kill",
        "price_change", "event_setup", "report_access", "shift_signoff", "override",
        "group_sales", "consign", "customer_edit", "will_call", "gate_scan"}),
    "admin": frozenset(PERMISSIONS),
}


class PermissionDenied(BoxOfficeError):
    code = "permission_denied"


@dataclass(frozen=True)
class Override:
    """A supervisor at the window: their username and the PIN they typed."""

    username: str
    pin: str


def has_permission(db: sqlite_utils.Database, role: str, permission: str) -> bool:
    return db.execute("SELECT 1 FROM role_permissions WHERE role = ? AND permission = ?",
                      [role, permission]).fetchone() is not None


def authorize(db: sqlite_utils.Database, actor: User, permission: str, *,
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
    from core.tenders import refuse_card_numbers

    refuse_card_numbers(supervisor=override.username)   # it is journaled below
    row = db.execute("SELECT id, display_name, role, pin_hash, locked, active FROM users "
                     "WHERE username = ?", [override.username]).fetchone()
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


def _words(permission: str) -> str:
    return permission.replace("_", " ")
