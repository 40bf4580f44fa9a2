"""Subscriptions in the 37,260-seat stadium: selling one fixed subscription on a
10-performance series, beside a bare baseline from the same run, and rolling a series
of 5,000 subscribers forward.

    python bench/bench_subscriptions.py [--sales 60] [--subscribers 5000]

1. Sale: `add_package_seats` (the seat claimed at all ten performances in one write) then
   `sell_subscription` (checkout for a customer), p50/p99 over `--sales` sales of a named
   seat, interleaved with the baseline: one single ticket (open_cart, add_seats,
   checkout) at one performance, and ten of them (the same ten claims as ten sales).
   Then the package's seat map: `package_plan` (every seat's state across the ten
   performances), as the window reads it on opening the map and after each seat taken.
2. Roll-forward: `--subscribers` subscriptions on a 2-performance series of the stadium
   are sold through the services (timed as a whole, for what it is worth), then
   `roll_forward` to two new performances holds each seat under its own hold code.

Builds its own demo database in a temporary directory; prints Markdown. Only measures.
"""

from __future__ import annotations

import argparse
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
HOLD = timedelta(minutes=10)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    from core.admin.demo import build_demo
    from core.config import PricingConfig
    from core.people.users import get_user
    from core.sales import carts, checkout, renewals, subscriptions
    from core.sales.tenders import Tender
    from core.store.schema import open_database
    from core.till.shifts import open_shift
    from core.venue import series as series_service
    from core.venue.performances import copy_performance, set_on_sale_window

    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=60)
    parser.add_argument("--subscribers", type=int, default=5000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "subs.db")
        build_demo(db, now=NOW, zone=ZONE)
        cora, sam = get_user(db, "cora"), get_user(db, "sam")
        open_shift(db, sam, station="bench", float_counts={}, now=NOW)
        match = db.execute("SELECT p.id FROM performances p JOIN venues v ON "
                           "v.id = p.venue_id WHERE v.kind = 'stadium'").fetchone()[0]
        shows = [match] + [copy_performance(db, cora, match, NOW + timedelta(days=7 * n))
                           for n in range(1, 14)]
        for show in shows:
            set_on_sale_window(db, cora, show, None, NOW + timedelta(days=400))
        ten, pair, next_pair = shows[:10], shows[10:12], shows[12:14]
        zones = [row[0] for row in db.execute(
            "SELECT DISTINCT z.code FROM price_zones z JOIN performances p ON "
            "p.venue_id = z.venue_id WHERE p.id = ?", [match])]

        def series_with_package(name: str, performance_ids: list[int]) -> int:
            made = series_service.create_series(db, cora, name, performance_ids, now=NOW)
            package = series_service.create_package(db, cora, made.id, "SEASON", "Season",
                                                    now=NOW)
            for zone in zones:
                series_service.set_package_price(db, cora, package.id, zone, "ADULT", 50000,
                                                 defaults=PricingConfig(fee_cents=500))
            return package.id

        package_ten = series_with_package("Ten matches", ten)
        seats = [f"{row[0]}-{row[1]}-{row[2]}" for row in db.execute(
            "SELECT c.code, s.row_label, s.number FROM seats s JOIN sections c ON "
            "c.id = s.section_id JOIN venues v ON v.id = c.venue_id WHERE "
            "v.kind = 'stadium' AND c.kind != 'ga' AND s.wheelchair = 0 ORDER BY s.id")]
        labels = iter(seats[::7])
        customer = db.execute("INSERT INTO customers (name, created_at) VALUES "
                              "('Bench Subscriber', ?) RETURNING id",
                              [NOW.isoformat()]).fetchone()[0]

        def seat_ids(show: int, label: str) -> list[int]:
            from core.venue.inventory import seats_by_label
            return seats_by_label(db, show, label)

        timings: dict[str, list[float]] = {"subscription": [], "single": [], "ten singles": []}
        for _ in range(args.sales):
            label = next(labels)
            started = time.perf_counter()
            cart_id = carts.open_cart(db, sam, "bench", NOW, HOLD)
            cart = subscriptions.add_package_seats(db, sam, cart_id, package_ten, label,
                                                   "ADULT", NOW, HOLD)
            subscriptions.sell_subscription(db, sam, cart_id,
                                            [Tender("cash", cart.total_cents)],
                                            customer_id=customer, station="bench", now=NOW)
            timings["subscription"].append((time.perf_counter() - started) * 1000)

            label = next(labels)
            ids = seat_ids(match, label)
            started = time.perf_counter()
            cart_id = carts.open_cart(db, sam, "bench", NOW, HOLD)
            cart = carts.add_seats(db, sam, cart_id, match, ids, "ADULT", NOW, HOLD)
            checkout.checkout(db, sam, cart_id, [Tender("cash", cart.total_cents)],
                              station="bench", now=NOW)
            timings["single"].append((time.perf_counter() - started) * 1000)

            label = next(labels)
            per_show = [(show, seat_ids(show, label)) for show in ten]
            started = time.perf_counter()
            for show, ids in per_show:
                cart_id = carts.open_cart(db, sam, "bench", NOW, HOLD)
                cart = carts.add_seats(db, sam, cart_id, show, ids, "ADULT", NOW, HOLD)
                checkout.checkout(db, sam, cart_id, [Tender("cash", cart.total_cents)],
                                  station="bench", now=NOW)
            timings["ten singles"].append((time.perf_counter() - started) * 1000)

        print(f"## Subscriptions (`bench_subscriptions.py`), {args.sales} sales each, "
              "interleaved\n")
        print("| what | p50 ms | p99 ms |")
        print("| --- | --- | --- |")
        for name, values in timings.items():
            what = {"subscription": "a fixed subscription on 10 performances (claim + "
                                    "checkout)",
                    "single": "baseline: one single ticket (cart, claim, checkout)",
                    "ten singles": "baseline: ten single tickets, one per performance"}[name]
            print(f"| {what} | {statistics.median(values):.1f} | "
                  f"{percentile(values, 0.99):.1f} |")

        # the package's seat map (Subscriptions, s, seats blank): every seat's state across
        # the ten performances, as the window reads it on opening and after each seat
        from core.sales.package_seats import package_plan
        from core.venue.seat_plan import seat_index
        plans: dict[str, list[float]] = {"cold": [], "kept": []}
        kept = seat_index(db, ten[0])
        for _ in range(10):
            for name, index in (("cold", None), ("kept", kept)):
                started = time.perf_counter()
                plan = package_plan(db, package_ten, NOW, index=index)
                plans[name].append((time.perf_counter() - started) * 1000)
        for name, values in plans.items():
            what = ("opening (the seat index read too)" if name == "cold" else
                    "after each seat (the window keeps the index)")
            print(f"| the package's seat map, 10 performances ({len(plan):,} seats taken "
                  f"somewhere): package_plan {what} | {statistics.median(values):.1f} | "
                  f"{percentile(values, 0.99):.1f} |")

        package_pair = series_with_package("Two matches", pair)
        pair_series = series_service.get_package(db, package_pair).series_id
        started = time.perf_counter()
        sold = 0
        for label in seats[1::3]:
            if sold == args.subscribers:
                break
            cart_id = carts.open_cart(db, sam, "bench", NOW, HOLD)
            try:
                cart = subscriptions.add_package_seats(db, sam, cart_id, package_pair, label,
                                                       "ADULT", NOW, HOLD)
            except Exception:           # a seat the first part sold: try the next
                carts.cancel_cart(db, sam, cart_id, NOW)
                continue
            subscriptions.sell_subscription(db, sam, cart_id, [Tender("cash", cart.total_cents)],
                                            customer_id=customer, station="bench", now=NOW)
            sold += 1
        selling = time.perf_counter() - started
        started = time.perf_counter()
        rolled = renewals.roll_forward(db, cora, pair_series, "Next season", next_pair,
                                       season="next", deadline=NOW + timedelta(days=30),
                                       now=NOW)
        rolling = time.perf_counter() - started
        print("\n| roll-forward | figure |\n| --- | --- |")
        print(f"| subscribers sold on a 2-performance series (through the services) | "
              f"{sold:,} in {selling:.1f} s ({selling / max(sold, 1) * 1000:.1f} ms each) |")
        print(f"| roll_forward: renewals held (seat at 2 new performances, a hold code "
              f"each) | {rolled.offered:,} in {rolling:.2f} s |")


if __name__ == "__main__":
    main()
