"""Event settlement: counts, breakdowns, GBOR -> NAGBOR, attendance, consignment; equal to
the order lines and right after a later refund; CSV, PDF and thermal exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from core import report_model
from core.errors import NotFound
from core.gate.checkin import open_gate, scan
from core.people.permissions import PermissionDenied
from core.report_model import ReportError, to_csv, to_json, to_text
from core.reports import catalogue, settlement
from core.reports.pdf import to_pdf
from core.sales import aftersale, consignment, models, orders
from core.store.db import Database
from core.venue import inventory
from tests.core.test_checkin import AT_GATE, Box
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.selling_helpers import STATION, seat, stadium_performance, user

NOW = FIXED_NOW


@pytest.fixture
def box(demo_db: Database, tmp_path: Path) -> Box:
    return Box(demo_db, tmp_path / "keys")


def lines_total(db: Database, performance_id: int) -> tuple[int, int, int, int]:
    """(tickets, base, fee, tax) summed straight from the active order lines."""
    return db.execute(
        "SELECT count(*), coalesce(sum(l.base_cents), 0), coalesce(sum(l.fee_cents), 0), "
        "coalesce(sum(l.tax_cents), 0) FROM order_lines l JOIN tickets t ON t.id = l.ticket_id "
        "WHERE t.performance_id = ? AND l.status = 'active'", [performance_id]).fetchone()


def sell_the_game(box: Box) -> dict[str, object]:
    db, cora = box.db, box.cora
    match = stadium_performance(db)
    labels = [f"101-{r[0]}-{r[1]}" for r in db.execute(
        "SELECT s.row_label, s.number FROM seats s JOIN sections c ON c.id = s.section_id "
        "WHERE c.code = '101' ORDER BY s.rank LIMIT 12")]
    adult = box.sell(match, labels[0:3])
    child = box.sell(match, labels[3:5], "CHILD")
    comp = box.sell(match, labels[5:6], "COMP")
    inventory.kill_seats(db, cora, match, [seat(db, match, labels[6])], "camera", NOW)
    inventory.hold_seats(db, cora, match, [seat(db, match, x) for x in labels[7:9]], "PRESS",
                         NOW)
    batch = consignment.issue(db, cora, match, [seat(db, match, x) for x in labels[9:11]],
                              "Harbor Travel", station=STATION, now=NOW)
    return {"match": match, "adult": adult, "child": child, "comp": comp, "batch": batch}


def test_settlement_counts_breakdowns_and_gbor_to_nagbor(box: Box) -> None:
    sold = sell_the_game(box)
    match = int(sold["match"])  # type: ignore[call-overload]
    adult: models.Order = sold["adult"]  # type: ignore[assignment]
    gate = open_gate(box.db, box.gia, match, "North", zone=ZONE)
    for ticket in adult.tickets[:2]:
        assert scan(box.db, gate, box.code(ticket), now=AT_GATE).admitted
    s = settlement.settle(box.db, match, NOW)
    tickets, base, fee, tax = lines_total(box.db, match)
    assert (s.total.tickets, s.total.base_cents, s.fees_cents, s.taxes_cents) == (
        tickets, base, fee, tax)
    assert s.gbor_cents == base + fee + tax and s.nagbor_cents == base
    # 3 adult + 2 child + 2 consigned sold, 1 comp
    assert (s.sold, s.comps, s.kills, s.holds) == (7, 1, 1, 2)
    assert s.available == s.capacity - 7 - 1 - 1 - 2
    assert {x.key: x.tickets for x in s.by_price_type} == {"ADULT": 5, "CHILD": 2, "COMP": 1}
    assert {x.key: x.tickets for x in s.by_channel} == {"window": 6, "consignment": 2}
    assert sum(x.gross_cents for x in s.by_zone) == s.gbor_cents
    assert (s.scanned, s.no_shows) == (2, 6)
    assert [b.tickets for b in s.consignment] == [2]
    assert s.consignment_outstanding_cents == sum(
        t.base_cents + t.fee_cents + t.tax_cents  # type: ignore[misc]
        for t in orders.get_order(box.db, sold["batch"].order_id).tickets)  # type: ignore[attr-defined]


def test_a_later_refund_and_void_come_out_of_the_settlement(box: Box) -> None:
    sold = sell_the_game(box)
    match = int(sold["match"])  # type: ignore[call-overload]
    adult: models.Order = sold["adult"]  # type: ignore[assignment]
    child: models.Order = sold["child"]  # type: ignore[assignment]
    before = settlement.settle(box.db, match, NOW)
    refunded = adult.tickets[0]
    aftersale.refund(box.db, box.cora, adult.id, reason="ill", station=STATION,
                  now=NOW + timedelta(hours=1), ticket_ids=[refunded.id])
    aftersale.void(box.db, box.cora, child.id, reason="wrong day", station=STATION,
                now=NOW + timedelta(hours=1), zone=ZONE)
    after = settlement.settle(box.db, match, NOW + timedelta(hours=2))
    value = refunded.base_cents + refunded.fee_cents + refunded.tax_cents
    child_value = child.value_cents
    assert after.gbor_cents == before.gbor_cents - value - child_value
    assert after.sold == before.sold - 3
    assert after.refunded.tickets == 3
    tickets, base, fee, tax = lines_total(box.db, match)
    assert after.total.tickets == tickets and after.gbor_cents == base + fee + tax
    # the money in the journal for the game's window orders equals what they still hold
    import json
    money = sum(json.loads(d)["amount_cents"] for (d,) in box.db.execute(
        "SELECT data FROM journal WHERE action = 'money' AND subject IN (?, ?, ?)",
        [f"order:{adult.id}", f"order:{child.id}", f"order:{sold['comp'].id}"]))  # type: ignore[attr-defined]
    window = next(x for x in after.by_channel if x.key == "window")
    assert money == window.gross_cents


def test_settlement_report_exports_csv_json_pdf_and_thermal(box: Box) -> None:
    sold = sell_the_game(box)
    match = int(sold["match"])  # type: ignore[call-overload]
    scope = report_model.Scope(ZONE, NOW, performance_id=match)
    report = catalogue.build_report(box.db, box.cora, "settlement", scope)
    s = settlement.settle(box.db, match, NOW)
    gbor = f"{s.gbor_cents // 100}.{s.gbor_cents % 100:02d}"
    nagbor = f"{s.nagbor_cents // 100}.{s.nagbor_cents % 100:02d}"
    # CSV: the facts and each table; money exact
    rows = list(csv.reader(io.StringIO(to_csv(report))))
    assert ["fact", "GBOR", gbor] in rows and ["fact", "NAGBOR", nagbor] in rows
    start = rows.index(["By price type"])
    assert rows[start + 1] == ["price type", "tickets", "base", "fees", "taxes", "gross"]
    assert rows[start + 2 + len(s.by_price_type)][0] == "total"
    assert rows[start + 2 + len(s.by_price_type)][-1] == gbor
    import json
    data = json.loads(to_json(report))
    assert data["facts"]["GBOR"] == s.gbor_cents and "GBOR" in data["money"]
    assert gbor in to_text(report)
    # PDF: a real PDF that parses back and holds the totals as text
    pdf = to_pdf(report)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "GBOR" in text and gbor in text and nagbor in text
    assert "Harbor City FC" in text
    # thermal: the report job prints the same totals
    from core.report_model import thermal_rows
    from hardware.tickets import report_job
    job = report_job(report.title, thermal_rows(report))
    assert gbor.encode() in job and b"NAGBOR" in job


def test_reports_need_report_access_and_a_performance(box: Box) -> None:
    scope = report_model.Scope(ZONE, NOW)
    with pytest.raises(PermissionDenied):
        catalogue.build_report(box.db, user(box.db, "sam"), "settlement", scope)
    with pytest.raises(ReportError) as missing:
        catalogue.build_report(box.db, box.cora, "settlement", scope)
    assert missing.value.code == "performance_required"
    with pytest.raises(NotFound):
        catalogue.build_report(box.db, box.cora, "settlement",
                             report_model.Scope(ZONE, NOW, performance_id=999))
    with pytest.raises(ReportError) as unknown:
        catalogue.build_report(box.db, box.cora, "gross-vibes", scope)
    assert unknown.value.code == "unknown_report"
