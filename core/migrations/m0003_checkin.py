"""Migration 0003_checkin.

Frozen: a migration never changes once released and imports no live code, so every
database gets the same schema whenever it was made."""

from __future__ import annotations

import sqlite_utils

NAME = "0003_checkin"


def apply(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        -- Every scan a gate judged (refusals too: they feed the counters). The nonce is the
        -- device's id for one scan, so a retried upload or a re-merged gate pack never
        -- counts twice. performance_id is the gate's performance; ticket_id/generation
        -- are the decoded code's (NULL when the code could not be trusted).
        CREATE TABLE scans (
            id INTEGER PRIMARY KEY,
            nonce TEXT NOT NULL UNIQUE,
            ticket_id INTEGER,
            generation INTEGER,
            performance_id INTEGER NOT NULL REFERENCES performances(id),
            gate TEXT NOT NULL,
            device TEXT NOT NULL DEFAULT '',
            actor TEXT NOT NULL DEFAULT '',
            direction TEXT NOT NULL CHECK (direction IN ('entry', 'exit', 'status')),
            verdict TEXT NOT NULL,           -- a checkin.Verdict code: ADMIT, ALREADY_IN, ...
            reason TEXT NOT NULL DEFAULT '', -- machine detail: token reason, ticket status
            detail TEXT NOT NULL DEFAULT '', -- what the gate showed
            scanned_at TEXT NOT NULL,        -- UTC, ISO 8601
            conflict INTEGER NOT NULL DEFAULT 0   -- an offline duplicate admission, kept
        );
        CREATE INDEX scans_ticket ON scans(performance_id, ticket_id);
        CREATE INDEX scans_gate ON scans(performance_id, gate, scanned_at);
        -- Covers the gate counters (admitted, inside, refusals by reason) at 50,000 scans.
        CREATE INDEX scans_verdict ON scans(performance_id, verdict, gate, direction, conflict);
        -- Re-entry policy per event: 1 lets a ticket whose last scan was an exit in again.
        ALTER TABLE events ADD COLUMN reentry INTEGER NOT NULL DEFAULT 0
            CHECK (reentry IN (0, 1));
        """
    )
