"""Sales insight on a big history: the pace, pricing and sell-through reports for a
stadium event of about 50,000 tickets over 90 days, next to a bare GROUP BY over the same
tickets in the same run (issue 22's budget: each report under 1 s).

    python bench/bench_insight.py [--per-show 16700] [--runs 5]

Three performances of the stadium's event: two past ones (the comparables) and one 20
days ahead; each sells --per-show tickets in 20-seat sales spread over the 90 days
before its start, through core (carts, checkout, journal). Prints a Markdown table;
figures go in bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
ZONE = ZoneInfo("America/New_York")
BLOCK = 20


def build(directory: Path, per_show: int) -> tuple[object, int, float]:
    """The database with its history; returns (db, target performance, seconds to build)."""
    from core.admin.demo import build_demo
    from core.people.users import get_user
    from core.sales import carts, checkout
    from core.sales.tenders import Tender
    from core.store.schema import open_database
    from core.till.shifts import open_shift
    from core.venue import performances

    started = time.perf_counter()
    db = open_database(directory / "insight.db")
    build_demo(db, now=NOW, zone=ZONE)
    cora, sam = get_user(db, "cora"), get_user(db, "sam")
    stadium = db.execute("SELECT p.id FROM performances p JOIN venues v ON v.id = p.venue_id "
                         "WHERE v.kind = 'stadium' ORDER BY p.id").fetchone()[0]
    shows = [performances.copy_performance(db, cora, stadium, NOW + timedelta(days=days))
             for days in (-60, -30, 20)]
    seats = [row[0] for row in db.execute(
        "SELECT s.id FROM seats s JOIN sections c ON c.id = s.section_id JOIN venues v "
        "ON v.id = c.venue_id WHERE v.kind = 'stadium' AND s.active = 1 ORDER BY s.id")]
    open_shift(db, sam, station="bench", float_counts={}, now=NOW - timedelta(days=200))
    rng = random.Random(7)
    for show in shows:
        start = performances.get_performance(db, show).starts_at
        for first in range(0, min(per_show, len(seats)), BLOCK):
            # more sales near the start, as real on-sales go
            when = start - timedelta(days=90 * rng.random() ** 2, minutes=rng.random() * 600)
            if show == shows[-1] and when > NOW:
                continue                       # the future is not sold yet
            cart = carts.open_cart(db, sam, "bench", when, timedelta(minutes=10))
            carts.add_seats(db, sam, cart, show, seats[first:first + BLOCK], "ADULT", when,
                            timedelta(minutes=10))
            due = carts.view_cart(db, cart).total_cents
            checkout.checkout(db, sam, cart, [Tender("cash", due, tendered_cents=due)],
                              station="bench", now=when)
    return db, shows[-1], time.perf_counter() - started


def timed(call: object, runs: int) -> tuple[float, float]:
    laps = []
    for _ in range(runs):
        began = time.perf_counter()
        call()  # type: ignore[operator]
        laps.append((time.perf_counter() - began) * 1000)
    return statistics.median(laps), max(laps)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-show", type=int, default=16700)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from core.people.users import get_user
    from core.report_model import Scope
    from core.reports import catalogue

    with tempfile.TemporaryDirectory() as tmp:
        db, target, built = build(Path(tmp), args.per_show)
        tickets = db.execute("SELECT count(*) FROM tickets").fetchone()[0]  # type: ignore[attr-defined]
        cora = get_user(db, "cora")  # type: ignore[arg-type]
        scope = Scope(zone=ZONE, now=NOW, performance_id=target)
        rows = [("bare: tickets by day, GROUP BY", timed(lambda: db.execute(  # type: ignore[attr-defined]
            "SELECT date(created_at), count(*) FROM tickets GROUP BY 1").fetchall(),
            args.runs))]
        for name in ("pace", "pricing", "sell-through"):
            rows.append((f"report {name}", timed(
                lambda name=name: catalogue.build_report(db, cora, name, scope),  # type: ignore[arg-type]
                args.runs)))
    print(f"{tickets:,} tickets in the database (built in {built:.0f} s)\n")
    print("| what | median ms | max ms |\n|---|---|---|")
    for label, (median, worst) in rows:
        print(f"| {label} | {median:.1f} | {worst:.1f} |")


if __name__ == "__main__":
    main()
