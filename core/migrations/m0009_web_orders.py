"""Migration 0009_web_orders: orders may come from the web storefront and may be reserved.

Widens two CHECKs on orders: channel gains 'web', status gains 'reserved' (an unpaid
reservation, to be paid at the box office), and adds `pay_by`, a reservation's deadline.

Migrations run inside one BEGIN IMMEDIATE transaction with foreign keys on, where the
usual twelve-step table rebuild is not possible (PRAGMA foreign_keys cannot change inside
a transaction, and dropping orders would break every ticket's reference). A CHECK that
only accepts more values does not change what is stored on disk, so this uses SQLite's
documented simpler procedure (https://sqlite.org/lang_altertable.html, "otherchanges"):
rewrite the table's SQL in sqlite_schema, bump schema_version, and check integrity.

Frozen: a migration never changes once released and imports no live code."""

from __future__ import annotations

import sqlite_utils

NAME = "0009_web_orders"

_CHANNEL_OLD = "CHECK (channel IN ('window', 'group', 'consignment'))"
_CHANNEL_NEW = "CHECK (channel IN ('window', 'group', 'consignment', 'web'))"
_STATUS_OLD = "'on_account', 'voided', 'cancelled'))"
_STATUS_NEW = "'on_account', 'voided', 'cancelled', 'reserved'))"


def apply(db: sqlite_utils.Database) -> None:
    conn = db.conn
    (sql,) = conn.execute(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'orders'").fetchone()
    if sql.count(_CHANNEL_OLD) != 1 or sql.count(_STATUS_OLD) != 1:
        raise RuntimeError("migration 0009: the orders table is not the one it expects")
    new_sql = sql.replace(_CHANNEL_OLD, _CHANNEL_NEW).replace(_STATUS_OLD, _STATUS_NEW)
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'orders'",
                     [new_sql])
        conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")
    db.executescript(
        """
        -- A reservation's pay-by deadline (status 'reserved'); NULL for every other order.
        ALTER TABLE orders ADD COLUMN pay_by TEXT;
        """
    )
    (result,) = conn.execute("PRAGMA integrity_check").fetchone()
    if result != "ok":
        raise RuntimeError(f"migration 0009: integrity check failed: {result}")
