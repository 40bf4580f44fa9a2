"""Pricing evidence (issue 22): what each zone and price type sold, at what price and how
fast, what each price change did, and a "what if" at the current pace.

- By zone and price type: tickets sold, comps, the average price paid (before fee and
  tax) and the revenue (what the lines brought in, fee and tax included).
- By zone: its capacity, what is taken (sold and comps), and how many days from the
  first sale it took to reach 50 % and 90 % of the capacity (blank until it does).
- Price changes, from the journal (`price.set` for the performance): each change, and the
  tickets of that zone and price type sold in the 7 days before it and the 7 days after.
- What if: revenue for the rest of the run if the price were changed, at the pace of the
  last 14 days. An estimate, said with its assumption: the pace does not change with the
  price (no elasticity is known from one performance's sales).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.people.models import User
from core.people.permissions import authorize
from core.report_model import Cents, Report, ReportError, Scope, Table
from core.store.db import Database
from core.times import parse_stamp, stamp
from core.venue.performances import get_performance

WINDOW_DAYS = 7          # before and after a price change
PACE_DAYS = 14           # the pace a what-if assumes


def _sales(db: Database, performance_id: int) -> list[tuple[str, str, str, bool, int, int]]:
    """Live tickets: (zone, price type, sold at, comp, base cents, line total cents)."""
    return [(zone, ptype, created, kind == "comp", base or 0, total or 0)
            for zone, ptype, kind, created, base, total in db.execute(
                "SELECT z.code, p.code, p.kind, t.created_at, l.base_cents, "
                "l.base_cents + l.fee_cents + l.tax_cents FROM tickets t "
                "JOIN price_types p ON p.id = t.price_type_id "
                "LEFT JOIN seats s ON s.id = t.seat_id "
                "JOIN sections c ON c.id = t.section_id "
                "JOIN price_zones z ON z.id = coalesce(s.zone_id, c.zone_id) "
                "LEFT JOIN order_lines l ON l.ticket_id = t.id AND l.status = 'active' "
                "WHERE t.performance_id = ? AND t.status = 'live' ORDER BY t.created_at",
                [performance_id])]


def _capacity(db: Database, performance_id: int) -> dict[str, int]:
    capacity: dict[str, int] = defaultdict(int)
    for zone, count in db.execute(
            "SELECT z.code, count(*) FROM seats s JOIN sections c ON c.id = s.section_id "
            "JOIN price_zones z ON z.id = s.zone_id JOIN performances p "
            "ON p.venue_id = c.venue_id AND p.id = ? WHERE s.active = 1 AND c.active = 1 "
            "GROUP BY z.code", [performance_id]):
        capacity[zone] += count
    for zone, places in db.execute(
            "SELECT z.code, sum(c.capacity) FROM sections c JOIN price_zones z "
            "ON z.id = c.zone_id JOIN performances p ON p.venue_id = c.venue_id AND p.id = ? "
            "WHERE c.kind = 'ga' AND c.active = 1 GROUP BY z.code", [performance_id]):
        capacity[zone] += places
    return dict(capacity)


def pricing_evidence(db: Database, scope: Scope) -> Report:
    """The report (see the module docstring)."""
    if scope.performance_id is None:
        raise ReportError("pricing evidence is per performance: give --performance",
                          code="performance_required")
    performance_id = scope.performance_id
    performance = get_performance(db, performance_id)
    sales = _sales(db, performance_id)
    by_type: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for zone, ptype, _, comp, base, total in sales:
        line = by_type[(zone, ptype)]
        line[1 if comp else 0] += 1
        if not comp:
            line[2] += base
            line[3] += total
    def days_to_own(zone: str, ptype: str, share: float) -> int | None:
        """Days from the first sale of this zone and price type until it had `share` of
        what it has sold so far (a price type has no capacity of its own)."""
        times = [parse_stamp(created) for z, p, created, comp, _, _ in sales
                 if z == zone and p == ptype and not comp]
        if not times:
            return None
        needed = max(1, int(len(times) * share + 0.999999))
        return (times[needed - 1] - times[0]).days

    types = Table("By zone and price type", (
        "zone", "price type", "sold", "comps", "average price", "revenue",
        "days to 50 % of its sales", "days to 90 % of its sales"), tuple(
        (zone, ptype, v[0], v[1], Cents(round(v[2] / v[0])) if v[0] else None, Cents(v[3]),
         days_to_own(zone, ptype, 0.5), days_to_own(zone, ptype, 0.9))
        for (zone, ptype), v in sorted(by_type.items())))
    capacity = _capacity(db, performance_id)
    zone_rows = []
    for zone, seats in sorted(capacity.items()):
        times = [parse_stamp(created) for z, _, created, _, _, _ in sales if z == zone]
        first = times[0] if times else None

        def days_to(share: float, times: list[datetime] = times,
                    first: datetime | None = first, seats: int = seats) -> int | None:
            needed = int(seats * share + 0.999999)
            if first is None or needed == 0 or len(times) < needed:
                return None
            return (times[needed - 1] - first).days

        zone_rows.append((zone, seats, len(times),
                          round(100 * len(times) / seats) if seats else 0,
                          days_to(0.5), days_to(0.9)))
    zones = Table("By zone", ("zone", "capacity", "taken", "taken %",
                              "days to 50 %", "days to 90 %"), tuple(zone_rows))
    changes = []
    for at, data in db.execute(
            "SELECT at, data FROM journal WHERE action = 'price.set' AND subject = ? "
            "ORDER BY id", [f"performance:{performance_id}"]):
        change = json.loads(data)
        when = parse_stamp(at)
        zone, ptype = change["zone"], change["price_type"]

        def sold_between(start: datetime, end: datetime, zone: str = zone,
                         ptype: str = ptype) -> int:
            return sum(1 for z, p, created, comp, _, _ in sales
                       if z == zone and p == ptype and not comp
                       and start <= parse_stamp(created) < end)

        changes.append((f"{when.astimezone(scope.zone):%Y-%m-%d %H:%M}", zone, ptype,
                        Cents(change["base_cents"]),
                        sold_between(when - timedelta(days=WINDOW_DAYS), when),
                        sold_between(when, when + timedelta(days=WINDOW_DAYS))))
    history = Table("Price changes", ("when", "zone", "price type", "new price",
                                      f"sold {WINDOW_DAYS} days before",
                                      f"sold {WINDOW_DAYS} days after"), tuple(changes))
    return Report("pricing", f"Pricing evidence: {performance.event_name}",
                  f"{performance.starts_at.astimezone(scope.zone):%a %d %b %Y %H:%M}, "
                  f"{performance.venue_name}",
                  (("Tickets sold", sum(v[0] for v in by_type.values())),
                   ("Comps", sum(v[1] for v in by_type.values())),
                   ("Revenue", Cents(sum(v[3] for v in by_type.values())))),
                  (types, zones, history),
                  ("Prices are before fee and tax; revenue is what the lines brought in. "
                   "Days to 50 % and 90 % count from the zone's first sale (by zone: of its "
                   "seats; by price type: of what that type has sold so far).",))


@dataclass(frozen=True)
class WhatIf:
    per_day: float                 # tickets a day, over the last PACE_DAYS
    days_left: int
    expected_tickets: int          # at that pace, capped at the seats still open
    current_base_cents: int
    new_base_cents: int
    revenue_now_cents: int         # the expected tickets at the current price
    revenue_new_cents: int         # ... at the new price
    assumption: str


def what_if(db: Database, actor: User, performance_id: int, zone: str, price_type: str,
            new_base_cents: int, *, now: datetime) -> WhatIf:
    """Revenue (before fee and tax) for the rest of the run at the current price and at
    `new_base_cents`, at the pace of the last PACE_DAYS. Needs `report_access`. Raises
    ReportError (`no_price`, `bad_price`), PermissionDenied."""
    authorize(db, actor, "report_access")
    if new_base_cents < 0:
        raise ReportError("a price cannot be negative", code="bad_price")
    row = db.execute(
        "SELECT pr.base_cents FROM prices pr JOIN price_zones z ON z.id = pr.zone_id "
        "JOIN price_types t ON t.id = pr.price_type_id WHERE pr.performance_id = ? "
        "AND z.code = ? AND t.code = ?", [performance_id, zone.upper(), price_type.upper()]
    ).fetchone()
    if row is None:
        raise ReportError(f"performance {performance_id} has no {zone.upper()} "
                          f"{price_type.upper()} price", code="no_price")
    performance = get_performance(db, performance_id)
    since = stamp(now - timedelta(days=PACE_DAYS))
    recent = sum(1 for z, p, created, comp, _, _ in _sales(db, performance_id)
                 if z == zone.upper() and p == price_type.upper() and not comp
                 and created >= since)
    per_day = recent / PACE_DAYS
    days_left = max(0, (performance.starts_at - now).days)
    open_seats = _capacity(db, performance_id).get(zone.upper(), 0) - sum(
        1 for z, *_ in _sales(db, performance_id) if z == zone.upper())
    expected = min(max(open_seats, 0), round(per_day * days_left))
    return WhatIf(per_day, days_left, expected, row[0], new_base_cents,
                  expected * row[0], expected * new_base_cents,
                  f"Estimate: {zone.upper()} {price_type.upper()} goes on selling "
                  f"{per_day:.1f} a day (its last {PACE_DAYS} days) for the {days_left} "
                  "days left, whatever the price: no elasticity is assumed. Capped at the "
                  "zone's open seats.")
