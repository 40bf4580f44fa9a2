"""Migration 0022_package_exchanges: a fixed package's exchange fee.

`packages.exchange_fee_cents`: what a subscriber pays to swap one performance of their
subscription for another of the series (core.sales.subscription_exchange), on top of
any difference in price; 0 (no fee) for every package made before.

Frozen: a migration never changes once released and imports no live code."""

from __future__ import annotations

import sqlite_utils

NAME = "0022_package_exchanges"

POSTGRESQL = """
ALTER TABLE packages ADD COLUMN exchange_fee_cents BIGINT NOT NULL DEFAULT 0
    CHECK (exchange_fee_cents >= 0);
"""


def apply(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        ALTER TABLE packages ADD COLUMN exchange_fee_cents INTEGER NOT NULL DEFAULT 0
            CHECK (exchange_fee_cents >= 0);
        """
    )
