"""Migration 0017_account_credit: payments may be in the tender `credit`, a customer's
account credit: a refund to credit is a negative `credit` payment (the money stays with
the house, owed to the customer), paying with credit a positive one. A customer's balance
is read from these payments (and their `money` journal rows), never stored.

Widens the CHECK on payments.tender in place, as migration 0009 does for orders (a CHECK
that only gains a value leaves every stored row as it is; the twelve-step rebuild is not
possible inside the migrations' transaction): the table's SQL in sqlite_schema is
rewritten, schema_version bumped and the file's integrity checked.

Frozen: a migration never changes once released and imports no live code."""

from __future__ import annotations

import sqlite_utils

NAME = "0017_account_credit"

_OLD = "CHECK (tender IN ('cash', 'card', 'check', 'comp', 'account'))"
_NEW = "CHECK (tender IN ('cash', 'card', 'check', 'comp', 'account', 'credit'))"


def apply(db: sqlite_utils.Database) -> None:
    conn = db.conn
    (sql,) = conn.execute(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'payments'").fetchone()
    if sql.count(_OLD) != 1:
        raise RuntimeError("migration 0017: the payments table is not the one it expects")
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND "
                     "name = 'payments'", [sql.replace(_OLD, _NEW)])
        conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")
    (result,) = conn.execute("PRAGMA integrity_check").fetchone()
    if result != "ok":
        raise RuntimeError(f"migration 0017: integrity check failed: {result}")
