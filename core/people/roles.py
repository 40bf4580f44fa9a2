"""Roles and what each may do by default: the model that users, permissions and the
first migration share (the migration keeps its own frozen copy of the grants)."""

from __future__ import annotations

ROLES = ("seller", "gate", "coordinator", "admin")


PERMISSIONS = (
    "sell", "refund", "void", "exchange", "comp", "reprint", "no_sale", "hold", "kill",
    "price_change", "event_setup", "user_admin", "report_access", "shift_signoff",
    "override", "group_sales", "consign", "customer_edit", "will_call", "gate_scan",
    "stock", "stock_override",
)


# The actions the issue calls protected: each is checked by a core service, and the
# role x action test drives every one of them through that service.
PROTECTED_ACTIONS = (
    "refund", "void", "comp", "reprint", "no_sale", "hold", "kill", "price_change",
    "event_setup", "user_admin", "report_access", "shift_signoff", "override", "stock",
    "stock_override",
)


DEFAULT_GRANTS: dict[str, frozenset[str]] = {
    "seller": frozenset({"sell", "customer_edit", "will_call"}),
    "gate": frozenset({"gate_scan"}),
    "coordinator": frozenset({
        "sell", "refund", "void", "exchange", "comp", "reprint", "no_sale", "hold", "kill",
        "price_change", "event_setup", "report_access", "shift_signoff", "override",
        "group_sales", "consign", "customer_edit", "will_call", "gate_scan", "stock",
        "stock_override"}),
    "admin": frozenset(PERMISSIONS),
}
