"""Migration 0019_journal_head: the journal's last id in a row of its own.

The journal used SQLite's `sqlite_sequence` to number rows past a deleted tail and to
see one. PostgreSQL has no such table, so both engines now keep `journal_head`: one row,
its `last_id` moved by every append in the same transaction, never backwards, never
deleted. Started from the journal's highest id or SQLite's sequence, whichever is
higher.

Frozen: a migration never changes once released and imports no live code."""

from __future__ import annotations

import sqlite_utils

NAME = "0019_journal_head"


def apply(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE journal_head (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            last_id INTEGER NOT NULL CHECK (last_id >= 0)
        );
        INSERT INTO journal_head (id, last_id)
        SELECT 1, max(coalesce((SELECT max(id) FROM journal), 0),
                   coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'journal'), 0));
        CREATE TRIGGER journal_head_grows BEFORE UPDATE ON journal_head
        WHEN NEW.last_id < OLD.last_id OR NEW.id != OLD.id
        BEGIN SELECT RAISE(ABORT, 'the journal head only moves forward'); END;
        CREATE TRIGGER journal_head_kept BEFORE DELETE ON journal_head
        BEGIN SELECT RAISE(ABORT, 'the journal head cannot be deleted'); END;
        """
    )


# bo_refuse (pg_baseline) raises its argument with SQLSTATE 23001, as SQLite's RAISE(ABORT)
POSTGRESQL = """
CREATE TABLE journal_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    last_id BIGINT NOT NULL CHECK (last_id >= 0)
);
INSERT INTO journal_head (id, last_id) SELECT 1, coalesce((SELECT max(id) FROM journal), 0);
CREATE TRIGGER journal_head_grows BEFORE UPDATE ON journal_head FOR EACH ROW
    WHEN (NEW.last_id < OLD.last_id OR NEW.id <> OLD.id)
    EXECUTE FUNCTION bo_refuse('the journal head only moves forward');
CREATE TRIGGER journal_head_kept BEFORE DELETE ON journal_head FOR EACH ROW
    EXECUTE FUNCTION bo_refuse('the journal head cannot be deleted');
CREATE TRIGGER journal_head_no_truncate BEFORE TRUNCATE ON journal_head FOR EACH STATEMENT
    EXECUTE FUNCTION bo_refuse('the journal head cannot be deleted');
"""
