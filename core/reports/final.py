"""The final event report for the producer (issue 22): one document with the summary
first, then the settlement, attendance, sales by channel over time, comps by reason, and
concessions by category (where the house shares them), with the pace chart. As a PDF
(`--format pdf`), and as CSV beside it: the same tables, the same figures.

It composes the reports that already exist, so its figures are theirs to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from core.report_model import Report, ReportError, Scope, Table
from core.reports import closeout, concessions, pace
from core.store.db import Database
from core.venue.performances import get_performance


def _channels_by_week(db: Database, scope: Scope, performance_id: int) -> Table:
    """Live tickets by channel, by week before the performance (week 0: its last 7 days)."""
    start_day = get_performance(db, performance_id).starts_at.astimezone(scope.zone).date()
    weeks: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    channels: set[str] = set()
    for created, channel in db.execute(
            "SELECT t.created_at, o.channel FROM tickets t JOIN orders o ON o.id = t.order_id "
            "WHERE t.performance_id = ? AND t.status = 'live'", [performance_id]):
        week = max(0, (start_day - scope.local(created).date()).days // 7)
        weeks[week][channel] += 1
        channels.add(channel)
    ordered = sorted(channels)
    return Table("Tickets by channel, by weeks before", ("weeks before", *ordered),
                 tuple((week, *(weeks[week][c] for c in ordered))
                       for week in sorted(weeks, reverse=True)))


Builder = Callable[[Database, Scope], Report]


def final_report(db: Database, scope: Scope, *, attendance: Builder,
                 comps: Builder) -> Report:
    """The producer's final report of a performance; `attendance` and `comps` are the
    catalogue's reports of those names (handed in: the catalogue imports this module)."""
    if scope.performance_id is None:
        raise ReportError("the final report is per performance: give --performance",
                          code="performance_required")
    settled = closeout.settlement(db, scope)
    attended = attendance(db, scope)
    comped = comps(db, scope)
    sold_goods = concessions.concessions(db, scope)
    pacing = pace.sales_pace(db, scope)
    wanted = ("Capacity", "Sold", "Comps", "Scanned", "No-shows", "GBOR", "Fees", "Taxes",
              "NAGBOR", "Consignment outstanding", "Refunded/voided tickets")
    facts = tuple((label, value) for label, value in settled.facts if label in wanted)
    facts += tuple((f"Concessions: {label.lower()}", value)
                   for label, value in sold_goods.facts if label in ("Net sales", "Gross"))
    tables = (*settled.tables, _channels_by_week(db, scope, scope.performance_id),
              *comped.tables, *attended.tables,
              *(t for t in sold_goods.tables if t.title == "By category"))
    return Report("final", settled.title.replace("Settlement", "Final event report"),
                  settled.subtitle, facts, tables,
                  (*settled.notes, "Attendance: admissions per gate in 15-minute buckets. "
                   "Concessions by category as the house shares them."),
                  pacing.charts)
