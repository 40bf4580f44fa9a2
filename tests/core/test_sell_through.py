"""Sell-through by zone and section: the figures match the seats' states counted by hand,
comps apart from sales, expired carts open again, general admission by places."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from core.report_model import ReportError, Scope
from core.reports import catalogue, sell_through
from core.sales import checkout
from core.sales.tenders import Tender
from core.store.db import Database
from core.venue import inventory, performances
from tests.support.constants import FIXED_NOW
from tests.support.order_helpers import sell
from tests.support.selling_helpers import STATION, cart_with, hall_performance, seat, user

ZONE = ZoneInfo("America/New_York")


def test_the_hall_by_zone_and_section(demo_db: Database) -> None:
    show = hall_performance(demo_db)
    before = catalogue.build_report(demo_db, user(demo_db, "cora"), "sell-through",
                                    Scope(zone=ZONE, now=FIXED_NOW, performance_id=show))
    start = {row[0]: row for row in before.table("By zone").rows}
    sell(demo_db, ["ORCH-F-107", "ORCH-F-108"])                       # zone A, paid
    sam = user(demo_db, "sam")
    comp = cart_with(demo_db, sam, show, ["ORCH-F-109"], FIXED_NOW, price_type="COMP")
    checkout.checkout(demo_db, user(demo_db, "cora"), comp,
                      [Tender("comp", 0, reason="press")], station=STATION, now=FIXED_NOW)
    inventory.hold_seats(demo_db, user(demo_db, "cora"), show,
                         [seat(demo_db, show, "ORCH-F-110")], "HOUSE", FIXED_NOW)
    cart_with(demo_db, sam, show, ["ORCH-F-111"], FIXED_NOW)          # in a cart now
    report = catalogue.build_report(demo_db, user(demo_db, "cora"), "sell-through",
                                    Scope(zone=ZONE, now=FIXED_NOW, performance_id=show))
    zone_a = next(row for row in report.table("By zone").rows if str(row[0]).startswith("A "))
    first = start[zone_a[0]]
    capacity = first[1]
    # capacity, sold, comps, held, killed, in carts, open, %
    assert zone_a[1:8] == (capacity, first[2] + 2, first[3] + 1, first[4] + 1, first[5],
                           first[6] + 1, first[7] - 5)
    assert zone_a[8] == round(100 * (zone_a[2] + zone_a[3]) / capacity)
    # when the cart's hold runs out its seat is open again
    later = FIXED_NOW + timedelta(hours=1)
    by_zone, by_section, _ = sell_through.counts(demo_db, show, later.isoformat())
    assert by_zone["A"]["cart"] == first[6] and by_zone["A"]["open"] == first[7] - 4
    total_seats = demo_db.execute(
        "SELECT count(*) FROM seats s JOIN sections c ON c.id = s.section_id JOIN "
        "performances p ON p.venue_id = c.venue_id WHERE p.id = ? AND s.active = 1",
        [show]).fetchone()[0]
    assert sum(sums["capacity"] for sums in by_section.values()) == total_seats


def test_general_admission_counts_places(demo_db: Database) -> None:
    stadium = next(p.id for p in performances.list_performances(demo_db)
                   if p.venue_code.upper().startswith("HARBOR"))
    by_zone, by_section, _ = sell_through.counts(demo_db, stadium, FIXED_NOW.isoformat())
    field = by_section["FIELD"]
    assert field["capacity"] == 2500
    assert field["open"] == 2500 - field["sold"] - field["comp"]


def test_sell_through_needs_a_performance(demo_db: Database) -> None:
    with pytest.raises(ReportError) as refused:
        catalogue.build_report(demo_db, user(demo_db, "cora"), "sell-through",
                               Scope(zone=ZONE, now=FIXED_NOW))
    assert refused.value.code == "performance_required"
