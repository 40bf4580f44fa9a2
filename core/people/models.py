"""What people are to the other layers: a user, the roles and what each may do by default.
Plain data: importing these pulls in no service. (Migration 0002 keeps its own frozen copy
of the grants.)"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("seller", "gate", "coordinator", "admin")


PERMISSIONS = (
    "sell", "refund", "void", "exchange", "comp", "reprint", "no_sale", "hold", "kill",
    "price_change", "event_setup", "user_admin", "report_access", "shift_signoff",
    "override", "group_sales", "consign", "customer_edit", "will_call", "gate_scan",
    "stock", "stock_override", "cases",
)


# The actions the issue calls protected: each is checked by a core service, and the
# role x action test drives every one of them through that service.
PROTECTED_ACTIONS = (
    "refund", "void", "comp", "reprint", "no_sale", "hold", "kill", "price_change",
    "event_setup", "user_admin", "report_access", "shift_signoff", "override", "stock",
    "stock_override",
)


DEFAULT_GRANTS: dict[str, frozenset[str]] = {
    "seller": frozenset({"sell", "customer_edit", "will_call", "cases"}),
    "gate": frozenset({"gate_scan"}),
    "coordinator": frozenset({
        "sell", "refund", "void", "exchange", "comp", "reprint", "no_sale", "hold", "kill",
        "price_change", "event_setup", "report_access", "shift_signoff", "override",
        "group_sales", "consign", "customer_edit", "will_call", "gate_scan", "stock",
        "stock_override", "cases"}),
    "admin": frozenset(PERMISSIONS),
}


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    locked: bool
    active: bool = True
    failed_logins: int = 0
