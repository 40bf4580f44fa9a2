"""Migration 0008_gate_lanes: online gate lanes.

Frozen: a migration never changes once released and imports no live code, so every
database gets the same schema whenever it was made."""

from __future__ import annotations

import sqlite_utils

NAME = "0008_gate_lanes"


def apply(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        -- A lane's device token for the check-in server (core.gate.lanes). Only the token's
        -- SHA-256 is kept: whoever reads the database cannot act as a lane.
        CREATE TABLE lane_tokens (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 40),
            performance_id INTEGER NOT NULL REFERENCES performances(id),
            token_hash TEXT NOT NULL UNIQUE,
            issued_at TEXT NOT NULL,
            issued_by TEXT NOT NULL,
            revoked_at TEXT,
            revoked_by TEXT,
            last_seen_at TEXT,               -- the lane's last request, at most 5 s stale
            queue_length INTEGER NOT NULL DEFAULT 0   -- offline scans it reported waiting
        );
        -- One live token per lane name and performance.
        CREATE UNIQUE INDEX lane_tokens_live_name ON lane_tokens(performance_id, name)
            WHERE revoked_at IS NULL;
        -- Every change a gate must learn of: a ticket sold, refunded, voided, reprinted, or
        -- a copy revoked. Kept by triggers, so no service can forget it; `seq` is the
        -- cursor of the changes feed (core.gate.feed).
        CREATE TABLE ticket_changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            ticket_id INTEGER NOT NULL,
            performance_id INTEGER NOT NULL
        );
        CREATE INDEX ticket_changes_performance ON ticket_changes(performance_id, seq);
        CREATE TRIGGER ticket_changes_insert AFTER INSERT ON tickets BEGIN
            INSERT INTO ticket_changes (ticket_id, performance_id)
                VALUES (NEW.id, NEW.performance_id);
        END;
        CREATE TRIGGER ticket_changes_update
            AFTER UPDATE OF status, generation, flags, seat_id ON tickets BEGIN
            INSERT INTO ticket_changes (ticket_id, performance_id)
                VALUES (NEW.id, NEW.performance_id);
        END;
        CREATE TRIGGER ticket_changes_revoke AFTER INSERT ON revocations BEGIN
            INSERT INTO ticket_changes (ticket_id, performance_id)
                SELECT id, performance_id FROM tickets WHERE id = NEW.ticket_id;
        END;
        -- Which gate a section's ticket holders are signed to (core.gate.planning): the
        -- lane plan and the signage. A section without a row has no gate yet.
        CREATE TABLE section_gates (
            section_id INTEGER PRIMARY KEY REFERENCES sections(id),
            gate TEXT NOT NULL CHECK (length(trim(gate)) BETWEEN 1 AND 40)
        );
        -- On a lane device (its gate pack): the scans it judged offline, waiting for upload.
        CREATE TABLE lane_outbox (
            nonce TEXT PRIMARY KEY REFERENCES scans(nonce)
        );
        """
    )
