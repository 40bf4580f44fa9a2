"""The numbered migrations, one module each, applied in order: the only place tables are
created. A migration is frozen once released and imports no live code."""

from __future__ import annotations

from types import ModuleType

from sqlite_utils.migrations import Migrations

from core.migrations import (
    m0001_venues_events_journal,
    m0002_selling,
    m0003_checkin,
    m0004_closeout,
    m0005_admin,
    m0006_concessions,
    m0008_gate_lanes,
    m0009_web_orders,
    m0010_cases,
    m0011_customer_merge,
    m0012_extracts,
    m0013_notices,
    m0014_storefront,
    m0015_subscriptions,
    m0017_account_credit,
    m0018_payment_plans,
    m0019_journal_head,
    m0020_plan_tickets_and_reminders,
    m0021_renewal_notices,
    m0022_package_exchanges,
)

# Every migration in order. On SQLite each module's `apply` runs through sqlite-utils'
# runner (its `_sqlite_migrations` table). On PostgreSQL the squashed baseline
# (pg_baseline.py) stands for the first ones; each later module also carries its
# `POSTGRESQL` text, applied by core/store/schema.py.
STEPS: tuple[ModuleType, ...] = (
    m0001_venues_events_journal, m0002_selling, m0003_checkin, m0004_closeout,
    m0005_admin, m0006_concessions, m0008_gate_lanes, m0009_web_orders,
    m0010_cases, m0011_customer_merge, m0012_extracts, m0013_notices,
    m0014_storefront, m0015_subscriptions, m0017_account_credit,
    m0018_payment_plans, m0019_journal_head, m0020_plan_tickets_and_reminders,
    m0021_renewal_notices,
    m0022_package_exchanges,
)

migrations = Migrations("boxoffice")
for _step in STEPS:
    migrations(name=_step.NAME)(_step.apply)
