"""Migration 0010_cases.

Frozen: a migration never changes once released and imports no live code, so every
database gets the same schema whenever it was made."""

from __future__ import annotations

import sqlite_utils

NAME = "0010_cases"


def apply(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        -- Patron services: an inquiry, complaint or request, from logging to a written
        -- disposition. What happened to it is in case_notes and the journal.
        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('inquiry', 'complaint', 'request')),
            channel TEXT NOT NULL CHECK (channel IN ('counter', 'phone', 'email', 'web')),
            category TEXT NOT NULL CHECK (length(trim(category)) BETWEEN 1 AND 40),
            description TEXT NOT NULL CHECK (length(trim(description)) BETWEEN 1 AND 4000),
            priority TEXT NOT NULL DEFAULT 'normal'
                CHECK (priority IN ('low', 'normal', 'high')),
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'waiting', 'resolved', 'referred')),
            customer_id INTEGER REFERENCES customers(id),
            order_id INTEGER REFERENCES orders(id),
            performance_id INTEGER REFERENCES performances(id),
            opened_by INTEGER NOT NULL REFERENCES users(id),
            opened_at TEXT NOT NULL,
            assignee_id INTEGER REFERENCES users(id),
            follow_up TEXT,                        -- a date, YYYY-MM-DD, in the venue's zone
            disposition TEXT,
            closed_by INTEGER REFERENCES users(id),
            closed_at TEXT,
            CHECK ((status IN ('resolved', 'referred')) = (disposition IS NOT NULL
                                                           AND closed_at IS NOT NULL))
        );
        CREATE INDEX cases_open ON cases (status, follow_up);
        CREATE INDEX cases_customer ON cases (customer_id);

        CREATE TABLE case_notes (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            at TEXT NOT NULL,
            text TEXT NOT NULL CHECK (length(trim(text)) BETWEEN 1 AND 4000)
        );
        CREATE INDEX case_notes_case ON case_notes (case_id, id);
        -- kept as written; the one change allowed is wiping it when the patron it is
        -- about asks to be forgotten
        CREATE TRIGGER case_notes_no_update BEFORE UPDATE ON case_notes
        WHEN NEW.text != '(anonymised)'
        BEGIN SELECT RAISE(ABORT, 'a case note is kept as written'); END;
        CREATE TRIGGER case_notes_no_delete BEFORE DELETE ON case_notes
        BEGIN SELECT RAISE(ABORT, 'a case note is kept as written'); END;
        """
    )
    db.conn.executemany(
        "INSERT INTO role_permissions (role, permission) VALUES (?, ?) "
        "ON CONFLICT (role, permission) DO NOTHING",
        [(role, "cases") for role in ("seller", "coordinator", "admin")])
