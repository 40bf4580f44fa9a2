"""Migration 0018_payment_plans: an order paid in instalments (core.sales.plans).

`payment_plans`: one per order, with what happens when it defaults (after how many days
overdue its seats are released, and the money paid kept as the customer's credit or
refunded); `plan_instalments`: the agreed schedule, due dates in the venue's calendar.
What has been paid is never stored here: it is the order's payments.

Frozen: a migration never changes once released and imports no live code."""

from __future__ import annotations

import sqlite_utils

NAME = "0018_payment_plans"


def apply(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE payment_plans (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL UNIQUE REFERENCES orders(id),
            default_after_days INTEGER NOT NULL CHECK (default_after_days >= 0),
            on_default TEXT NOT NULL CHECK (on_default IN ('credit', 'refund')),
            -- what the order had paid when the plan was agreed (the deposit): what is
            -- paid beyond it pays the instalments
            paid_before_cents INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'defaulted')),
            created_by INTEGER NOT NULL REFERENCES users(id),
            created_at TEXT NOT NULL,
            defaulted_at TEXT
        );
        CREATE TABLE plan_instalments (
            id INTEGER PRIMARY KEY,
            plan_id INTEGER NOT NULL REFERENCES payment_plans(id),
            seq INTEGER NOT NULL,
            due_date TEXT NOT NULL,
            amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
            UNIQUE (plan_id, seq)
        );
        """
    )
