"""The numbered migrations, one module each, applied in order: the only place tables are
created. A migration is frozen once released and imports no live code."""

from __future__ import annotations

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
    m0021_renewal_notices,
)

migrations = Migrations("boxoffice")
for _step in (m0001_venues_events_journal, m0002_selling, m0003_checkin, m0004_closeout,
              m0005_admin, m0006_concessions, m0008_gate_lanes, m0009_web_orders,
              m0010_cases, m0011_customer_merge, m0012_extracts, m0013_notices,
              m0014_storefront, m0015_subscriptions, m0017_account_credit,
              m0018_payment_plans, m0021_renewal_notices):
    migrations(name=_step.NAME)(_step.apply)
