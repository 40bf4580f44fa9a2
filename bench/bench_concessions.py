"""Concessions at the window: putting an item in the cart, checking out 2 seats with 3
items next to 2 seats alone, an items-only sale, and the reports that read every goods
line (the concession sales report and a shift's X report) after a busy night.

    python bench/bench_concessions.py [--sales 200] [--night 5000]

On a copy of the demo database (WAL, synchronous=FULL). "Night" fills one shift with
that many items-only sales through the real checkout first, so the reports read real
rows. Budgets (bench/README.md): a key's work at the window well under 100 ms; a report under
1 s. Prints a Markdown table; figures go in bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
ZONE = ZoneInfo("America/New_York")
HOLD = timedelta(minutes=10)


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"{statistics.median(ordered) * 1000:.2f} ({p95 * 1000:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=200)
    parser.add_argument("--night", type=int, default=5000)
    args = parser.parse_args()

    from core import report_model
    from core.admin.demo import build_demo
    from core.concessions import stock
    from core.people.users import get_user
    from core.reports import catalogue
    from core.sales import carts, checkout
    from core.sales.carts import set_goods
    from core.sales.tenders import Tender
    from core.store.schema import open_database
    from core.till import shifts

    with tempfile.TemporaryDirectory() as directory:
        db = open_database(Path(directory) / "bench.db")
        build_demo(db, now=NOW, zone=ZONE)
        ada = get_user(db, "ada")
        shifts.open_shift(db, ada, station="bench", float_counts={}, now=NOW)
        for sku in ("POPCORN", "WATER", "SODA", "PRETZEL", "PROGRAM"):
            stock.receive(db, ada, sku, 100_000, 50, NOW)
        hall = int(db.execute("SELECT p.id FROM performances p JOIN venues v ON "
                              "v.id = p.venue_id WHERE v.kind = 'hall' LIMIT 1").fetchone()[0])
        free = [r[0] for r in db.execute(
            "SELECT s.id FROM seats s JOIN sections c ON c.id = s.section_id JOIN venues v "
            "ON v.id = c.venue_id WHERE v.kind = 'hall' AND s.active = 1 ORDER BY s.id")]

        def sale(with_goods: bool, with_seats: bool) -> tuple[float, float]:
            cart_id = carts.open_cart(db, ada, "bench", NOW, HOLD)
            if with_seats:
                carts.add_seats(db, ada, cart_id, hall, [free.pop(), free.pop()], "ADULT",
                                NOW, HOLD)
            started = time.perf_counter()
            if with_goods:
                for sku in ("POPCORN", "WATER", "SODA"):
                    set_goods(db, ada, cart_id, sku, 1, NOW, hold=HOLD)
            added = time.perf_counter() - started
            total = carts.view_cart(db, cart_id).total_cents
            started = time.perf_counter()
            checkout.checkout(db, ada, cart_id, [Tender("cash", total)], station="bench",
                            now=NOW)
            return added / 3 if with_goods else 0.0, time.perf_counter() - started

        rows: list[tuple[str, str]] = []
        plain = [sale(False, True)[1] for _ in range(args.sales)]
        mixed = [sale(True, True) for _ in range(args.sales)]
        alone = [sale(True, False)[1] for _ in range(args.sales)]
        rows += [("put one item in the cart", _ms([m[0] for m in mixed])),
                 ("checkout: 2 seats", _ms(plain)),
                 ("checkout: 2 seats + 3 items", _ms([m[1] for m in mixed])),
                 ("checkout: 3 items alone", _ms(alone))]
        for _ in range(args.night):
            sale(True, False)
        shift = shifts.current_shift(db, ada.id)
        assert shift is not None
        sold = db.execute("SELECT sum(quantity) FROM order_goods").fetchone()[0]

        def timed(action: Callable[[], object], runs: int = 7) -> str:
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                action()
                samples.append(time.perf_counter() - started)
            return _ms(samples)

        rows += [
            (f"concessions report, {sold:,} items sold",
             timed(lambda: catalogue.build_report(db, ada, "concessions",
                                                report_model.Scope(ZONE, NOW)))),
            ("X report of that shift (figures + concessions)",
             timed(lambda: shifts.x_report(db, shift.id, NOW, viewer=ada))),
            ("stock report", timed(lambda: catalogue.build_report(db, ada, "stock",
                                                               report_model.Scope(ZONE, NOW)))),
        ]
        assert stock.check_stock(db) == []
    print("| step | median ms (p95) |")
    print("| --- | --- |")
    for label, figure in rows:
        print(f"| {label} | {figure} |")


if __name__ == "__main__":
    main()
