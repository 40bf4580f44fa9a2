"""Migration 0013_notices.

Frozen: a migration never changes once released and imports no live code, so every
database gets the same schema whenever it was made."""

from __future__ import annotations

import sqlite_utils

NAME = "0013_notices"


def apply(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        -- What was sent to whom: every reminder letter (and, later, email) to a patron.
        CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('balance_due', 'case')),
            customer_id INTEGER REFERENCES customers(id),
            order_id INTEGER REFERENCES orders(id),
            case_id INTEGER REFERENCES cases(id),
            channel TEXT NOT NULL CHECK (channel IN ('mail', 'email')),
            sent_by INTEGER NOT NULL REFERENCES users(id),
            sent_at TEXT NOT NULL
        );
        CREATE INDEX notices_customer ON notices (customer_id, sent_at);
        CREATE TRIGGER notices_no_update BEFORE UPDATE ON notices
        BEGIN SELECT RAISE(ABORT, 'the log of notices is kept as written'); END;
        CREATE TRIGGER notices_no_delete BEFORE DELETE ON notices
        BEGIN SELECT RAISE(ABORT, 'the log of notices is kept as written'); END;
        """
    )
