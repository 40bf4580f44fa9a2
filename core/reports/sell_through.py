"""Sell-through: how full a performance is, by zone and by section (issue 22).

For every zone and every section: its capacity (active seats, or a general-admission
area's places), what is sold (live tickets at a paying price), comped (live tickets at a
comp price type), held, killed, in carts right now, and open; the sell-through is (sold +
comps) / capacity. The window's seat map draws the same states in its heat mode, and
the figures come from the same rows: `seat_plan.plan_states` for the seats, the live
tickets for general admission.
"""

from __future__ import annotations

from collections import defaultdict

from core.report_model import Report, ReportError, Scope, Table
from core.store.db import Database
from core.times import stamp

STATES = ("sold", "comp", "held", "killed", "cart", "open")


def comp_seats(db: Database, performance_id: int) -> set[int]:
    """The seats of the performance whose live ticket is at a comp price type."""
    return {row[0] for row in db.execute(
        "SELECT t.seat_id FROM tickets t JOIN price_types p ON p.id = t.price_type_id "
        "WHERE t.performance_id = ? AND t.status = 'live' AND t.seat_id IS NOT NULL "
        "AND p.kind = 'comp'", [performance_id])}


def counts(db: Database, performance_id: int, now_stamp: str
           ) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]], dict[str, str]]:
    """(by zone code, by section code): capacity and each of STATES; and the zone names."""
    by_zone: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(
        ("capacity", *STATES), 0))
    by_section: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(
        ("capacity", *STATES), 0))
    names: dict[str, str] = {}
    comps = comp_seats(db, performance_id)
    for seat_id, section, zone, zone_name, state, expires_at in db.execute(
            "SELECT s.id, c.code, z.code, z.name, k.state, k.expires_at FROM seats s "
            "JOIN sections c ON c.id = s.section_id JOIN price_zones z ON z.id = s.zone_id "
            "JOIN performances p ON p.venue_id = c.venue_id AND p.id = ? "
            "LEFT JOIN seat_claims k ON k.performance_id = p.id AND k.seat_id = s.id "
            "WHERE s.active = 1 AND c.active = 1", [performance_id]):
        names[zone] = zone_name
        if state == "cart" and expires_at <= now_stamp:
            state = None                        # an expired cart's seat is open again
        if state == "sold" and seat_id in comps:
            state = "comp"
        for sums in (by_zone[zone], by_section[section]):
            sums["capacity"] += 1
            sums[state or "open"] += 1
    # general admission: places, not seats
    for section, zone, zone_name, capacity, paid, comped in db.execute(
            "SELECT c.code, z.code, z.name, c.capacity, "
            "(SELECT count(*) FROM tickets t JOIN price_types p ON p.id = t.price_type_id "
            " WHERE t.section_id = c.id AND t.performance_id = perf.id AND t.status = 'live' "
            " AND p.kind != 'comp'), "
            "(SELECT count(*) FROM tickets t JOIN price_types p ON p.id = t.price_type_id "
            " WHERE t.section_id = c.id AND t.performance_id = perf.id AND t.status = 'live' "
            " AND p.kind = 'comp') "
            "FROM sections c JOIN price_zones z ON z.id = c.zone_id "
            "JOIN performances perf ON perf.venue_id = c.venue_id AND perf.id = ? "
            "WHERE c.kind = 'ga' AND c.active = 1", [performance_id]):
        names[zone] = zone_name
        for sums in (by_zone[zone], by_section[section]):
            sums["capacity"] += capacity
            sums["sold"] += paid
            sums["comp"] += comped
            sums["open"] += max(0, capacity - paid - comped)
    return dict(by_zone), dict(by_section), names


def percent(sums: dict[str, int]) -> int:
    """Sell-through in whole percent (sold and comps over capacity)."""
    return round(100 * (sums["sold"] + sums["comp"]) / sums["capacity"]) if sums["capacity"] \
        else 0


def sell_through(db: Database, scope: Scope) -> Report:
    """A performance's sell-through by zone and by section."""
    if scope.performance_id is None:
        raise ReportError("sell-through is per performance: give --performance",
                          code="performance_required")
    by_zone, by_section, names = counts(db, scope.performance_id, stamp(scope.now))
    columns = ("capacity", "sold", "comps", "held", "killed", "in carts", "open",
               "sell-through %")

    def row(label: str, sums: dict[str, int]) -> tuple[str | int, ...]:
        return (label, sums["capacity"], sums["sold"], sums["comp"], sums["held"],
                sums["killed"], sums["cart"], sums["open"], percent(sums))

    total = dict.fromkeys(("capacity", *STATES), 0)
    for sums in by_zone.values():
        for key in total:
            total[key] += sums[key]
    zones = Table("By zone", ("zone", *columns), tuple(
        row(f"{code} {names[code]}", sums) for code, sums in sorted(by_zone.items())),
        total=row("total", total))
    sections = Table("By section", ("section", *columns), tuple(
        row(code, sums) for code, sums in sorted(by_section.items(),
                                                 key=lambda item: -percent(item[1]))))
    return Report("sell-through", "Sell-through", scope.describe(),
                  (("Capacity", total["capacity"]),
                   ("Sold and comps", total["sold"] + total["comp"]),
                   ("Sell-through %", percent(total))),
                  (zones, sections))
