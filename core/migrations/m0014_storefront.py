"""Migration 0014_storefront: what the public web storefront needs beside the window's
tables.

- `users.system`: an account no person signs in as. The storefront's own account (`web`,
  a seller, made by the storefront on first use) owns its carts and reservations, so
  every cart, order and journal row still names who made it; sign-in, user lists and the
  first-admin check ignore it.
- `web_carts`: a patron's cart's extensions of its hold (limited, counted here so a
  tampered cookie cannot reset them).
- `web_messages`: the confirmation emails the storefront sent or failed to send, so a
  coordinator sees an undelivered one.
- `online_sales`: per performance, what the coordinator set for selling it online (on or
  off, its own on-sale window, the price types, the per-order limit, the online fee);
  no row means the site's defaults.
- `cart_items.online_fee_cents`: the online fee each web ticket carries on top of its
  price's own fee.
- `site_pages`: the storefront's information pages (directions, parking, ...), Markdown.
- `queue_entries`: the on-sale rush's waiting room (core.sales.waiting_room): each
  patron's place in line (a token kept hashed), when let in, when last seen.
- `payment_attempts`: each try at paying a web order by card with the provider (its own
  idempotency key, so a retry after a decline is a new payment, never a replay), and
  `provider_events`: the provider's webhook events already handled (a replay is a no-op).

Frozen: a migration never changes once released and imports no live code."""

from __future__ import annotations

import sqlite_utils

NAME = "0014_storefront"


def apply(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        ALTER TABLE users ADD COLUMN system INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE web_carts (
            cart_id INTEGER PRIMARY KEY REFERENCES carts(id),
            extensions INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE web_messages (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders(id),
            kind TEXT NOT NULL CHECK (kind IN ('confirmation', 'reservation', 'refund')),
            recipient TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
            error TEXT,
            at TEXT NOT NULL
        );
        CREATE INDEX web_messages_order ON web_messages (order_id);
        CREATE INDEX orders_reserved ON orders (status, pay_by);
        CREATE TABLE online_sales (
            performance_id INTEGER PRIMARY KEY REFERENCES performances(id),
            enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
            on_sale_at TEXT,
            off_sale_at TEXT,
            price_types TEXT NOT NULL DEFAULT '',      -- comma-separated codes; '' = default
            max_tickets INTEGER CHECK (max_tickets IS NULL OR max_tickets > 0),
            fee_cents INTEGER NOT NULL DEFAULT 0 CHECK (fee_cents >= 0)
        );
        ALTER TABLE cart_items ADD COLUMN online_fee_cents INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE payment_attempts (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders(id),
            provider TEXT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            intent_id TEXT UNIQUE,
            amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
            status TEXT NOT NULL DEFAULT 'started' CHECK (status IN ('started', 'failed',
                'succeeded', 'refunded')),
            payment_id INTEGER REFERENCES payments(id),
            detail TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX payment_attempts_order ON payment_attempts (order_id);
        CREATE TABLE provider_events (
            event_id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            intent_id TEXT NOT NULL,
            received_at TEXT NOT NULL
        );
        CREATE TABLE queue_entries (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL,
            order_key TEXT NOT NULL,
            joined_at TEXT NOT NULL,
            admitted_at TEXT,
            seen_at TEXT NOT NULL
        );
        CREATE INDEX queue_waiting ON queue_entries (admitted_at, order_key);
        CREATE TABLE site_pages (
            slug TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            position INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        );
        """
    )
