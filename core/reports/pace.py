"""Sales pace (issue 22): how fast a performance is selling against comparable ones, and
where it is likely to land.

For the performance and each comparable one (its event's other performances that have
already happened; failing those, the venue's), the tickets sold (live, comps included)
and the money they brought, cumulative by days before the performance. The projection
asks each comparable how much of its final total it had sold by this many days before,
and scales what this performance has sold now by the middle of those ratios; the lowest
and highest ratios give the range. It is an estimate from history, said as one: a show
with no comparable history gets no projection.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from core.report_model import Cents, Chart, Report, ReportError, Scope, Table
from core.store.db import Database
from core.venue.performances import Performance, get_performance, list_performances

MAX_COMPARABLES = 5


@dataclass(frozen=True)
class Pace:
    performance: Performance
    days_to_go: int                       # whole days from now to the start (>= 0)
    sold: dict[int, int]                  # days before -> tickets sold by then
    revenue: dict[int, int]               # days before -> cents by then
    final: int                            # tickets sold by the start (or now, if ahead)


def _day_offsets(db: Database, performance: Performance, zone: Scope
                 ) -> tuple[dict[int, int], dict[int, int]]:
    # comps count as tickets (seats taken); their lines carry no money
    """Tickets and money of live tickets, by whole days before the start (sale day)."""
    tickets: dict[int, int] = defaultdict(int)
    money: dict[int, int] = defaultdict(int)
    start_day = performance.starts_at.astimezone(zone.zone).date()
    for created, cents in db.execute(
            "SELECT t.created_at, l.base_cents + l.fee_cents + l.tax_cents FROM tickets t "
            "LEFT JOIN order_lines l ON l.ticket_id = t.id AND l.status = 'active' "
            "WHERE t.performance_id = ? AND t.status = 'live'", [performance.id]):
        days = (start_day - zone.local(created).date()).days
        tickets[max(days, 0)] += 1
        money[max(days, 0)] += int(cents or 0)
    return tickets, money


def _cumulative(by_day: dict[int, int], horizon: int) -> dict[int, int]:
    """By days before (horizon .. 0): the total sold by the end of that day (sales
    earlier than the horizon count from its first day)."""
    total = sum(v for d, v in by_day.items() if d > horizon)
    out = {}
    for days in range(horizon, -1, -1):
        total += by_day.get(days, 0)
        out[days] = total
    return out


def pace_of(db: Database, performance: Performance, scope: Scope, horizon: int) -> Pace:
    tickets, money = _day_offsets(db, performance, scope)
    days_to_go = max(0, (performance.starts_at.astimezone(scope.zone).date()
                         - scope.now.astimezone(scope.zone).date()).days)
    sold = _cumulative(tickets, horizon)
    return Pace(performance, days_to_go, sold, _cumulative(money, horizon),
                sum(tickets.values()))


def comparables(db: Database, performance: Performance, now: datetime) -> list[Performance]:
    """Past performances of the same event, or else of the same venue, newest first."""
    past = [p for p in list_performances(db) if p.starts_at < now and p.id != performance.id
            and p.status != "cancelled"]
    same_event = [p for p in past if p.event_id == performance.event_id]
    chosen = same_event or [p for p in past if p.venue_id == performance.venue_id]
    return sorted(chosen, key=lambda p: p.starts_at, reverse=True)[:MAX_COMPARABLES]


def chosen_comparables(db: Database, performance: Performance, ids: tuple[int, ...],
                       now: datetime) -> list[Performance]:
    """The performances the coordinator chose to compare with: each must have taken place
    (its whole run of sales is known) and not be this one. Raises ReportError
    `bad_comparable`, NotFound."""
    chosen = []
    for performance_id in dict.fromkeys(ids):
        other = get_performance(db, performance_id)
        if other.id == performance.id or other.starts_at >= now:
            raise ReportError(f"compare with performances that have taken place: #{other.id} "
                              + ("is this one" if other.id == performance.id
                                 else "is still to come"),
                              code="bad_comparable")
        chosen.append(other)
    return chosen


def projection(current: Pace, history: list[Pace]) -> tuple[int, int, int] | None:
    """(expected, low, high) final tickets, or None when history cannot say."""
    now_sold = current.sold.get(current.days_to_go, 0)
    ratios = [p.final / p.sold[current.days_to_go] for p in history
              if p.sold.get(current.days_to_go, 0) > 0]
    if not ratios or now_sold == 0:
        return None
    return (round(now_sold * median(ratios)), round(now_sold * min(ratios)),
            round(now_sold * max(ratios)))


def sales_pace(db: Database, scope: Scope) -> Report:
    """A performance's pace against its comparables, with the projection."""
    if scope.performance_id is None:
        raise ReportError("the pace is per performance: give --performance",
                          code="performance_required")
    performance = get_performance(db, scope.performance_id)
    others = (chosen_comparables(db, performance, scope.compare, scope.now) if scope.compare
              else comparables(db, performance, scope.now))
    horizon = 60
    current = pace_of(db, performance, scope, horizon)
    history = [pace_of(db, other, scope, horizon) for other in others]
    capacity = db.execute(
        "SELECT (SELECT count(*) FROM seats s JOIN sections c ON c.id = s.section_id "
        "WHERE c.venue_id = ? AND s.active = 1) + (SELECT coalesce(sum(capacity), 0) "
        "FROM sections WHERE venue_id = ? AND kind = 'ga' AND active = 1)",
        [performance.venue_id, performance.venue_id]).fetchone()[0]
    rows = []
    shown = sorted({d for d in (60, 45, 30, 21, 14, 7, 3, 1, 0)}
                   | {current.days_to_go}, reverse=True)
    for days in shown:
        if days > horizon:
            continue
        mine = current.sold[days] if days >= current.days_to_go else None
        others_then = [p.sold[days] for p in history]
        rows.append((days, mine, Cents(current.revenue[days]) if mine is not None else None,
                     round(sum(others_then) / len(others_then)) if others_then else None))
    expected = projection(current, history)
    facts: list[tuple[str, str | int | Cents | None]] = [
        ("Days to go", current.days_to_go),
        ("Sold so far", current.sold.get(current.days_to_go, 0)),
        ("Capacity", capacity),
        ("Comparable performances", f"{len(history)}, "
         + ("chosen by hand" if scope.compare else "the event's or venue's latest"))]
    notes = []
    if expected is not None:
        middle, low, high = (min(value, capacity) for value in expected)
        facts.append(("Projected at the start (estimate)", middle))
        facts.append(("Likely range (estimate)", f"{low} to {high}"))
        notes.append("Estimate: what this performance has sold now, scaled by how much of "
                     "their final sales the comparable performances had made by the same "
                     "number of days before (the middle ratio; the range from the lowest "
                     "and highest). Capped at the capacity.")
    else:
        notes.append("No projection: no comparable performance had sold anything by this "
                     "many days before, or this one has sold nothing yet.")
    table = Table("Cumulative tickets by days before", (
        "days before", "this performance", "its revenue", "comparables (mean)"), tuple(rows))
    compared = Table("Comparable performances", ("performance", "starts", "final tickets"),
                     tuple((p.performance.id,
                            f"{p.performance.starts_at.astimezone(scope.zone):%Y-%m-%d}",
                            p.final) for p in history))
    days_shown = range(horizon, current.days_to_go - 1, -1)
    series = [("this performance", tuple((d, current.sold[d]) for d in days_shown))]
    if history:
        series.append(("comparables (mean)", tuple(
            (d, round(sum(p.sold[d] for p in history) / len(history)))
            for d in range(horizon, -1, -1))))
    chart = Chart("Tickets sold by days before the start", "days before", "tickets",
                  tuple(series), reversed_x=True)
    return Report("pace", f"Sales pace: {performance.event_name}",
                  f"{performance.starts_at.astimezone(scope.zone):%a %d %b %Y %H:%M}, "
                  f"{performance.venue_name}", tuple(facts), (table, compared), tuple(notes),
                  (chart,))
