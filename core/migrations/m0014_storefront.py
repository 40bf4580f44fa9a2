"""Migration 0014_storefront: what the public web storefront needs beside the window's
tables.

- `users.system`: an account no person signs in as. The storefront's own account (`web`,
  a seller) owns its carts and reservations, so every cart, order and journal row still
  names who made it; sign-in, user lists and the first-admin check ignore it.
- `web_carts`: a patron's cart's extensions of its hold (limited, counted here so a
  tampered cookie cannot reset them).
- `web_messages`: the confirmation emails the storefront sent or failed to send, so a
  coordinator sees an undelivered one and can send it again.

Frozen: a migration never changes once released and imports no live code."""

from __future__ import annotations

import sqlite_utils

NAME = "0014_storefront"


def apply(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        ALTER TABLE users ADD COLUMN system INTEGER NOT NULL DEFAULT 0;
        INSERT INTO users (username, display_name, role, pin_hash, system)
            VALUES ('web', 'Web storefront', 'seller', '!no sign-in', 1);
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
        """
    )
