"""Migration 0015_subscriptions: series of performances, packages on them (a fixed seat
for every performance of the series), their prices, and the subscriptions sold.

- `series`: a named set of performances (`series_performances`), possibly at different
  venues; `follows_id` is the season it was rolled forward from.
- `packages`: what is sold on a series; `kind` 'fixed' is one seat, the same seat for
  every performance of the series; 'flex' is a pass of `admissions` on any of them, at
  most `per_performance` at one.
- `package_prices`: a package's price per price zone (by its code, since a series may
  span venues) and price type, with its fee and tax, as single tickets have.
- `cart_items.package_id`: a cart line sold as part of a package, priced at its share of
  the package price instead of the performance's single-ticket price.
- `subscriptions`: one row per subscribed seat, the order that paid for it and its seat
  (section, row, number: the seat's identity, stable across venues and map edits);
  `subscription_tickets` links it to its ticket for each performance.
- `renewals`: a subscription offered in the next season's series (`series.follows_id`),
  its seat held under a hold code of its own until the deadline.
- `flex_passes`: a flex pass sold (its price as sold, so later price changes do not move
  its shares); `flex_tickets`: the tickets redeemed on it and which admission each used.
- orders.channel gains 'subscription', widened in place as m0009 did (SQLite's
  documented procedure for a CHECK that only accepts more values; the stored rows do not
  change), whatever other values the CHECK holds by then.

Frozen: a migration never changes once released and imports no live code."""

from __future__ import annotations

import re
import sqlite3

import sqlite_utils

NAME = "0015_subscriptions"

_CHANNEL_CHECK = re.compile(r"CHECK \(channel IN \(([^)]*)\)\)")


def _widen_channel(conn: sqlite3.Connection) -> None:
    (sql,) = conn.execute(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'orders'").fetchone()
    found = _CHANNEL_CHECK.findall(sql)
    if len(found) != 1:
        raise RuntimeError("migration 0015: the orders table is not the one it expects")
    if "'subscription'" in found[0]:
        return
    new_sql = _CHANNEL_CHECK.sub(
        lambda match: f"CHECK (channel IN ({match.group(1)}, 'subscription'))", sql)
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'orders'",
                     [new_sql])
        conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


def apply(db: sqlite_utils.Database) -> None:
    _widen_channel(db.conn)
    db.executescript(
        """
        CREATE TABLE series (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            season TEXT NOT NULL DEFAULT '',
            follows_id INTEGER REFERENCES series(id),
            created_at TEXT NOT NULL
        );
        CREATE TABLE series_performances (
            series_id INTEGER NOT NULL REFERENCES series(id),
            performance_id INTEGER NOT NULL REFERENCES performances(id),
            PRIMARY KEY (series_id, performance_id)
        );
        CREATE TABLE packages (
            id INTEGER PRIMARY KEY,
            series_id INTEGER NOT NULL REFERENCES series(id),
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('fixed', 'flex')),
            admissions INTEGER CHECK (admissions > 0),
            per_performance INTEGER CHECK (per_performance > 0),
            created_at TEXT NOT NULL,
            CHECK ((kind = 'flex') = (admissions IS NOT NULL AND per_performance IS NOT NULL)),
            UNIQUE (series_id, code)
        );
        CREATE TABLE package_prices (
            package_id INTEGER NOT NULL REFERENCES packages(id),
            zone TEXT NOT NULL,
            price_type_id INTEGER NOT NULL REFERENCES price_types(id),
            base_cents INTEGER NOT NULL CHECK (base_cents >= 0),
            fee_cents INTEGER NOT NULL CHECK (fee_cents >= 0),
            tax_basis_points INTEGER NOT NULL CHECK (tax_basis_points >= 0),
            PRIMARY KEY (package_id, zone, price_type_id)
        );
        ALTER TABLE cart_items ADD COLUMN package_id INTEGER REFERENCES packages(id);
        CREATE TABLE subscriptions (
            id INTEGER PRIMARY KEY,
            package_id INTEGER NOT NULL REFERENCES packages(id),
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            order_id INTEGER NOT NULL REFERENCES orders(id),
            section TEXT NOT NULL,
            row_label TEXT NOT NULL,
            number INTEGER NOT NULL,
            zone TEXT NOT NULL,
            price_type_id INTEGER NOT NULL REFERENCES price_types(id),
            created_at TEXT NOT NULL
        );
        CREATE INDEX subscriptions_package ON subscriptions(package_id);
        CREATE INDEX subscriptions_customer ON subscriptions(customer_id);
        CREATE TABLE subscription_tickets (
            ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
            subscription_id INTEGER NOT NULL REFERENCES subscriptions(id)
        );
        CREATE INDEX subscription_tickets_subscription
            ON subscription_tickets(subscription_id);
        -- A flex pass: N admissions on the series' performances, at most M at one.
        CREATE TABLE flex_passes (
            id INTEGER PRIMARY KEY,
            package_id INTEGER NOT NULL REFERENCES packages(id),
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            order_id INTEGER NOT NULL REFERENCES orders(id),
            price_type_id INTEGER NOT NULL REFERENCES price_types(id),
            admissions INTEGER NOT NULL CHECK (admissions > 0),
            per_performance INTEGER NOT NULL CHECK (per_performance > 0),
            base_cents INTEGER NOT NULL,
            fee_cents INTEGER NOT NULL,
            tax_cents INTEGER NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX flex_passes_customer ON flex_passes(customer_id);
        -- A ticket redeemed on a pass, and which of its admissions (0 .. N-1) it used.
        CREATE TABLE flex_tickets (
            ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
            pass_id INTEGER NOT NULL REFERENCES flex_passes(id),
            admission INTEGER NOT NULL CHECK (admission >= 0)
        );
        CREATE INDEX flex_tickets_pass ON flex_tickets(pass_id);
        -- A subscription offered for renewal in the next season's series: its seat held
        -- at every new performance under its own hold code until the deadline.
        CREATE TABLE renewals (
            id INTEGER PRIMARY KEY,
            subscription_id INTEGER NOT NULL REFERENCES subscriptions(id),
            package_id INTEGER NOT NULL REFERENCES packages(id),
            hold_code_id INTEGER REFERENCES hold_codes(id),
            deadline TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('offered', 'unseated', 'renewed',
                                                   'released')),
            renewed_subscription_id INTEGER REFERENCES subscriptions(id),
            change_request TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            UNIQUE (subscription_id, package_id)
        );
        CREATE INDEX renewals_package ON renewals(package_id);
        """
    )
    (result,) = db.conn.execute("PRAGMA integrity_check").fetchone()
    if result != "ok":
        raise RuntimeError(f"migration 0015: integrity check failed: {result}")
