"""Migration 0004_closeout.

Frozen: a migration never changes once released and imports no live code, so every
database gets the same schema whenever it was made."""

from __future__ import annotations

import sqlite_utils

NAME = "0004_closeout"


def apply(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        -- A seller's shift at one station (drawer): opened with a float counted by
        -- denomination, counted blind at the end, closed with a Z report. At most one
        -- shift not yet closed per user and per station.
        CREATE TABLE shifts (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            station TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'counted', 'closed')),
            opened_at TEXT NOT NULL,
            float_cents INTEGER NOT NULL CHECK (float_cents >= 0),
            float_counts TEXT NOT NULL,            -- JSON {denomination cents: count}
            tolerance_cents INTEGER NOT NULL CHECK (tolerance_cents >= 0),
            -- the blind count, and what was expected (written together, at the count)
            counted_at TEXT,
            counted_by INTEGER REFERENCES users(id),
            cash_counts TEXT,                      -- JSON {denomination cents: count}
            counted_cash_cents INTEGER,
            counted_checks_cents INTEGER,
            counted_card_cents INTEGER,
            expected_cash_cents INTEGER,
            expected_checks_cents INTEGER,
            expected_card_cents INTEGER,
            signed_off_by INTEGER REFERENCES users(id),
            signoff_note TEXT,
            signed_off_at TEXT,
            closed_at TEXT,
            closed_by INTEGER REFERENCES users(id),
            CHECK ((status = 'open') = (counted_at IS NULL))
        );
        CREATE UNIQUE INDEX shifts_one_per_user ON shifts(user_id) WHERE status != 'closed';
        CREATE UNIQUE INDEX shifts_one_per_station ON shifts(station) WHERE status != 'closed';
        CREATE TRIGGER shifts_no_delete BEFORE DELETE ON shifts
        BEGIN SELECT RAISE(ABORT, 'shifts are kept: a shift cannot be deleted'); END;
        CREATE TRIGGER shifts_closed_is_final BEFORE UPDATE ON shifts
        WHEN OLD.status = 'closed'
        BEGIN SELECT RAISE(ABORT, 'a closed shift cannot change'); END;

        -- Cash taken out of a drawer during a shift: drops (to the safe) and paid-outs.
        CREATE TABLE shift_movements (
            id INTEGER PRIMARY KEY,
            shift_id INTEGER NOT NULL REFERENCES shifts(id),
            kind TEXT NOT NULL CHECK (kind IN ('drop', 'paid_out')),
            amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
            reason TEXT NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users(id),
            approved_by TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX shift_movements_shift ON shift_movements(shift_id);
        CREATE TRIGGER shift_movements_open_shift BEFORE INSERT ON shift_movements
        WHEN (SELECT status FROM shifts WHERE id = NEW.shift_id) IS NOT 'open'
        BEGIN SELECT RAISE(ABORT, 'cash moves only in an open shift'); END;
        CREATE TRIGGER shift_movements_no_update BEFORE UPDATE ON shift_movements
        BEGIN SELECT RAISE(ABORT, 'a drop or paid-out cannot be changed'); END;
        CREATE TRIGGER shift_movements_no_delete BEFORE DELETE ON shift_movements
        BEGIN SELECT RAISE(ABORT, 'a drop or paid-out cannot be deleted'); END;

        -- Every payment belongs to the shift of the user who took (or gave back) it.
        -- Rows from before this migration have none.
        ALTER TABLE payments ADD COLUMN shift_id INTEGER REFERENCES shifts(id);
        CREATE INDEX payments_shift ON payments(shift_id);
        CREATE TRIGGER payments_need_open_shift BEFORE INSERT ON payments
        WHEN (SELECT status FROM shifts WHERE id = NEW.shift_id) IS NOT 'open'
        BEGIN SELECT RAISE(ABORT, 'a payment needs an open shift'); END;
        CREATE TRIGGER payments_of_closed_shift BEFORE UPDATE ON payments
        WHEN (SELECT status FROM shifts WHERE id = OLD.shift_id) = 'closed'
        BEGIN SELECT RAISE(ABORT, 'a payment of a closed shift cannot change'); END;

        -- Z reports: gapless numbers, immutable once written. `figures` (JSON) is every
        -- number the printed report shows; `journal_hash` the journal's head when the shift
        -- was closed (printed, it pins the chain outside the database).
        CREATE TABLE z_reports (
            z_number INTEGER PRIMARY KEY,
            shift_id INTEGER NOT NULL UNIQUE REFERENCES shifts(id),
            closed_at TEXT NOT NULL,
            closed_by INTEGER NOT NULL REFERENCES users(id),
            figures TEXT NOT NULL,
            journal_hash TEXT NOT NULL
        );
        CREATE TRIGGER z_reports_gapless BEFORE INSERT ON z_reports
        WHEN NEW.z_number IS NOT (SELECT coalesce(max(z_number), 0) + 1 FROM z_reports)
        BEGIN SELECT RAISE(ABORT, 'Z numbers are gapless'); END;
        CREATE TRIGGER z_reports_no_update BEFORE UPDATE ON z_reports
        BEGIN SELECT RAISE(ABORT, 'a Z report cannot change'); END;
        CREATE TRIGGER z_reports_no_delete BEFORE DELETE ON z_reports
        BEGIN SELECT RAISE(ABORT, 'a Z report cannot be deleted'); END;

        -- Deposits: the cash and checks of closed shifts taken to the bank.
        CREATE TABLE deposits (
            id INTEGER PRIMARY KEY,
            business_date TEXT NOT NULL,           -- the venue's day, YYYY-MM-DD
            cash_cents INTEGER NOT NULL,
            checks_cents INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            created_by INTEGER NOT NULL REFERENCES users(id),
            status TEXT NOT NULL DEFAULT 'prepared' CHECK (status IN ('prepared', 'deposited')),
            bank_reference TEXT,
            deposited_at TEXT,
            deposited_by INTEGER REFERENCES users(id),
            CHECK ((status = 'deposited') = (bank_reference IS NOT NULL))
        );
        CREATE TABLE deposit_shifts (
            deposit_id INTEGER NOT NULL REFERENCES deposits(id),
            shift_id INTEGER NOT NULL UNIQUE REFERENCES shifts(id),
            cash_cents INTEGER NOT NULL,
            checks_cents INTEGER NOT NULL,
            PRIMARY KEY (deposit_id, shift_id)
        );
        CREATE TRIGGER deposits_deposited_is_final BEFORE UPDATE ON deposits
        WHEN OLD.status = 'deposited'
        BEGIN SELECT RAISE(ABORT, 'a deposited deposit cannot change'); END;
        CREATE TRIGGER deposits_no_delete BEFORE DELETE ON deposits
        BEGIN SELECT RAISE(ABORT, 'a deposit cannot be deleted'); END;
        CREATE TRIGGER deposit_shifts_no_change BEFORE UPDATE ON deposit_shifts
        BEGIN SELECT RAISE(ABORT, 'a deposit slip line cannot change'); END;

        -- Card processor settlements, imported from CSV, matched against card payments.
        CREATE TABLE card_settlements (
            id INTEGER PRIMARY KEY,
            source_name TEXT NOT NULL,
            sha256 TEXT NOT NULL UNIQUE,           -- one file imported once
            imported_at TEXT NOT NULL,
            imported_by INTEGER NOT NULL REFERENCES users(id),
            rows INTEGER NOT NULL
        );
        CREATE TABLE card_settlement_rows (
            id INTEGER PRIMARY KEY,
            settlement_id INTEGER NOT NULL REFERENCES card_settlements(id),
            line INTEGER NOT NULL,
            amount_cents INTEGER NOT NULL,
            at TEXT NOT NULL,                      -- UTC
            card_last4 TEXT,
            approval_code TEXT,
            reference TEXT,
            payment_id INTEGER UNIQUE REFERENCES payments(id)   -- the match, if any
        );
        CREATE INDEX card_settlement_rows_amount ON card_settlement_rows(amount_cents);
        -- What did not match, on either side: a worklist coordinators annotate and resolve.
        CREATE TABLE card_discrepancies (
            id INTEGER PRIMARY KEY,
            side TEXT NOT NULL CHECK (side IN ('processor', 'boxoffice')),
            settlement_row_id INTEGER UNIQUE REFERENCES card_settlement_rows(id),
            payment_id INTEGER UNIQUE REFERENCES payments(id),
            amount_cents INTEGER NOT NULL,
            found_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
            notes TEXT NOT NULL DEFAULT '',
            resolution TEXT,
            resolved_by INTEGER REFERENCES users(id),
            resolved_at TEXT,
            CHECK ((side = 'processor') = (settlement_row_id IS NOT NULL))
        );
        """
    )
