"""Lane planning and signage: sections signed to gates, the lanes each gate needs for
the last 45 minutes from what is sold, and the signs as a PDF."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from core.gate import planning
from core.gate.planning import PlanningError
from core.people.permissions import PermissionDenied
from core.store.db import Database
from tests.core.test_checkin import Box
from tests.support.constants import FIXED_NOW
from tests.support.lane_helpers import stadium_labels
from tests.support.selling_helpers import stadium_performance


@pytest.fixture
def box(demo_db: Database, tmp_path: Path) -> Box:
    return Box(demo_db, tmp_path / "keys")


def venue_of(db: Database, performance_id: int) -> int:
    return int(db.execute("SELECT venue_id FROM performances WHERE id = ?",
                          [performance_id]).fetchone()[0])


def test_the_plan_counts_lanes_per_gate_from_sold_sections(box: Box) -> None:
    match = stadium_performance(box.db)
    venue = venue_of(box.db, match)
    for start in range(0, 200, 20):
        box.sell(match, stadium_labels(200, "101")[start:start + 20])
    box.sell(match, stadium_labels(20, "102"))
    box.sell(match, stadium_labels(5, "103"))
    assert planning.assign_sections(box.db, box.cora, venue, ["101", "102"], "North",
                                    now=FIXED_NOW) == 2
    plan = planning.lane_plan(box.db, match, per_lane_per_minute=2, arriving_share=0.75,
                              window_minutes=45)
    north = next(g for g in plan.gates if g.gate == "North")
    assert (north.sold, north.arriving) == (220, 165)           # 220 x 0.75
    assert north.lanes == 2 and north.sections[:2] == ("101", "102")   # 165/45 = 3.7/min
    loose = plan.gates[-1]
    assert loose.gate == planning.NO_GATE and loose.sections == ("103",) and loose.sold == 5
    assert plan.lanes == 2
    report = planning.plan_report(plan)
    assert report.fact("Lanes") == 2 and report.notes
    with pytest.raises(PlanningError) as bad:
        planning.lane_plan(box.db, match, per_lane_per_minute=0)
    assert bad.value.code == "bad_rate"


def test_assigning_checks_the_sections_and_the_permission(box: Box) -> None:
    match = stadium_performance(box.db)
    venue = venue_of(box.db, match)
    with pytest.raises(PlanningError) as unknown:
        planning.assign_sections(box.db, box.cora, venue, ["101", "NOPE"], "North",
                                 now=FIXED_NOW)
    assert unknown.value.code == "bad_section" and "NOPE" in unknown.value.message
    assert box.db.execute("SELECT count(*) FROM section_gates").fetchone()[0] == 0
    with pytest.raises(PermissionDenied):
        planning.assign_sections(box.db, box.gia, venue, ["101"], "North", now=FIXED_NOW)
    planning.assign_sections(box.db, box.cora, venue, ["101"], "North", now=FIXED_NOW)
    planning.assign_sections(box.db, box.cora, venue, ["101"], None, now=FIXED_NOW)
    assert box.db.execute("SELECT count(*) FROM section_gates").fetchone()[0] == 0


def test_the_signs_have_a_page_per_gate_and_a_table(box: Box) -> None:
    match = stadium_performance(box.db)
    venue = venue_of(box.db, match)
    box.sell(match, stadium_labels(4, "101"))
    plan = planning.lane_plan(box.db, match)
    with pytest.raises(PlanningError):
        planning.signage_pdf(plan, when="Wed 25 Nov 15:00")
    planning.assign_sections(box.db, box.cora, venue, ["101", "102"], "North",
                             now=FIXED_NOW)
    planning.assign_sections(box.db, box.cora, venue, ["103"], "South", now=FIXED_NOW)
    pdf = PdfReader(io.BytesIO(planning.signage_pdf(planning.lane_plan(box.db, match),
                                                    when="Wed 25 Nov 15:00")))
    pages = [page.extract_text() for page in pdf.pages]
    assert len(pages) == 3
    assert "GATE NORTH" in pages[0] and "101" in pages[0] and "102" in pages[0]
    assert "GATE SOUTH" in pages[1] and "103" in pages[1]
    assert "Section 103" in pages[2] and "Gate South" in pages[2]
