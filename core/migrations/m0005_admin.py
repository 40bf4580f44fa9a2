"""Migration 0005_admin.

Frozen: a migration never changes once released and imports no live code, so every
database gets the same schema whenever it was made."""

from __future__ import annotations

import sqlite_utils

NAME = "0005_admin"


def apply(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        -- The on-sale window (UTC, ISO 8601); NULL: no limit on that side.
        ALTER TABLE performances ADD COLUMN on_sale_at TEXT;
        ALTER TABLE performances ADD COLUMN off_sale_at TEXT;
        -- A hold code that was ever used is retired, never deleted (carts refer to it).
        ALTER TABLE hold_codes ADD COLUMN active INTEGER NOT NULL DEFAULT 1
            CHECK (active IN (0, 1));
        """
    )
