"""Pricing evidence on a seeded history: sales by zone and type, days to 50 %, what a
price change did, and the what-if at the current pace, all computed by hand."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.config import PricingConfig
from core.people.permissions import PermissionDenied
from core.report_model import ReportError, Scope
from core.reports import catalogue
from core.reports.pricing_evidence import what_if
from core.store.db import Database
from core.venue import performances, pricing
from tests.core.test_pace import row_seats, sell_at
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import hall_performance, user

ZONE = ZoneInfo("America/New_York")


def test_sales_a_price_change_and_the_what_if(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    show = performances.copy_performance(demo_db, cora, hall_performance(demo_db),
                                         FIXED_NOW + timedelta(days=10, hours=2))
    sell_at(demo_db, show, row_seats("H", 101, 4), 20)       # 4 ADULT in A, 10 days ago
    with time_machine.travel(FIXED_NOW - timedelta(days=5), tick=False):
        pricing.set_price(demo_db, cora, show, "A", "ADULT", 15000, defaults=PricingConfig())
    sell_at(demo_db, show, row_seats("J", 101, 7), 13)       # 7 more, 3 days ago
    report = catalogue.build_report(demo_db, cora, "pricing",
                                    Scope(zone=ZONE, now=FIXED_NOW, performance_id=show))
    lines = {(r[0], r[1]): r for r in report.table("By zone and price type").rows}
    assert lines[("A", "ADULT")][2:4] == (11, 0)
    # of its 11: the 6th came 7 days after the first, the 10th too (4 then 7 sold)
    assert lines[("A", "ADULT")][6:8] == (7, 7)
    [change] = report.table("Price changes").rows
    assert change[1:] == ("A", "ADULT", 15000, 4, 7)          # 4 in the week before, 7 after
    zone_a = next(r for r in report.table("By zone").rows if r[0] == "A")
    assert zone_a[2] == 11 and zone_a[4] is None              # far from half of zone A
    # what if ADULT in A were 99.00: 11 sold in the last 14 days, 10 days left: 7.9 -> 8
    found = what_if(demo_db, cora, show, "a", "adult", 9900, now=FIXED_NOW)
    assert (found.days_left, found.expected_tickets) == (10, 8)
    assert (found.revenue_now_cents, found.revenue_new_cents) == (8 * 15000, 8 * 9900)
    assert "no elasticity" in found.assumption


def test_what_if_refuses_what_it_cannot_say(demo_db: Database) -> None:
    show = hall_performance(demo_db)
    with pytest.raises(ReportError) as missing:
        what_if(demo_db, user(demo_db, "cora"), show, "Z", "ADULT", 100, now=FIXED_NOW)
    assert missing.value.code == "no_price"
    with pytest.raises(ReportError):
        what_if(demo_db, user(demo_db, "cora"), show, "A", "ADULT", -1, now=FIXED_NOW)
    with pytest.raises(PermissionDenied):
        what_if(demo_db, user(demo_db, "sam"), show, "A", "ADULT", 100, now=FIXED_NOW)
