"""Sale commit latency and throughput, 1 and 8 contending processes, next to a bare
stdlib sqlite3 transaction of the same shape, in the same run.

    python bench/bench_sales.py [--sales 150] [--processes 1,8]

"Our sale" is what a window does: open a cart, add 2 seats, check out in cash (three
BEGIN IMMEDIATE transactions, journal rows included). "Commit" is the checkout
transaction alone. "Bare" is one hand-written BEGIN IMMEDIATE transaction writing the
same rows (claim, order, 2 tickets, 2 lines, payment, journal) with the stdlib only.
All on copies of the demo database (the 37,260-seat stadium), WAL, synchronous=FULL.
Prints a Markdown table; figures go in bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
HOLD = timedelta(minutes=10)


def build_template(directory: Path) -> Path:
    from core.admin.demo import build_demo
    from core.store.schema import open_database

    path = directory / "template.db"
    db = open_database(path)
    build_demo(db, now=NOW, zone=ZoneInfo("America/New_York"))
    from core.people.users import get_user
    from core.till.shifts import open_shift

    # every payment belongs to the seller's open shift
    open_shift(db, get_user(db, "sam"), station="bench", float_counts={}, now=NOW)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


def _stadium_seats(db_path: str) -> tuple[int, list[int]]:
    conn = sqlite3.connect(db_path)
    performance = conn.execute("SELECT p.id FROM performances p JOIN venues v ON "
                               "v.id = p.venue_id WHERE v.kind = 'stadium'").fetchone()[0]
    seats = [row[0] for row in conn.execute(
        "SELECT s.id FROM seats s JOIN sections c ON c.id = s.section_id JOIN venues v ON "
        "v.id = c.venue_id WHERE v.kind = 'stadium' AND s.active = 1 ORDER BY s.id")]
    conn.close()
    return performance, seats


PACE_MS = 0.0   # mean pause between one window's sales (0: flat out); set from --pace


def _pause(rng: random.Random, pace_ms: float) -> None:
    if pace_ms:
        time.sleep(rng.expovariate(1 / pace_ms) / 1000)


def ours(db_path: str, worker: int, sales: int, queue: multiprocessing.Queue,
         pace_ms: float = 0.0) -> None:
    from core.errors import BoxOfficeError
    from core.people.users import get_user
    from core.sales import carts, checkout
    from core.sales.tenders import Tender
    from core.store.db import connect

    db = connect(db_path)
    seller = get_user(db, "sam")
    performance, seats = _stadium_seats(db_path)
    rng = random.Random(worker)
    sale_ms, commit_ms, refused = [], [], 0
    for _ in range(sales):
        _pause(rng, pace_ms)
        pick = rng.sample(seats, 2)
        start = time.perf_counter()
        try:
            cart_id = carts.open_cart(db, seller, f"w{worker}", NOW, HOLD)
            cart = carts.add_seats(db, seller, cart_id, performance, pick, "ADULT", NOW, HOLD)
            before = time.perf_counter()
            checkout.checkout(db, seller, cart_id, [Tender("cash", cart.total_cents)],
                            station=f"w{worker}", now=NOW)
        except BoxOfficeError:
            refused += 1
            continue
        end = time.perf_counter()
        sale_ms.append((end - start) * 1000)
        commit_ms.append((end - before) * 1000)
    queue.put((sale_ms, commit_ms, refused))


def bare(db_path: str, worker: int, sales: int, queue: multiprocessing.Queue,
         pace_ms: float = 0.0) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=5)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA synchronous = FULL")
    performance, seats = _stadium_seats(db_path)
    rng = random.Random(1000 + worker)
    commit_ms, refused = [], 0
    stamp = NOW.isoformat()
    for _ in range(sales):
        _pause(rng, pace_ms)
        pick = rng.sample(seats, 2)
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        taken = conn.execute(f"SELECT count(*) FROM seat_claims WHERE performance_id = ? AND "
                             f"seat_id IN ({pick[0]}, {pick[1]})", [performance]).fetchone()[0]
        if taken:
            conn.execute("ROLLBACK")
            refused += 1
            continue
        order_id = conn.execute(
            "INSERT INTO orders (number, user_id, station, channel, status, total_cents, "
            "created_at) VALUES (?, 1, 'bare', 'window', 'complete', 20000, ?)",
            [f"bare-{worker}-{rng.random()}", stamp]).lastrowid
        for seat_id in pick:
            section = conn.execute("SELECT section_id FROM seats WHERE id = ?",
                                   [seat_id]).fetchone()[0]
            ticket_id = conn.execute(
                "INSERT INTO tickets (order_id, performance_id, section_id, seat_id, "
                "price_type_id, serial, created_at) VALUES (?, ?, ?, ?, 1, ?, ?)",
                [order_id, performance, section, seat_id, f"B{worker}-{rng.random()}",
                 stamp]).lastrowid
            conn.execute("INSERT INTO order_lines (order_id, ticket_id, description, "
                         "base_cents, fee_cents, tax_cents) VALUES (?, ?, 'x', 9000, 250, "
                         "740)", [order_id, ticket_id])
            conn.execute("INSERT INTO seat_claims (performance_id, seat_id, state, ticket_id) "
                         "VALUES (?, ?, 'sold', ?)", [performance, seat_id, ticket_id])
        conn.execute("INSERT INTO payments (order_id, tender, amount_cents, status, user_id, "
                     "station, created_at, shift_id) SELECT ?, 'cash', 20000, 'approved', "
                     "user_id, 'bare', ?, id FROM shifts WHERE status = 'open'",
                     [order_id, stamp])
        last = conn.execute("SELECT id, hash FROM journal ORDER BY id DESC LIMIT 1").fetchone()
        digest = hashlib.sha256(f"{last[1]}{order_id}".encode()).hexdigest()
        conn.execute("INSERT INTO journal (id, at, actor, action, subject, data, prev_hash, "
                     "hash) VALUES (?, ?, 'bare', 'money', ?, '{}', ?, ?)",
                     [last[0] + 1, stamp, f"order:{order_id}", last[1], digest])
        conn.execute("COMMIT")
        commit_ms.append((time.perf_counter() - start) * 1000)
    queue.put((commit_ms, commit_ms, refused))


def run(kind: str, template: Path, processes: int, sales: int,
        pace_ms: float = 0.0) -> dict[str, float]:
    directory = Path(tempfile.mkdtemp(prefix="bench-sales-"))
    db_path = directory / "db.sqlite"
    shutil.copyfile(template, db_path)
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue = context.Queue()
    target = ours if kind == "ours" else bare
    workers = [context.Process(target=target, args=(str(db_path), w, sales, queue, pace_ms))
               for w in range(processes)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    results = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    sale = sorted(x for r in results for x in r[0])
    commit = sorted(x for r in results for x in r[1])
    conn = sqlite3.connect(db_path)
    doubles = conn.execute("SELECT count(*) FROM (SELECT performance_id, seat_id FROM tickets "
                           "WHERE status = 'live' AND seat_id IS NOT NULL GROUP BY 1, 2 "
                           "HAVING count(*) > 1)").fetchone()[0]
    conn.close()
    shutil.rmtree(directory)
    p99 = lambda xs: xs[min(len(xs) - 1, int(len(xs) * 0.99))]  # noqa: E731
    return {"sales": len(sale), "refused": sum(r[2] for r in results),
            "sale_median": statistics.median(sale), "sale_p99": p99(sale),
            "commit_median": statistics.median(commit), "commit_p99": p99(commit),
            # throughput over the whole run, process start-up included
            "per_second": len(sale) / elapsed, "doubles": doubles}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=150, help="sales per process")
    parser.add_argument("--processes", default="1,8")
    parser.add_argument("--pace", default="0,200",
                        help="mean ms between one window's sales; 0 = flat out (comma list)")
    args = parser.parse_args()
    template = build_template(Path(tempfile.mkdtemp(prefix="bench-template-")))
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"SQLite {sqlite3.sqlite_version}; {args.sales} sales per process")
    print("| processes | pace ms | variant | sales | refused | sale median / p99 ms | "
          "commit median / p99 ms | sales/s | double sales |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for pace in (float(p) for p in args.pace.split(",")):
        for processes in (int(p) for p in args.processes.split(",")):
            figures = {}
            for kind in ("bare", "ours"):            # interleaved in one run
                figures[kind] = run(kind, template, processes, args.sales, pace)
                f = figures[kind]
                sale = (f"{f['sale_median']:.2f} / {f['sale_p99']:.2f}" if kind == "ours"
                        else "(one transaction)")
                print(f"| {processes} | {pace:.0f} | {kind} | {f['sales']} | {f['refused']} | "
                      f"{sale} | {f['commit_median']:.2f} / {f['commit_p99']:.2f} | "
                      f"{f['per_second']:.0f} | {f['doubles']} |")
            ratio = figures["ours"]["commit_median"] / figures["bare"]["commit_median"]
            print(f"| {processes} | {pace:.0f} | ratio ours/bare, commit median | | | | "
                  f"{ratio:.1f}x | | |")


if __name__ == "__main__":
    main()
