"""Settlement of a 50,000-ticket stadium game: `core.settlement.settle`, then the report
as CSV, PDF and a thermal job.

    python bench/bench_settlement.py [--tickets 50000] [--runs 7]

The demo's stadium (37,260 reserved seats) is filled, and its FIELD general-admission
area is enlarged to take the rest. The tickets are written in bulk with SQL that mirrors
what `orders.checkout` writes (orders of four, each ticket with its order line at the
performance's price, a seat claim, a cash payment in a shift); going through checkout
would take minutes and measure the sale, not the settlement. Mix: 85 % ADULT, 12 %
CHILD, 3 % COMP; 5 % of orders consigned, 5 % group; 2 % of tickets refunded; 80 %
scanned at four gates. Budget (bench/README.md): < 1 s. Prints a Markdown table.
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


def build(directory: Path, tickets: int):  # type: ignore[no-untyped-def]
    from core.admin.demo import build_demo
    from core.people.users import get_user
    from core.store.schema import open_database
    from core.till.shifts import open_shift

    db = open_database(directory / "settle.db")
    build_demo(db, now=NOW, zone=ZONE)
    cora = get_user(db, "cora")
    shift = open_shift(db, cora, station="bench", float_counts={}, now=NOW)
    match, starts = db.execute("SELECT p.id, p.starts_at FROM performances p JOIN venues v "
                               "ON v.id = p.venue_id WHERE v.kind = 'stadium'").fetchone()
    seats = db.execute("SELECT s.id, s.section_id, s.zone_id FROM seats s JOIN sections c ON "
                       "c.id = s.section_id JOIN venues v ON v.id = c.venue_id WHERE "
                       "v.kind = 'stadium' AND c.kind != 'ga' ORDER BY s.id").fetchall()
    field, field_zone = db.execute("SELECT c.id, c.zone_id FROM sections c JOIN venues v ON "
                                   "v.id = c.venue_id WHERE v.kind = 'stadium' AND "
                                   "c.kind = 'ga'").fetchone()
    types = dict(db.execute("SELECT code, id FROM price_types").fetchall())
    prices = {(z, t): (b, f) for z, t, b, f in db.execute(
        "SELECT zone_id, price_type_id, base_cents, fee_cents FROM prices WHERE "
        "performance_id = ?", [match])}
    taxes = {(z, t): bp for z, t, bp in db.execute(
        "SELECT zone_id, price_type_id, tax_basis_points FROM prices WHERE "
        "performance_id = ?", [match])}
    rng = random.Random(50_000)
    stamp = NOW.isoformat(timespec="seconds")
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    extra = max(0, tickets - len(seats))
    conn.execute("UPDATE sections SET capacity = ? WHERE id = ?", [max(extra, 1), field])
    first_order = 1 + (conn.execute("SELECT max(id) FROM orders").fetchone()[0] or 0)
    first_ticket = 1 + (conn.execute("SELECT max(id) FROM tickets").fetchone()[0] or 0)
    order_rows, ticket_rows, line_rows, claim_rows, pay_rows, scan_rows = [], [], [], [], [], []
    gates = ("North", "South", "East", "West")
    order_total = 0
    for n in range(tickets):
        order_id = first_order + n // 4
        seat, section, zone = seats[n] if n < len(seats) else (None, field, field_zone)
        kind = rng.random()
        price_type = types["ADULT"] if kind < 0.85 else types["CHILD"] if kind < 0.97 \
            else types["COMP"]
        base, fee = prices[(zone, price_type)]
        tax = ((base + fee) * taxes[(zone, price_type)] + 5000) // 10000
        ticket_id = first_ticket + n
        refunded = rng.random() < 0.02
        status = "refunded" if refunded else "live"
        ticket_rows.append((ticket_id, order_id, match, section, seat, price_type,
                            f"S{ticket_id:08d}", status, stamp))
        line_rows.append((order_id, ticket_id, "bench", base, fee, tax,
                          "refunded" if refunded else "active"))
        if seat is not None and not refunded:
            claim_rows.append((match, seat, ticket_id))
        if not refunded and rng.random() < 0.8:
            scan_rows.append((f"n{ticket_id}", ticket_id, match, rng.choice(gates),
                              (datetime.fromisoformat(starts)
                               - timedelta(minutes=rng.randint(0, 90))).isoformat()))
        order_total += 0 if refunded else base + fee + tax
        if n % 4 == 3 or n == tickets - 1:
            pick = rng.random()
            channel = "consignment" if pick < 0.05 else "group" if pick < 0.10 else "window"
            order_rows.append((order_id, f"{order_id + 100000}", cora.id, "bench", channel,
                               "complete", order_total, stamp))
            if order_total:
                pay_rows.append((order_id, "cash", order_total, "approved", cora.id, "bench",
                                 stamp, shift.id))
            order_total = 0
    conn.executemany("INSERT INTO orders (id, number, user_id, station, channel, status, "
                     "total_cents, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", order_rows)
    conn.executemany("INSERT INTO tickets (id, order_id, performance_id, section_id, seat_id, "
                     "price_type_id, serial, status, created_at) VALUES "
                     "(?, ?, ?, ?, ?, ?, ?, ?, ?)", ticket_rows)
    conn.executemany("INSERT INTO order_lines (order_id, ticket_id, description, base_cents, "
                     "fee_cents, tax_cents, status) VALUES (?, ?, ?, ?, ?, ?, ?)", line_rows)
    conn.executemany("INSERT INTO seat_claims (performance_id, seat_id, state, ticket_id) "
                     "VALUES (?, ?, 'sold', ?)", claim_rows)
    conn.executemany("INSERT INTO payments (order_id, tender, amount_cents, status, user_id, "
                     "station, created_at, shift_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", pay_rows)
    conn.executemany("INSERT INTO scans (nonce, ticket_id, generation, performance_id, gate, "
                     "direction, verdict, scanned_at) VALUES (?, ?, 1, ?, ?, 'entry', "
                     "'ADMIT', ?)", scan_rows)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    return db, match


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from core.report_model import Scope, thermal_rows, to_csv
    from core.reports import settlement
    from core.reports.closeout import settlement_report
    from core.reports.pdf import to_pdf
    from hardware.tickets import report_job

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        db, match = build(Path(tmp), args.tickets)
        print(f"built {args.tickets} tickets in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
        scope = Scope(ZONE, NOW, performance_id=match)
        steps: dict[str, list[float]] = {k: [] for k in (
            "settle (queries)", "report", "CSV", "PDF", "thermal job", "all of it")}
        for _ in range(args.runs):
            t0 = time.perf_counter()
            result = settlement.settle(db, match, NOW)
            t1 = time.perf_counter()
            report = settlement_report(result, scope)
            t2 = time.perf_counter()
            to_csv(report)
            t3 = time.perf_counter()
            to_pdf(report)
            t4 = time.perf_counter()
            report_job(report.title, thermal_rows(report))
            t5 = time.perf_counter()
            for name, ms in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t5 - t0),
                                strict=True):
                steps[name].append(ms * 1000)
        line_sum = db.execute(
            "SELECT sum(l.base_cents + l.fee_cents + l.tax_cents) FROM order_lines l JOIN "
            "tickets t ON t.id = l.ticket_id WHERE t.performance_id = ? AND "
            "l.status = 'active'", [match]).fetchone()[0]
        assert result.gbor_cents == line_sum, (result.gbor_cents, line_sum)
        print(f"{result.sold + result.comps:,} live tickets ({result.sold:,} sold, "
              f"{result.comps:,} comps), {result.refunded.tickets:,} refunded, "
              f"{result.scanned:,} scanned; GBOR {result.gbor_cents / 100:,.2f} "
              f"= the order lines' sum")
        print(f"| step | median ms | max ms | ({args.runs} runs) |")
        print("| --- | --- | --- | --- |")
        for name, values in steps.items():
            print(f"| {name} | {statistics.median(values):.1f} | {max(values):.1f} | |")


if __name__ == "__main__":
    main()
