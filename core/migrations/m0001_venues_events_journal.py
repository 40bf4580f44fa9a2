"""Migration 0001_venues_events_journal.

Frozen: a migration never changes once released and imports no live code, so every
database gets the same schema whenever it was made."""

from __future__ import annotations

import sqlite_utils

NAME = "0001_venues_events_journal"


def apply(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE venues (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('hall', 'stadium'))
        );
        -- Every imported version of a venue's map file, kept verbatim: the drawing is
        -- redrawn from it, and an old version says what was sold against it.
        CREATE TABLE seat_maps (
            id INTEGER PRIMARY KEY,
            venue_id INTEGER NOT NULL REFERENCES venues(id),
            version INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            source_name TEXT NOT NULL,
            source TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            UNIQUE (venue_id, version)
        );
        CREATE TABLE price_zones (
            id INTEGER PRIMARY KEY,
            venue_id INTEGER NOT NULL REFERENCES venues(id),
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            color TEXT NOT NULL,
            UNIQUE (venue_id, code)
        );
        CREATE TABLE sections (
            id INTEGER PRIMARY KEY,
            venue_id INTEGER NOT NULL REFERENCES venues(id),
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('reserved', 'box', 'ga')),
            capacity INTEGER,              -- general admission only
            zone_id INTEGER REFERENCES price_zones(id),   -- general admission only
            active INTEGER NOT NULL DEFAULT 1,
            UNIQUE (venue_id, code),
            CHECK ((kind = 'ga') = (capacity IS NOT NULL))
        );
        -- A seat's identity is (section, row, number); it survives re-imports of the map.
        CREATE TABLE seats (
            id INTEGER PRIMARY KEY,
            section_id INTEGER NOT NULL REFERENCES sections(id),
            row_label TEXT NOT NULL,
            number INTEGER NOT NULL,
            zone_id INTEGER NOT NULL REFERENCES price_zones(id),
            wheelchair INTEGER NOT NULL DEFAULT 0,
            companion INTEGER NOT NULL DEFAULT 0,
            view TEXT NOT NULL DEFAULT 'clear' CHECK (view IN ('clear', 'obstructed', 'limited')),
            x INTEGER NOT NULL,
            y INTEGER NOT NULL,
            rank INTEGER NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            UNIQUE (section_id, row_label, number)
        );
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            producer TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE performances (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events(id),
            venue_id INTEGER NOT NULL REFERENCES venues(id),
            starts_at TEXT NOT NULL,        -- UTC, ISO 8601
            doors_at TEXT,                  -- UTC, ISO 8601
            status TEXT NOT NULL DEFAULT 'scheduled'
                CHECK (status IN ('scheduled', 'cancelled'))
        );
        CREATE INDEX performances_starts_at ON performances(starts_at);
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('seller', 'gate', 'coordinator', 'admin')),
            pin_hash TEXT NOT NULL,
            failed_logins INTEGER NOT NULL DEFAULT 0,
            locked INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        -- Append-only, hash-chained: see core/journal.py.
        CREATE TABLE journal (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL,
            data TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
        BEGIN SELECT RAISE(ABORT, 'the journal is append-only: rows cannot be changed'); END;
        CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
        BEGIN SELECT RAISE(ABORT, 'the journal is append-only: rows cannot be deleted'); END;
        """
    )
