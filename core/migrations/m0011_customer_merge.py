"""Migration 0011_customer_merge: merged records, contact consent, anonymisation.

Frozen: a migration never changes once released and imports no live code, so every
database gets the same schema whenever it was made."""

from __future__ import annotations

import sqlite_utils

NAME = "0011_customer_merge"


def apply(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        -- A customer merged into another keeps its row (old journal entries and slips
        -- name it) but points at the kept record and is left out of searches.
        ALTER TABLE customers ADD COLUMN merged_into INTEGER REFERENCES customers(id);
        -- what the patron agreed to be contacted by: every mailing asks this first
        ALTER TABLE customers ADD COLUMN consent TEXT NOT NULL DEFAULT 'none'
            CHECK (consent IN ('none', 'mail', 'email', 'mail,email'));
        -- set when a patron asked to be forgotten: their orders stay, their details go
        ALTER TABLE customers ADD COLUMN anonymised_at TEXT;
        CREATE INDEX customers_email ON customers (email COLLATE NOCASE) WHERE email != '';
        CREATE INDEX customers_phone ON customers (phone) WHERE phone != '';
        """
    )
