"""Numbered migrations: the only place tables are created.

Migrations are applied inside one `BEGIN IMMEDIATE` transaction, so two processes that
open a fresh database at once do not both try to create it.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from core.db import connect, write

migrations = Migrations("boxoffice")


@migrations(name="0001_venues_events_journal")
def _m0001(db: sqlite_utils.Database) -> None:
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



@migrations(name="0002_selling")
def _m0002(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        -- Permissions: deny by default; a role has exactly the rows granted here.
        CREATE TABLE role_permissions (
            role TEXT NOT NULL,
            permission TEXT NOT NULL,
            PRIMARY KEY (role, permission)
        );
        CREATE TABLE hold_codes (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            color TEXT NOT NULL,
            sell_roles TEXT NOT NULL,        -- comma-separated roles that may sell from it
            release_roles TEXT NOT NULL      -- ... and that may release it
        );
        CREATE TABLE price_types (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'standard' CHECK (kind IN ('standard', 'comp', 'group'))
        );
        -- A price for each zone and price type of a performance, with its fee and tax.
        CREATE TABLE prices (
            performance_id INTEGER NOT NULL REFERENCES performances(id),
            zone_id INTEGER NOT NULL REFERENCES price_zones(id),
            price_type_id INTEGER NOT NULL REFERENCES price_types(id),
            base_cents INTEGER NOT NULL CHECK (base_cents >= 0),
            fee_cents INTEGER NOT NULL CHECK (fee_cents >= 0),
            tax_basis_points INTEGER NOT NULL CHECK (tax_basis_points >= 0),
            PRIMARY KEY (performance_id, zone_id, price_type_id)
        );
        CREATE TABLE customers (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            phone TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            flags TEXT NOT NULL DEFAULT '',  -- comma-separated: accessibility, vip, banned
            created_at TEXT NOT NULL
        );
        CREATE VIRTUAL TABLE customers_fts USING fts5(
            name, phone, email, content='customers', content_rowid='id',
            tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN
            INSERT INTO customers_fts (rowid, name, phone, email)
            VALUES (new.id, new.name, new.phone, new.email);
        END;
        CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN
            INSERT INTO customers_fts (customers_fts, rowid, name, phone, email)
            VALUES ('delete', old.id, old.name, old.phone, old.email);
        END;
        CREATE TRIGGER customers_fts_update AFTER UPDATE ON customers BEGIN
            INSERT INTO customers_fts (customers_fts, rowid, name, phone, email)
            VALUES ('delete', old.id, old.name, old.phone, old.email);
            INSERT INTO customers_fts (rowid, name, phone, email)
            VALUES (new.id, new.name, new.phone, new.email);
        END;
        CREATE TABLE carts (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            station TEXT NOT NULL,           -- the window (terminal) that owns it
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open'
                -- pending: checked out, waiting for a lost card terminal answer
                CHECK (status IN ('open', 'pending', 'ordered', 'cancelled', 'expired'))
        );
        -- One row per seat that is not available: at most one state per seat and
        -- performance, enforced by the primary key. No row means available.
        CREATE TABLE seat_claims (
            performance_id INTEGER NOT NULL REFERENCES performances(id),
            seat_id INTEGER NOT NULL REFERENCES seats(id),
            state TEXT NOT NULL CHECK (state IN ('held', 'killed', 'cart', 'sold')),
            hold_code_id INTEGER REFERENCES hold_codes(id),
            cart_id INTEGER REFERENCES carts(id),
            ticket_id INTEGER REFERENCES tickets(id),
            expires_at TEXT,                 -- carts only
            PRIMARY KEY (performance_id, seat_id),
            CHECK ((state = 'held') = (hold_code_id IS NOT NULL)),
            CHECK ((state = 'cart') = (cart_id IS NOT NULL AND expires_at IS NOT NULL)),
            CHECK ((state = 'sold') = (ticket_id IS NOT NULL))
        );
        CREATE INDEX seat_claims_cart ON seat_claims(cart_id) WHERE cart_id IS NOT NULL;
        -- the sweep of expired carts runs inside every selling write: keep it cheap
        CREATE INDEX seat_claims_expiry ON seat_claims(expires_at) WHERE state = 'cart';
        -- General admission: places held (by hold code) out of an area's capacity.
        CREATE TABLE area_holds (
            performance_id INTEGER NOT NULL REFERENCES performances(id),
            section_id INTEGER NOT NULL REFERENCES sections(id),
            hold_code_id INTEGER NOT NULL REFERENCES hold_codes(id),
            quantity INTEGER NOT NULL CHECK (quantity > 0),
            PRIMARY KEY (performance_id, section_id, hold_code_id)
        );
        CREATE INDEX carts_open ON carts(expires_at) WHERE status = 'open';
        CREATE TABLE cart_items (
            id INTEGER PRIMARY KEY,
            cart_id INTEGER NOT NULL REFERENCES carts(id),
            performance_id INTEGER NOT NULL REFERENCES performances(id),
            section_id INTEGER NOT NULL REFERENCES sections(id),
            seat_id INTEGER REFERENCES seats(id),     -- NULL for general admission
            quantity INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
            price_type_id INTEGER NOT NULL REFERENCES price_types(id),
            hold_code_id INTEGER REFERENCES hold_codes(id)   -- sold out of this hold
        );
        CREATE TABLE groups (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            customer_id INTEGER REFERENCES customers(id),
            hold_code_id INTEGER NOT NULL REFERENCES hold_codes(id),
            created_at TEXT NOT NULL
        );
        CREATE TABLE consignments (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            performance_id INTEGER NOT NULL REFERENCES performances(id),
            consignee TEXT NOT NULL,
            customer_id INTEGER REFERENCES customers(id),
            order_id INTEGER REFERENCES orders(id),
            issued_at TEXT NOT NULL,
            settled_at TEXT,
            status TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'settled'))
        );
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            customer_id INTEGER REFERENCES customers(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            station TEXT NOT NULL,
            channel TEXT NOT NULL CHECK (channel IN ('window', 'group', 'consignment')),
            group_id INTEGER REFERENCES groups(id),
            cart_id INTEGER REFERENCES carts(id),
            -- pending: a card terminal's answer was lost; no tickets until it is resolved
            status TEXT NOT NULL CHECK (status IN ('pending', 'complete', 'deposit',
                                                   'on_account', 'voided', 'cancelled')),
            total_cents INTEGER NOT NULL,
            balance_due_date TEXT,
            delivery TEXT NOT NULL DEFAULT 'print' CHECK (delivery IN ('print', 'will_call')),
            picked_up_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX orders_customer ON orders(customer_id);
        CREATE TABLE tickets (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders(id),
            performance_id INTEGER NOT NULL REFERENCES performances(id),
            section_id INTEGER NOT NULL REFERENCES sections(id),
            seat_id INTEGER REFERENCES seats(id),     -- NULL for general admission
            price_type_id INTEGER NOT NULL REFERENCES price_types(id),
            serial TEXT NOT NULL UNIQUE,
            generation INTEGER NOT NULL DEFAULT 1,
            flags INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'live'
                CHECK (status IN ('live', 'refunded', 'voided', 'exchanged', 'returned')),
            printed_at TEXT,
            created_at TEXT NOT NULL
        );
        -- The backstop against double sales: one live ticket per seat and performance.
        CREATE UNIQUE INDEX tickets_live_seat ON tickets(performance_id, seat_id)
            WHERE status = 'live' AND seat_id IS NOT NULL;
        CREATE INDEX tickets_order ON tickets(order_id);
        CREATE INDEX cart_items_cart ON cart_items(cart_id);
        CREATE INDEX tickets_performance ON tickets(performance_id, status);
        CREATE TABLE order_lines (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders(id),
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            description TEXT NOT NULL,
            base_cents INTEGER NOT NULL,
            fee_cents INTEGER NOT NULL,
            tax_cents INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'refunded', 'voided', 'exchanged', 'returned'))
        );
        CREATE INDEX order_lines_order ON order_lines(order_id);
        -- Money in and out. Card tenders keep brand, last 4, approval code and terminal
        -- reference only: never a card number.
        CREATE TABLE payments (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders(id),
            tender TEXT NOT NULL CHECK (tender IN ('cash', 'card', 'check', 'comp', 'account')),
            amount_cents INTEGER NOT NULL,          -- negative for a refund
            status TEXT NOT NULL CHECK (status IN ('approved', 'unknown', 'declined')),
            tendered_cents INTEGER,                 -- cash handed over
            change_cents INTEGER,
            card_brand TEXT,
            card_last4 TEXT CHECK (card_last4 IS NULL OR (length(card_last4) = 4
                                   AND card_last4 NOT GLOB '*[^0-9]*')),
            approval_code TEXT,
            terminal_ref TEXT,
            check_number TEXT,
            reason TEXT,                            -- comp reason, refund reason
            refund_of INTEGER REFERENCES payments(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            station TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX payments_order ON payments(order_id);
        CREATE TABLE revocations (
            ticket_id INTEGER NOT NULL,
            generation INTEGER NOT NULL,
            revoked_at TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (ticket_id, generation)
        );
        CREATE TABLE signing_keys (
            key_id INTEGER PRIMARY KEY CHECK (key_id BETWEEN 1 AND 255),
            public_key BLOB NOT NULL,
            created_at TEXT NOT NULL,
            retired_at TEXT
        );
        """
    )
    from core.permissions import DEFAULT_GRANTS

    # A random identity for this database: its signing keys are filed under it, so a
    # database made afresh never meets the key files of an old one.
    db.execute("INSERT INTO settings (key, value) VALUES ('database_id', ?)",
               [secrets.token_hex(8)])

    db.conn.executemany(
        "INSERT INTO role_permissions (role, permission) VALUES (?, ?)",
        [(role, permission) for role, permissions in DEFAULT_GRANTS.items()
         for permission in sorted(permissions)])
    db.conn.executemany(
        "INSERT INTO price_types (code, name, kind) VALUES (?, ?, ?)",
        [("ADULT", "Adult", "standard"), ("CHILD", "Child", "standard"),
         ("SENIOR", "Senior", "standard"), ("STUDENT", "Student", "standard"),
         ("GROUP", "Group", "group"), ("COMP", "Complimentary", "comp")])
    db.conn.executemany(
        "INSERT INTO hold_codes (code, name, color, sell_roles, release_roles) "
        "VALUES (?, ?, ?, ?, ?)",
        [("HOUSE", "House seats", "magenta", "coordinator,admin", "coordinator,admin"),
         ("PROD", "Producer", "cyan", "coordinator,admin", "coordinator,admin"),
         ("WHEEL", "Wheelchair", "blue", "seller,coordinator,admin", "coordinator,admin"),
         ("PRESS", "Press", "bright_white", "coordinator,admin", "coordinator,admin")])


@migrations(name="0003_checkin")
def _m0003(db: sqlite_utils.Database) -> None:
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


@migrations(name="0004_closeout")
def _m0004(db: sqlite_utils.Database) -> None:
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


@migrations(name="0005_admin")
def _m0005(db: sqlite_utils.Database) -> None:
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


@migrations(name="0006_concessions")
def _m0006(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        -- Concessions and merchandise: what the window sells besides tickets.
        CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            sku TEXT NOT NULL UNIQUE COLLATE NOCASE
                CHECK (length(sku) BETWEEN 1 AND 32 AND sku NOT GLOB '*[^A-Za-z0-9_-]*'),
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            category TEXT NOT NULL CHECK (length(trim(category)) > 0),
            price_cents INTEGER NOT NULL CHECK (price_cents >= 0),     -- before tax
            tax_bp INTEGER NOT NULL DEFAULT 0 CHECK (tax_bp BETWEEN 0 AND 10000),
            unit TEXT NOT NULL DEFAULT 'each',
            low_stock INTEGER NOT NULL DEFAULT 0 CHECK (low_stock >= 0),
            -- kept by core.stock in the same transaction as the move that changes it
            on_hand INTEGER NOT NULL DEFAULT 0,
            cost_cents INTEGER NOT NULL DEFAULT 0 CHECK (cost_cents >= 0),  -- average
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at TEXT NOT NULL
        );
        CREATE TABLE stock_counts (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            note TEXT NOT NULL DEFAULT '',
            counted_at TEXT NOT NULL
        );
        CREATE TABLE stock_count_lines (
            count_id INTEGER NOT NULL REFERENCES stock_counts(id),
            item_id INTEGER NOT NULL REFERENCES items(id),
            expected INTEGER NOT NULL,
            counted INTEGER NOT NULL CHECK (counted >= 0),
            unit_cost_cents INTEGER NOT NULL,
            PRIMARY KEY (count_id, item_id)
        );
        -- A window cart's goods, priced from the item when viewed and at checkout.
        CREATE TABLE cart_goods (
            id INTEGER PRIMARY KEY,
            cart_id INTEGER NOT NULL REFERENCES carts(id),
            item_id INTEGER NOT NULL REFERENCES items(id),
            quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 999),
            -- a supervisor let this line sell more than is on hand
            short_approved_by TEXT,
            UNIQUE (cart_id, item_id)
        );
        -- Goods sold on an order, priced as sold; `returned` of them came back.
        CREATE TABLE order_goods (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders(id),
            item_id INTEGER NOT NULL REFERENCES items(id),
            description TEXT NOT NULL,
            category TEXT NOT NULL,
            quantity INTEGER NOT NULL CHECK (quantity > 0),
            price_cents INTEGER NOT NULL,      -- each, before tax
            tax_cents INTEGER NOT NULL,        -- each
            returned INTEGER NOT NULL DEFAULT 0 CHECK (returned BETWEEN 0 AND quantity),
            shift_id INTEGER REFERENCES shifts(id)
        );
        CREATE INDEX order_goods_order ON order_goods(order_id);
        CREATE INDEX order_goods_shift ON order_goods(shift_id);
        -- Every change of stock, append-only: on_hand is the sum of an item's moves.
        CREATE TABLE stock_moves (
            id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES items(id),
            kind TEXT NOT NULL CHECK (kind IN ('receive', 'sale', 'refund', 'void',
                                               'adjust', 'count')),
            quantity INTEGER NOT NULL CHECK (quantity != 0),    -- in: +, out: -
            on_hand_after INTEGER NOT NULL,
            unit_cost_cents INTEGER,           -- receive: what each cost
            reason TEXT,
            order_goods_id INTEGER REFERENCES order_goods(id),
            count_id INTEGER REFERENCES stock_counts(id),
            shift_id INTEGER REFERENCES shifts(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            approved_by TEXT,                  -- who let it go below zero
            created_at TEXT NOT NULL
        );
        CREATE INDEX stock_moves_item ON stock_moves(item_id, id);
        CREATE INDEX stock_moves_shift ON stock_moves(shift_id) WHERE shift_id IS NOT NULL;
        CREATE TRIGGER stock_moves_no_update BEFORE UPDATE ON stock_moves
        BEGIN SELECT RAISE(ABORT, 'stock moves are append-only'); END;
        CREATE TRIGGER stock_moves_no_delete BEFORE DELETE ON stock_moves
        BEGIN SELECT RAISE(ABORT, 'stock moves are append-only'); END;
        CREATE TRIGGER stock_count_lines_no_update BEFORE UPDATE ON stock_count_lines
        BEGIN SELECT RAISE(ABORT, 'a stock count is kept as counted'); END;
        """
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO role_permissions (role, permission) VALUES (?, ?)",
        [(role, permission) for role in ("coordinator", "admin")
         for permission in ("stock", "stock_override")])


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every pending migration; returns the names applied (empty if none)."""
    with write(db):
        pending = [m.name for m in migrations.pending(db)]
        migrations.apply(db)
    return pending


def open_database(path: str | Path, *, check_location: bool = True) -> sqlite_utils.Database:
    """Connect with the project's settings and bring the schema up to date.

    Raises DatabaseLocationError when the file is on a network filesystem.
    """
    db = connect(path, check_location=check_location)
    migrate(db)
    return db


def database_id(db: sqlite_utils.Database) -> str:
    """This database's random identity (made by migration 0002; made here if missing)."""
    row = db.execute("SELECT value FROM settings WHERE key = 'database_id'").fetchone()
    if row is None:
        with write(db):
            db.execute("INSERT OR IGNORE INTO settings (key, value) VALUES ('database_id', ?)",
                       [secrets.token_hex(8)])
        row = db.execute("SELECT value FROM settings WHERE key = 'database_id'").fetchone()
    return str(row[0])
