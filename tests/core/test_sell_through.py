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
    now = FIXED_NOW.isoformat()
    first = sell_through.counts(demo_db, show, now)[0]["A"]
    sell(demo_db, ["ORCH-F-107", "ORCH-F-108"])                       # zone A, paid
    sam = user(demo_db, "sam")
    comp = cart_with(demo_db, sam, show, ["ORCH-F-109"], FIXED_NOW, price_type="COMP")
    checkout.checkout(demo_db, user(demo_db, "cora"), comp,
                      [Tender("comp", 0, reason="press")], station=STATION, now=FIXED_NOW)
    inventory.hold_seats(demo_db, user(demo_db, "cora"), show,
                         [seat(demo_db, show, "ORCH-F-110")], "HOUSE", FIXED_NOW)
    cart_with(demo_db, sam, show, ["ORCH-F-111"], FIXED_NOW)          # in a cart now
    after = sell_through.counts(demo_db, show, now)[0]["A"]
    assert after == {**first, "sold": first["sold"] + 2, "comp": first["comp"] + 1,
                     "held": first["held"] + 1, "cart": first["cart"] + 1,
                     "open": first["open"] - 5}
    # the report says the same, with the percentage
    report = catalogue.build_report(demo_db, user(demo_db, "cora"), "sell-through",
                                    Scope(zone=ZONE, now=FIXED_NOW, performance_id=show))
    zone_a = next(row for row in report.table("By zone").rows if str(row[0]).startswith("A "))
    assert zone_a[1:] == (after["capacity"], after["sold"], after["comp"], after["held"],
                          after["killed"], after["cart"], after["open"],
                          round(100 * (after["sold"] + after["comp"]) / after["capacity"]))
    # when the cart's hold runs out its seat is open again
    later = (FIXED_NOW + timedelta(hours=1)).isoformat()
    by_zone, by_section, _ = sell_through.counts(demo_db, show, later)
    assert by_zone["A"]["cart"] == first["cart"] and by_zone["A"]["open"] == first["open"] - 4
    total_seats = demo_db.execute(
        "SELECT count(*) FROM seats s JOIN sections c ON c.id = s.section_id JOIN "
        "performances p ON p.venue_id = c.venue_id WHERE p.id = ? AND s.active = 1",
        [show]).fetchone()[0]
    assert sum(sums["capacity"] for sums in by_section.values()) == total_seats


def test_general_admission_counts_places(demo_db: Database) -> None:
    stadium = next(p.id for p in performances.list_performances(demo_db)
                   if p.venue_code.upper().startswith("HARBOR"))
    _, by_section, _ = sell_through.counts(demo_db, stadium, FIXED_NOW.isoformat())
    field = by_section["FIELD"]
    assert field["capacity"] == 2500
    assert field["open"] == 2500 - field["sold"] - field["comp"]


def test_sell_through_needs_a_performance(demo_db: Database) -> None:
    with pytest.raises(ReportError) as refused:
        catalogue.build_report(demo_db, user(demo_db, "cora"), "sell-through",
                               Scope(zone=ZONE, now=FIXED_NOW))
    assert refused.value.code == "performance_required"
