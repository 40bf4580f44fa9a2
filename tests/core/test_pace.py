"""Sales pace on a seeded history: three past performances of the same event with known
pace, and the projection for an upcoming one, computed by hand."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from core.report_model import ReportError, Scope
from core.reports import catalogue
from core.sales import carts, checkout
from core.sales.tenders import Tender
from core.store.db import Database
from core.venue import performances
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import STATION, cart_with, hall_performance, user

ZONE = ZoneInfo("America/New_York")


def sell_at(db: Database, show: int, seats: list[str], days_before: int) -> None:
    """Sell `seats` of `show`, `days_before` days before it starts."""
    starts = performances.get_performance(db, show).starts_at
    when = starts - timedelta(days=days_before)
    sam = user(db, "sam")
    cart = cart_with(db, sam, show, seats, when)
    due = carts.view_cart(db, cart).total_cents
    checkout.checkout(db, sam, cart, [Tender("cash", due, tendered_cents=due)],
                      station=STATION, now=when)


def row_seats(row: str, first: int, count: int) -> list[str]:
    return [f"ORCH-{row}-{number}" for number in range(first, first + count)]


def test_the_projection_from_three_comparables(demo_db: Database) -> None:
    base = hall_performance(demo_db)
    cora = user(demo_db, "cora")
    past = [performances.copy_performance(demo_db, cora, base,
                                          FIXED_NOW - timedelta(days=days))
            for days in (10, 20, 30)]
    # two of them sold 10 by 14 days before and 10 more 2 days before (final 20); the
    # third sold 10 then 20 (final 30): by 7 days before each had 10
    for show, late in zip(past, (10, 10, 20), strict=True):
        sell_at(demo_db, show, row_seats("H", 101, 10), 14)
        sell_at(demo_db, show, row_seats("J", 101, 10) + row_seats("L", 101, late - 10), 2)
    upcoming = performances.copy_performance(demo_db, cora, base,
                                             FIXED_NOW + timedelta(days=7, hours=2))
    sell_at(demo_db, upcoming, row_seats("K", 101, 5), 9)
    report = catalogue.build_report(demo_db, cora, "pace",
                                    Scope(zone=ZONE, now=FIXED_NOW, performance_id=upcoming))
    assert report.fact("Days to go") == 7
    assert report.fact("Sold so far") == 5
    assert report.fact("Comparable performances") == "3, the event's or venue's latest"
    # ratios final / sold-by-7-days: 2, 2, 3 -> middle 2 (10), range 10 to 15
    assert report.fact("Projected at the start (estimate)") == 10
    assert report.fact("Likely range (estimate)") == "10 to 15"
    rows = {row[0]: row for row in report.table("Cumulative tickets by days before").rows}
    assert rows[14][1] == 0 and rows[14][3] == 10            # it sold 9 days before
    assert rows[7][1] == 5 and rows[7][3] == 10
    assert rows[0][1] is None and rows[0][3] == round((20 + 20 + 30) / 3)
    assert any("Estimate" in note for note in report.notes)
    # the coordinator compares with the third only (ratio 3): 15, range 15 to 15
    chosen = catalogue.build_report(demo_db, cora, "pace", Scope(
        zone=ZONE, now=FIXED_NOW, performance_id=upcoming, compare=(past[2],)))
    assert chosen.fact("Comparable performances") == "1, chosen by hand"
    assert chosen.fact("Projected at the start (estimate)") == 15
    assert [row[0] for row in chosen.table("Comparable performances").rows] == [past[2]]
    for wrong in (upcoming, base):           # itself, or one still to come
        with pytest.raises(ReportError) as refused:
            catalogue.build_report(demo_db, cora, "pace", Scope(
                zone=ZONE, now=FIXED_NOW, performance_id=upcoming, compare=(wrong,)))
        assert refused.value.code == "bad_comparable"


def test_no_history_no_projection(demo_db: Database) -> None:
    show = hall_performance(demo_db)
    report = catalogue.build_report(demo_db, user(demo_db, "cora"), "pace",
                                    Scope(zone=ZONE, now=FIXED_NOW, performance_id=show))
    assert not any(label.startswith("Projected") for label, _ in report.facts)
    assert any("No projection" in note for note in report.notes)
    with pytest.raises(ReportError):
        catalogue.build_report(demo_db, user(demo_db, "cora"), "pace",
                               Scope(zone=ZONE, now=FIXED_NOW))


def test_the_pace_chart_is_in_the_pdf(demo_db: Database) -> None:
    import io

    from pypdf import PdfReader

    from core.reports.pdf import to_pdf

    show = hall_performance(demo_db)
    report = catalogue.build_report(demo_db, user(demo_db, "cora"), "pace",
                                    Scope(zone=ZONE, now=FIXED_NOW, performance_id=show))
    [chart] = report.charts
    assert chart.reversed_x and chart.series[0][0] == "this performance"
    text = PdfReader(io.BytesIO(to_pdf(report))).pages[0].extract_text()
    assert "Tickets sold by days before the start" in text and "this performance" in text
