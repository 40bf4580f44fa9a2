"""The producer's final event report: the settlement's figures to the cent, attendance,
channels by week, comps, concessions, the pace chart; a PDF that parses back with its
numbers, and CSV with the same."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from core.report_model import Scope, to_csv
from core.reports import catalogue
from core.reports.pdf import to_pdf
from core.store.db import Database
from tests.support.constants import FIXED_NOW
from tests.support.order_helpers import sell
from tests.support.selling_helpers import hall_performance, user

ZONE = ZoneInfo("America/New_York")


def test_the_final_report_carries_the_settlement_and_more(demo_db: Database) -> None:
    sell(demo_db, ["ORCH-B-101", "ORCH-B-102", "ORCH-B-103"])
    cora = user(demo_db, "cora")
    scope = Scope(zone=ZONE, now=FIXED_NOW, performance_id=hall_performance(demo_db))
    settled = catalogue.build_report(demo_db, cora, "settlement", scope)
    final = catalogue.build_report(demo_db, cora, "final", scope)
    for label in ("Sold", "GBOR", "NAGBOR", "Scanned", "No-shows"):
        assert final.fact(label) == settled.fact(label)
    titles = [table.title for table in final.tables]
    assert "By channel" in titles and "Tickets by channel, by weeks before" in titles
    weeks = final.table("Tickets by channel, by weeks before")
    assert sum(int(row[weeks.columns.index("window")] or 0)
               for row in weeks.rows) == settled.fact("Sold")
    assert final.charts and final.charts[0].title.startswith("Tickets sold")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(to_pdf(final))).pages)
    assert "Final event report" in text
    gbor = settled.fact("GBOR")
    assert f"{int(gbor) / 100:,.2f}" in text                 # type: ignore[arg-type]
    assert "Tickets sold by days before the start" in text
    assert "Tickets by channel, by weeks before" in to_csv(final)
