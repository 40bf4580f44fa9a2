"""The other reports: sales by day, seller and tender; comps by reason; refunds, voids and
reprints with who approved; attendance by gate in 15-minute buckets; the audit extract.
Every report exports CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from core import report_model
from core.people.permissions import Override
from core.report_model import ReportError, to_csv
from core.reports import catalogue
from core.sales import aftersale, carts, checkout
from core.sales.tenders import Tender
from core.store.db import Database
from tests.core.test_checkin import AT_GATE, Box
from tests.core.test_settlement import box as box
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.selling_helpers import STATION, cart_with, hall_performance, user

NOW = FIXED_NOW


def scope(**kwargs: Any) -> report_model.Scope:
    return report_model.Scope(ZONE, NOW, **kwargs)


def test_sales_by_day_seller_and_tender(demo_db: Database) -> None:
    db = demo_db
    sam, cora = user(db, "sam"), user(db, "cora")
    show = hall_performance(db)
    cart = cart_with(db, sam, show, ["ORCH-A-101"], NOW)
    checkout.checkout(db, sam, cart, [Tender("cash", 13824)], station=STATION, now=NOW)
    cart = cart_with(db, cora, show, ["ORCH-A-102"], NOW)
    card = checkout.checkout(db, cora, cart, [Tender("card", 13824, card_brand="VISA",
                                                   card_last4="4242", approval_code="A1")],
                           station=STATION, now=NOW)
    aftersale.refund(db, cora, card.id, reason="ill", station=STATION, now=NOW)
    report = catalogue.build_report(db, cora, "sales", scope(day=NOW.astimezone(ZONE).date()))
    by_tender = {row[0]: row for row in report.table("By tender").rows}
    assert by_tender["cash"][1:] == (1, 13824, 0, 13824)
    assert by_tender["card"][1:] == (2, 13824, 13824, 0)
    assert {row[0]: row[-1] for row in report.table("By seller").rows} == {
        "cora": 0, "sam": 13824}
    assert report.fact("Net") == 13824
    other_day = catalogue.build_report(db, cora, "sales",
                                     scope(day=(NOW + timedelta(days=3)).date()))
    assert other_day.table("By tender").rows == ()


def test_comps_and_adjustments_name_reasons_and_approvers(demo_db: Database) -> None:
    db = demo_db
    sam, cora = user(db, "sam"), user(db, "cora")
    show = hall_performance(db)
    cart = cart_with(db, cora, show, ["ORCH-A-101"], NOW)
    checkout.checkout(db, cora, cart, [Tender("comp", 13824, reason="press night")],
                    station=STATION, now=NOW)
    cart = cart_with(db, sam, show, ["ORCH-A-102", "ORCH-A-103"], NOW)
    sold = checkout.checkout(db, sam, cart, [Tender("cash", 27648)], station=STATION, now=NOW)
    aftersale.refund(db, sam, sold.id, reason="ill", station=STATION, now=NOW,
                  ticket_ids=[sold.tickets[0].id], override=Override("cora", "3333"))
    aftersale.reprint(db, cora, sold.tickets[1].id, reason="torn", now=NOW)
    comps = catalogue.build_report(db, cora, "comps", scope(performance_id=show))
    assert comps.table("Comp tenders by reason").rows == (("press night", 1, 13824),)
    adjustments = catalogue.build_report(db, cora, "adjustments", scope(performance_id=show))
    rows = adjustments.table("Adjustments").rows
    assert [(r[1], r[3], r[4], r[5]) for r in rows] == [
        ("refund", "sam", "cora", "ill"), ("reprint", "cora", "cora", "torn")]
    assert rows[0][-1] == 13824
    assert carts.view_cart(db, cart).status == "ordered"


def test_attendance_in_15_minute_buckets_by_gate(box: Box) -> None:
    from core.gate.checkin import open_gate, scan
    from tests.support.selling_helpers import stadium_performance

    match = stadium_performance(box.db)
    labels = [f"101-{r[0]}-{r[1]}" for r in box.db.execute(
        "SELECT s.row_label, s.number FROM seats s JOIN sections c ON c.id = s.section_id "
        "WHERE c.code = '101' ORDER BY s.rank LIMIT 3")]
    sold = box.sell(match, labels)
    north = open_gate(box.db, box.gia, match, "North", zone=ZONE)
    south = open_gate(box.db, box.gia, match, "South", zone=ZONE)
    start = AT_GATE.replace(minute=0)
    scan(box.db, north, box.code(sold.tickets[0]), now=start + timedelta(minutes=1))
    scan(box.db, north, box.code(sold.tickets[1]), now=start + timedelta(minutes=14))
    scan(box.db, south, box.code(sold.tickets[2]), now=start + timedelta(minutes=16))
    scan(box.db, south, box.code(sold.tickets[2]), now=start + timedelta(minutes=17))
    report = catalogue.build_report(box.db, box.cora, "attendance", scope(performance_id=match))
    local = start.astimezone(ZONE)
    first = f"{local:%Y-%m-%d %H:%M}"
    second = f"{local + timedelta(minutes=15):%Y-%m-%d %H:%M}"
    assert report.table("By 15 minutes").rows == ((first, "North", 2), (second, "South", 1))
    assert report.fact("Admitted") == 3
    with pytest.raises(ReportError):
        catalogue.build_report(box.db, box.cora, "attendance", scope())


def test_the_audit_extract_and_every_report_exports_csv(demo_db: Database) -> None:
    db = demo_db
    cora = user(db, "cora")
    cart = cart_with(db, cora, hall_performance(db), ["ORCH-A-101"], NOW)
    checkout.checkout(db, cora, cart, [Tender("cash", 13824)], station=STATION, now=NOW)
    audit = catalogue.build_report(db, cora, "audit", scope())
    assert audit.fact("Chain") == "holds"
    assert audit.fact("Rows") == db.execute("SELECT count(*) FROM journal").fetchone()[0]
    needs = {"settlement": {"performance_id": hall_performance(db)},
             "attendance": {"performance_id": hall_performance(db)},
             "will-call": {"performance_id": hall_performance(db)},
             "lanes": {"performance_id": hall_performance(db)},
             "pace": {"performance_id": hall_performance(db)},
             "sell-through": {"performance_id": hall_performance(db)},
             "x": {"shift_id": 1}, "z": None}
    for kind in catalogue.report_names():
        needed = needs.get(kind.name, {})
        if needed is None:
            continue
        report = catalogue.build_report(db, cora, kind.name, scope(**needed))
        rows = list(csv.reader(io.StringIO(to_csv(report))))
        assert rows[0] == [report.title], kind.name
