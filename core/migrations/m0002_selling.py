"""Migration 0002_selling.

Frozen: a migration never changes once released and imports no live code, so every
database gets the same schema whenever it was made."""

from __future__ import annotations

import secrets

import sqlite_utils

NAME = "0002_selling"

# The default grants as this migration made them (0006 adds stock and stock_override).
_SELLING = ("sell", "refund", "void", "exchange", "comp", "reprint", "no_sale", "hold", "kill",
            "price_change", "event_setup", "user_admin", "report_access", "shift_signoff",
            "override", "group_sales", "consign", "customer_edit", "will_call", "gate_scan")
GRANTS: dict[str, tuple[str, ...]] = {
    "seller": ("sell", "customer_edit", "will_call"),
    "gate": ("gate_scan",),
    "coordinator": ("sell", "refund", "void", "exchange", "comp", "reprint", "no_sale", "hold",
                    "kill", "price_change", "event_setup", "report_access", "shift_signoff",
                    "override", "group_sales", "consign", "customer_edit", "will_call",
                    "gate_scan"),
    "admin": _SELLING,
}


def apply(db: sqlite_utils.Database) -> None:
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
    # A random identity for this database: its signing keys are filed under it, so a
    # database made afresh never meets the key files of an old one.
    db.execute("INSERT INTO settings (key, value) VALUES ('database_id', ?)",
               [secrets.token_hex(8)])

    db.conn.executemany(
        "INSERT INTO role_permissions (role, permission) VALUES (?, ?)",
        [(role, permission) for role, permissions in GRANTS.items()
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
