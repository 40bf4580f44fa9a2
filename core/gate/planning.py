"""Lane planning and gate signage: which gate each section's ticket holders use, how many
lanes each gate needs for the last minutes before the start, and the signs that say it.

The plan (docs/gates.md): a gate expects `arriving_share` of its sections' sold tickets
within the last `window_minutes` (60-80 % of a stadium crowd arrives in the last 30-45
minutes); a lane admits `per_lane_per_minute` (20-30 a minute; a handheld about 17). So
lanes = ceil(sold x share / (rate x window)). Sections with no gate are reported apart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from core.errors import BoxOfficeError, NotFound
from core.free_text import clean_text
from core.people.models import User
from core.people.permissions import authorize
from core.report_model import Report, Table
from core.store import journal
from core.store.db import Database, write

PER_LANE_PER_MINUTE: Final = 25
ARRIVING_SHARE: Final = 0.75
WINDOW_MINUTES: Final = 45
NO_GATE: Final = "(no gate)"


class PlanningError(BoxOfficeError):
    """A plan or an assignment cannot be made as asked (`bad_section`, `bad_gate`,
    `bad_rate`, `bad_share`, `bad_window`)."""

    code = "planning"


@dataclass(frozen=True)
class GatePlan:
    gate: str
    sections: tuple[str, ...]
    sold: int
    arriving: int               # expected in the window
    per_minute: float           # arrivals a minute to admit in the window
    lanes: int


@dataclass(frozen=True)
class LanePlan:
    performance_id: int
    event_name: str
    starts_at: datetime
    venue_name: str
    per_lane_per_minute: int
    arriving_share: float
    window_minutes: int
    gates: list[GatePlan]

    @property
    def lanes(self) -> int:
        return sum(gate.lanes for gate in self.gates if gate.gate != NO_GATE)


def assign_sections(db: Database, actor: User, venue_id: int, codes: Sequence[str],
                    gate: str | None, *, now: datetime) -> int:
    """Sign the venue's sections `codes` to `gate` (None: to no gate); returns how many.
    Needs `event_setup`; journaled (`gate.sections`). Raises PermissionDenied, NotFound
    (no such venue), PlanningError `bad_section` (naming the unknown codes; nothing
    changes), `bad_gate`."""
    authorize(db, actor, "event_setup")
    # printed on the signs and journaled: core.free_text's check first
    name = clean_text(" ".join(gate.split()), "gate name") if gate is not None else None
    if name is not None and not 1 <= len(name) <= 40:
        raise PlanningError("a gate needs a name of 1 to 40 characters", code="bad_gate")
    with write(db):
        if db.execute("SELECT 1 FROM venues WHERE id = ?", [venue_id]).fetchone() is None:
            raise NotFound(f"there is no venue {venue_id}")
        ids: list[int] = []
        unknown: list[str] = []
        for code in codes:
            row = db.execute("SELECT id FROM sections WHERE venue_id = ? AND code = ?",
                             [venue_id, code.strip()]).fetchone()
            if row is None:
                unknown.append(code)
            else:
                ids.append(int(row[0]))
        if unknown or not ids:
            raise PlanningError(f"no such section here: {', '.join(unknown) or '(none given)'}",
                                code="bad_section")
        for section_id in ids:
            if name is None:
                db.execute("DELETE FROM section_gates WHERE section_id = ?", [section_id])
            else:
                db.execute("INSERT INTO section_gates (section_id, gate) VALUES (?, ?) "
                           "ON CONFLICT (section_id) DO UPDATE SET gate = excluded.gate",
                           [section_id, name])
        journal.append(db, actor=actor.username, action="gate.sections",
                       subject=f"venue:{venue_id}",
                       data={"sections": [c.strip() for c in codes], "gate": name,
                             "at": now.astimezone(UTC).isoformat(timespec="seconds")})
    return len(ids)


def lane_plan(db: Database, performance_id: int, *,
              per_lane_per_minute: int = PER_LANE_PER_MINUTE,
              arriving_share: float = ARRIVING_SHARE,
              window_minutes: int = WINDOW_MINUTES) -> LanePlan:
    """The lanes each gate needs, from the live tickets sold by section. Raises NotFound,
    PlanningError `bad_rate`, `bad_share`, `bad_window`."""
    if not 1 <= per_lane_per_minute <= 200:
        raise PlanningError("a lane admits 1 to 200 people a minute", code="bad_rate")
    if not 0 < arriving_share <= 1:
        raise PlanningError("the share arriving in the window is above 0 and at most 1",
                            code="bad_share")
    if not 1 <= window_minutes <= 600:
        raise PlanningError("the window is 1 to 600 minutes", code="bad_window")
    show = db.execute("SELECT e.name, p.starts_at, v.name, p.venue_id FROM performances p "
                      "JOIN events e ON e.id = p.event_id JOIN venues v ON "
                      "v.id = p.venue_id WHERE p.id = ?", [performance_id]).fetchone()
    if show is None:
        raise NotFound(f"there is no performance {performance_id}")
    sections: dict[str, list[str]] = {}
    sold: dict[str, int] = {}
    for code, gate, count in db.execute(
            "SELECT c.code, coalesce(g.gate, ?), count(t.id) FROM sections c "
            "LEFT JOIN section_gates g ON g.section_id = c.id "
            "LEFT JOIN tickets t ON t.section_id = c.id AND t.performance_id = ? "
            "AND t.status = 'live' WHERE c.venue_id = ? AND c.active = 1 "
            "GROUP BY c.id, c.code, g.gate ORDER BY c.code", [NO_GATE, performance_id, show[3]]):
        if gate == NO_GATE and not count:
            continue                    # an unsold section with no gate is no concern
        sections.setdefault(gate, []).append(str(code))
        sold[gate] = sold.get(gate, 0) + int(count)
    gates = []
    for gate in sorted(sections, key=lambda name: (name == NO_GATE, name)):
        arriving = math.ceil(sold[gate] * arriving_share)
        per_minute = arriving / window_minutes
        gates.append(GatePlan(gate, tuple(sections[gate]), sold[gate], arriving, per_minute,
                              math.ceil(per_minute / per_lane_per_minute)))
    return LanePlan(performance_id, str(show[0]), datetime.fromisoformat(show[1]),
                    str(show[2]), per_lane_per_minute, arriving_share, window_minutes, gates)


def plan_report(plan: LanePlan) -> Report:
    """The plan as a report (text, CSV, JSON, PDF like every report)."""
    rows = tuple((g.gate, " ".join(g.sections), g.sold, g.arriving, f"{g.per_minute:.1f}",
                  g.lanes) for g in plan.gates)
    return Report(
        "lanes", "Lane plan", f"{plan.event_name}, {plan.venue_name}",
        (("Lanes", plan.lanes),
         ("Assumed", f"{plan.arriving_share:.0%} arrive in the last {plan.window_minutes} "
                     f"min; a lane admits {plan.per_lane_per_minute} a minute")),
        (Table("By gate", ("gate", "sections", "sold", "arriving", "a minute", "lanes"),
               rows, ("total", "", sum(g.sold for g in plan.gates),
                      sum(g.arriving for g in plan.gates), "", plan.lanes)),),
        (f"{NO_GATE}: sold sections with no gate yet; `boxoffice lane sections` signs "
         "them to one.",) if any(g.gate == NO_GATE for g in plan.gates) else ())


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def signage_pdf(plan: LanePlan, *, when: str, generated_at: datetime | None = None) -> bytes:
    """Signs as PDF: one A4 landscape page per gate (GATE NORTH, big, and its sections),
    then a section-to-gate table for the stewards. `when` is the start as the venue
    reads it. Raises PlanningError `no_gates` when no section has a gate."""
    from fpdf import FPDF

    gates = [g for g in plan.gates if g.gate != NO_GATE]
    if not gates:
        raise PlanningError("no section has a gate yet: `boxoffice lane sections` first",
                            code="no_gates")
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(_latin1(f"Gates: {plan.event_name}"))
    pdf.set_creator("boxoffice")
    if generated_at is not None:
        pdf.set_creation_date(generated_at)
    pdf.set_auto_page_break(auto=True, margin=12)
    for gate in gates:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 96)
        pdf.cell(0, 60, _latin1(f"GATE {gate.gate.upper()}"), align="C",
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "B", 40)
        pdf.multi_cell(0, 20, _latin1("Sections " + "  ".join(gate.sections)), align="C",
                       new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 18)
        pdf.cell(0, 14, _latin1(f"{plan.event_name}, {when}"), align="C",
                 new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 12, _latin1(f"Which gate: {plan.event_name}, {when}"),
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    by_section = sorted((section, g.gate) for g in gates for section in g.sections)
    for section, gate_name in by_section:
        pdf.cell(60, 8, _latin1(f"Section {section}"))
        pdf.cell(0, 8, _latin1(f"Gate {gate_name}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
