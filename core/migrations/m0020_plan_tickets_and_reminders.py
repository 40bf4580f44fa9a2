"""Migration 0020_plan_tickets_and_reminders: when a payment plan's tickets are issued,
and instalment reminders in the notices log (core.sales.plans, core.sales.notices).

`payment_plans.tickets`: `first_payment` (the tickets are issued with the first payment,
as every plan before this migration did, so that is the default) or `paid_in_full` (the
order's tickets exist, their seats sold, but no code is handed out until the last
instalment is paid). `notices` gains the kind `instalment` and the instalment it was
about (`instalment_seq`), so a reminder is not sent twice for the same instalment.

Widens the CHECK on notices.kind in place, as migrations 0009 and 0017 do (a CHECK that
only gains a value leaves every stored row as it is; the twelve-step rebuild is not
possible inside the migrations' transaction): the table's SQL in sqlite_schema is
rewritten, schema_version bumped and the file's integrity checked.

Frozen: a migration never changes once released and imports no live code."""

from __future__ import annotations

import sqlite_utils

NAME = "0020_plan_tickets_and_reminders"

_OLD = "CHECK (kind IN ('balance_due', 'case'))"
_NEW = "CHECK (kind IN ('balance_due', 'case', 'instalment'))"

POSTGRESQL = """
ALTER TABLE payment_plans ADD COLUMN tickets TEXT NOT NULL DEFAULT 'first_payment'
    CHECK (tickets IN ('first_payment', 'paid_in_full'));
ALTER TABLE notices ADD COLUMN instalment_seq BIGINT;
ALTER TABLE notices DROP CONSTRAINT notices_kind_check;
ALTER TABLE notices ADD CONSTRAINT notices_kind_check
    CHECK (kind IN ('balance_due', 'case', 'instalment'));
CREATE INDEX notices_instalment ON notices (order_id, kind, instalment_seq);
"""


def apply(db: sqlite_utils.Database) -> None:
    conn = db.conn
    conn.execute("ALTER TABLE payment_plans ADD COLUMN tickets TEXT NOT NULL DEFAULT "
                 "'first_payment' CHECK (tickets IN ('first_payment', 'paid_in_full'))")
    conn.execute("ALTER TABLE notices ADD COLUMN instalment_seq INTEGER")
    (sql,) = conn.execute(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'notices'").fetchone()
    if sql.count(_OLD) != 1:
        raise RuntimeError("migration 0020: the notices table is not the one it expects")
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND "
                     "name = 'notices'", [sql.replace(_OLD, _NEW)])
        conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")
    (result,) = conn.execute("PRAGMA integrity_check").fetchone()
    if result != "ok":
        raise RuntimeError(f"migration 0020: integrity check failed: {result}")
    conn.execute("CREATE INDEX notices_instalment ON notices (order_id, kind, "
                 "instalment_seq)")
