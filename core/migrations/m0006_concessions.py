"""Migration 0006_concessions.

Frozen: a migration never changes once released and imports no live code, so every
database gets the same schema whenever it was made."""

from __future__ import annotations

import sqlite_utils

NAME = "0006_concessions"


def apply(db: sqlite_utils.Database) -> None:
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
        "INSERT INTO role_permissions (role, permission) VALUES (?, ?) "
        "ON CONFLICT (role, permission) DO NOTHING",
        [(role, permission) for role in ("coordinator", "admin")
         for permission in ("stock", "stock_override")])
