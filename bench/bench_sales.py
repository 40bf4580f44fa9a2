"""Sale commit latency and throughput, 1 and 8 contending processes, on SQLite and on
PostgreSQL (same host) in one run, each next to a bare transaction of the same shape.

    tools/with_postgres.sh .venv/bin/python bench/bench_sales.py \
        [--engines sqlite,postgresql] [--postgresql URL] [--sales 100] [--processes 1,8] \
        [--pace 0,200] [--repeat 3] [--lock-sales 100]

"Ours" is what a window does, through the core services on either engine: open a cart,
add 2 seats, check out in cash (three write transactions, journal rows included).
"Commit" is the checkout transaction alone; "lock wait" is the time its `write()` spent
beginning (BEGIN IMMEDIATE's polling on SQLite; on PostgreSQL the round trip that carries
BEGIN and `pg_advisory_xact_lock` with the transaction's first statement). "Bare" is
one hand-written transaction writing the same rows (claim, order, 2 tickets, 2 lines,
payment, journal): stdlib sqlite3 with BEGIN IMMEDIATE on SQLite; psycopg with BEGIN,
`pg_advisory_xact_lock` and the same statements on PostgreSQL.
All on copies of the demo (the 37,260-seat stadium) with 7 more performances of its match.

Then, per engine: the statements (PostgreSQL: round trips) one sale sends, a bare
`SELECT 1` round trip, and the lock test: 8 processes selling in one performance against
8 processes each in its own performance. With the one global write lock both serialise
the same. On PostgreSQL a third row simulates finer locks in the benchmark's processes
only (core is unchanged): each window's transactions take an advisory lock of its
performance instead of the global one, and the journal's append takes the global lock
(held to COMMIT), because the hash chain needs one writer at a time. It is an upper
bound for what a per-performance lock would gain.

Each figure is the median of `--repeat` runs with the lowest and highest in brackets.
Prints Markdown; figures go in bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engines import (
    CountingConnection,
    Engine,
    add_arguments,
    open_engines,
    percentile,
    round_trip_ms,
    spread,
)

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
HOLD = timedelta(minutes=10)
PERFORMANCES = 8


def build(db: Any) -> None:
    """The demo, 7 more performances of the stadium match, the seller's shift open."""
    from core.admin.demo import build_demo
    from core.people.users import get_user
    from core.till.shifts import open_shift
    from core.venue.performances import copy_performance

    build_demo(db, now=NOW, zone=ZoneInfo("America/New_York"))
    admin = get_user(db, "ada")
    match, starts = db.execute("SELECT p.id, p.starts_at FROM performances p JOIN venues v "
                               "ON v.id = p.venue_id WHERE v.kind = 'stadium'").fetchone()
    for day in range(1, PERFORMANCES):
        copy_performance(db, admin, match,
                         datetime.fromisoformat(starts).replace(tzinfo=UTC)
                         + timedelta(days=7 * day))
    # every payment belongs to the seller's open shift
    open_shift(db, get_user(db, "sam"), station="bench", float_counts={}, now=NOW)


def stadium(location: str) -> tuple[list[int], list[int]]:
    """The stadium's performances (the match first) and its active seats."""
    from core.store.db import connect

    db = connect(location)
    performances = [row[0] for row in db.execute(
        "SELECT p.id FROM performances p JOIN venues v ON v.id = p.venue_id WHERE "
        "v.kind = 'stadium' ORDER BY p.id")]
    seats = [row[0] for row in db.execute(
        "SELECT s.id FROM seats s JOIN sections c ON c.id = s.section_id JOIN venues v ON "
        "v.id = c.venue_id WHERE v.kind = 'stadium' AND s.active = 1 ORDER BY s.id")]
    db.close()
    return performances, seats


def _pause(rng: random.Random, pace_ms: float) -> None:
    if pace_ms:
        time.sleep(rng.expovariate(1 / pace_ms) / 1000)


def _finer_locks(db: Any, performance: int) -> None:
    """Simulated per-performance lock (benchmark process only): this window's writes
    lock its performance; a journal append takes the global lock, held to COMMIT."""
    from core.store import journal
    from core.store.postgresql import WRITE_LOCK

    def begin_write() -> None:
        db.conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        db.conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7, performance])

    original = journal.append

    def append(db_: Any, **kwargs: Any) -> int:
        db_.execute("SELECT pg_advisory_xact_lock(?)", [WRITE_LOCK])
        return original(db_, **kwargs)

    db.begin_write = begin_write
    journal.append = append  # type: ignore[assignment]
    # core reads the journal's tail with a write's first round trip, under the global
    # lock; under finer locks the tail is read at the append, under the journal's lock
    journal.read_tail_ahead = lambda db_: None  # type: ignore[assignment]


def ours(location: str, worker: int, sales: int, queue: Any, pace_ms: float,
         performance: int, seats: list[int], finer: bool, ready: Any) -> None:
    from core.errors import BoxOfficeError
    from core.people.users import get_user
    from core.sales import carts, checkout
    from core.sales.tenders import Tender
    from core.store.db import connect

    db = connect(location)
    if finer:
        _finer_locks(db, performance)
    waited = [0.0]
    begin: Callable[[], None] = db.begin_write
    began = [False]

    def timed_begin() -> None:
        start = time.perf_counter()
        begin()
        waited[0] += time.perf_counter() - start
        began[0] = True

    db.begin_write = timed_begin  # type: ignore[method-assign]
    if db.engine == "postgresql" and not finer:
        # the BEGIN and the lock go with the transaction's first statement: that round
        # trip is the wait (and one statement more)
        send = db._send  # type: ignore[attr-defined]

        def timed_send(statements: Any) -> Any:
            if not began[0]:
                return send(statements)
            began[0] = False
            start = time.perf_counter()
            try:
                return send(statements)
            finally:
                waited[0] += time.perf_counter() - start

        db._send = timed_send  # type: ignore[attr-defined]
    seller = get_user(db, "sam")
    rng = random.Random(worker)
    sale_ms, commit_ms, wait_ms, refused, errors = [], [], [], 0, 0
    ready.wait()   # every window sells from the same moment
    first = time.monotonic()
    for _ in range(sales):
        _pause(rng, pace_ms)
        pick = rng.sample(seats, 2)
        start = time.perf_counter()
        try:
            cart_id = carts.open_cart(db, seller, f"w{worker}", NOW, HOLD)
            cart = carts.add_seats(db, seller, cart_id, performance, pick, "ADULT", NOW, HOLD)
            before = time.perf_counter()
            waited[0] = 0.0
            checkout.checkout(db, seller, cart_id, [Tender("cash", cart.total_cents)],
                              station=f"w{worker}", now=NOW)
        except BoxOfficeError:
            refused += 1
            continue
        except Exception:  # the simulated finer locks may break a rule: count it
            if not finer:
                raise
            errors += 1
            continue
        end = time.perf_counter()
        sale_ms.append((end - start) * 1000)
        commit_ms.append((end - before) * 1000)
        wait_ms.append(waited[0] * 1000)
    last = time.monotonic()
    db.close()
    queue.put((sale_ms, commit_ms, wait_ms, refused, errors, first, last))


BARE_STATEMENTS = [
    "SELECT count(*) FROM seat_claims WHERE performance_id = ? AND seat_id IN (?, ?)",
    "INSERT INTO orders (number, user_id, station, channel, status, total_cents, "
    "created_at) VALUES (?, 1, 'bare', 'window', 'complete', 20000, ?) RETURNING id",
    "SELECT section_id FROM seats WHERE id = ?",
    "INSERT INTO tickets (order_id, performance_id, section_id, seat_id, price_type_id, "
    "serial, created_at) VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id",
    "INSERT INTO order_lines (order_id, ticket_id, description, base_cents, fee_cents, "
    "tax_cents) VALUES (?, ?, 'x', 9000, 250, 740)",
    "INSERT INTO seat_claims (performance_id, seat_id, state, ticket_id) "
    "VALUES (?, ?, 'sold', ?)",
    "INSERT INTO payments (order_id, tender, amount_cents, status, user_id, station, "
    "created_at, shift_id) SELECT ?, 'cash', 20000, 'approved', user_id, 'bare', ?, id "
    "FROM shifts WHERE status = 'open'",
    "SELECT id, hash FROM journal ORDER BY id DESC LIMIT 1",
    "INSERT INTO journal (id, at, actor, action, subject, data, prev_hash, hash) "
    "VALUES (?, ?, 'bare', 'money', ?, '{}', ?, ?)",
]


def bare(location: str, worker: int, sales: int, queue: Any, pace_ms: float,
         performance: int, seats: list[int], finer: bool, ready: Any) -> None:
    """One hand-written transaction per sale, straight on the driver."""
    if location.startswith("postgresql://"):
        import psycopg

        from core.store.postgresql import WRITE_LOCK

        conn: Any = psycopg.connect(location, autocommit=True)
        sql = [s.replace("?", "%s") for s in BARE_STATEMENTS]
        begin = ["BEGIN ISOLATION LEVEL READ COMMITTED",
                 f"SELECT pg_advisory_xact_lock({WRITE_LOCK})"]
    else:
        import sqlite3

        conn = sqlite3.connect(location, isolation_level=None, timeout=5)
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA synchronous = FULL")
        sql = BARE_STATEMENTS
        begin = ["BEGIN IMMEDIATE"]
    rng = random.Random(1000 + worker)
    commit_ms, refused = [], 0
    stamp = NOW.isoformat()
    ready.wait()   # every window sells from the same moment
    first = time.monotonic()
    for _ in range(sales):
        _pause(rng, pace_ms)
        pick = rng.sample(seats, 2)
        start = time.perf_counter()
        for statement in begin:
            conn.execute(statement)
        if conn.execute(sql[0], [performance, *pick]).fetchone()[0]:
            conn.execute("ROLLBACK")
            refused += 1
            continue
        order_id = conn.execute(sql[1], [f"bare-{worker}-{rng.random()}",
                                         stamp]).fetchone()[0]
        for seat_id in pick:
            section = conn.execute(sql[2], [seat_id]).fetchone()[0]
            ticket_id = conn.execute(sql[3], [order_id, performance, section, seat_id,
                                              f"B{worker}-{rng.random()}",
                                              stamp]).fetchone()[0]
            conn.execute(sql[4], [order_id, ticket_id])
            conn.execute(sql[5], [performance, seat_id, ticket_id])
        conn.execute(sql[6], [order_id, stamp])
        last = conn.execute(sql[7]).fetchone()
        digest = hashlib.sha256(f"{last[1]}{order_id}".encode()).hexdigest()
        conn.execute(sql[8], [last[0] + 1, stamp, f"order:{order_id}", last[1], digest])
        conn.execute("COMMIT")
        commit_ms.append((time.perf_counter() - start) * 1000)
    last = time.monotonic()
    conn.close()
    queue.put((commit_ms, commit_ms, [], refused, 0, first, last))


BARE_ROUND_TRIPS = {"sqlite": 1 + 1 + 1 + 2 * 4 + 3 + 1,
                    "postgresql": 2 + 1 + 1 + 2 * 4 + 3 + 1}


def run(kind: str, engine: Engine, template: str, processes: int, sales: int,
        pace_ms: float, *, spread_out: bool = False, finer: bool = False) -> dict[str, float]:
    from core.store.db import connect

    location = engine.copy(template)
    performances, seats = stadium(location)
    context = multiprocessing.get_context("spawn")
    queue: Any = context.Queue()
    ready = context.Barrier(processes)
    target = ours if kind == "ours" else bare
    workers = [context.Process(target=target, args=(
        location, w, sales, queue, pace_ms,
        performances[w % len(performances)] if spread_out else performances[0], seats,
        finer, ready)) for w in range(processes)]
    for worker in workers:
        worker.start()
    results = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    # from the first sale's start to the last one's end (process start-up left out)
    elapsed = max(r[6] for r in results) - min(r[5] for r in results)
    sale = sorted(x for r in results for x in r[0])
    commit = sorted(x for r in results for x in r[1])
    wait = sorted(x for r in results for x in r[2]) or [0.0]
    db = connect(location)
    doubles = db.execute("SELECT count(*) FROM (SELECT performance_id, seat_id FROM tickets "
                         "WHERE status = 'live' AND seat_id IS NOT NULL GROUP BY "
                         "performance_id, seat_id HAVING count(*) > 1) d").fetchone()[0]
    db.close()
    engine.drop(location)
    return {"sales": len(sale), "refused": sum(r[3] for r in results),
            "errors": sum(r[4] for r in results),
            "sale_median": statistics.median(sale), "sale_p99": percentile(sale, 0.99),
            "commit_median": statistics.median(commit), "commit_p99": percentile(commit, 0.99),
            "wait_median": statistics.median(wait), "wait_p99": percentile(wait, 0.99),
            "per_second": len(sale) / elapsed, "doubles": doubles}


def repeated(times: int, measure: Callable[[], dict[str, float]]) -> dict[str, list[float]]:
    runs = [measure() for _ in range(times)]
    return {key: [r[key] for r in runs] for key in runs[0]}


def statements_per_sale(engine: Engine, template: str, sales: int = 30
                        ) -> dict[str, tuple[list[str], float, float]]:
    """The statements one window's sale sends, per step (on PostgreSQL each is a round
    trip), counted and timed on the driver connection under the core's Database: per step
    the statements of the last sale, the median ms inside the driver's calls and the
    median ms of the whole step, over `sales` sales one after another (the first left out:
    caches warm up)."""
    from core.people.users import get_user
    from core.sales import carts, checkout
    from core.sales.tenders import Tender
    from core.store.db import connect

    location = engine.copy(template)
    performances, seats = stadium(location)
    db = connect(location)
    seller = get_user(db, "sam")
    counting = CountingConnection(db.conn)
    if engine.name == "sqlite":   # sqlite3's connection cannot be wrapped: count calls
        plain_execute, plain_later, plain_begin = db.execute, db.execute_later, db.begin_write

        def counted(run: Any) -> Any:
            def call(sql: str, params: Any = ()) -> Any:
                counting.statements.append(sql.split()[0].upper())
                begin = time.perf_counter()
                try:
                    return run(sql, params)
                finally:
                    counting.seconds += time.perf_counter() - begin
            return call

        def begin_write() -> None:
            counting.statements.append("BEGIN")
            begin = time.perf_counter()
            try:
                plain_begin()
            finally:
                counting.seconds += time.perf_counter() - begin

        db.execute = counted(plain_execute)  # type: ignore[method-assign]
        db.execute_later = counted(plain_later)  # type: ignore[method-assign]
        db.begin_write = begin_write  # type: ignore[method-assign]
    else:
        db.conn = counting
    names = ("open cart", "add 2 seats", "checkout")
    last: dict[str, list[str]] = {}
    driver: dict[str, list[float]] = {name: [] for name in names}
    whole: dict[str, list[float]] = {name: [] for name in names}
    for sale in range(sales + 1):
        pick = seats[10 * sale: 10 * sale + 2]
        cart: Any = None
        for name in names:
            mark, seconds = len(counting.statements), counting.seconds
            begin = time.perf_counter()
            if name == "open cart":
                cart_id = carts.open_cart(db, seller, "rt", NOW, HOLD)
            elif name == "add 2 seats":
                cart = carts.add_seats(db, seller, cart_id, performances[0], pick, "ADULT",
                                       NOW, HOLD)
            else:
                checkout.checkout(db, seller, cart_id, [Tender("cash", cart.total_cents)],
                                  station="rt", now=NOW)
            if sale:
                whole[name].append((time.perf_counter() - begin) * 1000)
                driver[name].append((counting.seconds - seconds) * 1000)
            last[name] = counting.statements[mark:]
    db.close()
    engine.drop(location)
    return {name: (last[name], statistics.median(driver[name]),
                   statistics.median(whole[name])) for name in names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=100, help="sales per process")
    parser.add_argument("--processes", default="1,8")
    parser.add_argument("--pace", default="0,200",
                        help="mean ms between one window's sales; 0 = flat out (comma list)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure")
    parser.add_argument("--lock-sales", type=int, default=100,
                        help="sales per process in the lock test (0: skip it)")
    parser.add_argument("--lock-pace", default="0,200", help="paces of the lock test")
    parser.add_argument("--lock-only", action="store_true",
                        help="only the lock test (no sales table, no statements)")
    add_arguments(parser)
    args = parser.parse_args()
    engines = open_engines(args)
    try:
        report(args, engines)
    finally:
        for engine in engines:
            engine.close()


def report(args: argparse.Namespace, engines: list[Engine]) -> None:
    templates = {}
    for engine in engines:
        started = time.perf_counter()
        templates[engine.name] = engine.template(build)
        print(f"{engine.name}: template built in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
    load = os.getloadavg()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores, load average "
          f"{load[0]:.1f} at the start; Python {sys.version.split()[0]}; "
          f"{args.sales} sales per process; median (min-max) of {args.repeat} runs")
    for engine in engines:
        print(f"- {engine.name}: {engine.describe()}")
    if args.lock_only:
        lock_test(args, engines, templates)
        return
    print("\n| processes | pace ms | engine | variant | sales (all runs) | sale p50 / p99 ms | "
          "commit p50 ms | commit p99 ms | sales/s | doubles |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for pace in (float(p) for p in args.pace.split(",")):
        for processes in (int(p) for p in args.processes.split(",")):
            for engine in engines:
                for kind in ("bare", "ours"):
                    f = repeated(args.repeat, partial(run, kind, engine, templates[engine.name],
                                                      processes, args.sales, pace))
                    sale = (f"{statistics.median(f['sale_median']):.2f} / "
                            f"{statistics.median(f['sale_p99']):.2f}" if kind == "ours"
                            else "(one transaction)")
                    print(f"| {processes} | {pace:.0f} | {engine.name} | {kind} | "
                          f"{sum(f['sales']):.0f} | {sale} | {spread(f['commit_median'])} | "
                          f"{spread(f['commit_p99'])} | {spread(f['per_second'])} | "
                          f"{sum(f['doubles']):.0f} |", flush=True)

    print("\nOne window alone, 30 sales: statements per sale (PostgreSQL: round trips), "
          "median ms inside the driver's calls and of the whole step\n")
    print("| engine | step | statements | ms in driver calls | ms in all |")
    print("| --- | --- | --- | --- | --- |")
    trips = {}
    for engine in engines:
        steps = statements_per_sale(engine, templates[engine.name])
        copy = engine.copy(templates[engine.name])
        trips[engine.name] = round_trip_ms(copy)
        engine.drop(copy)
        for step, (statements, driver_ms, all_ms) in steps.items():
            print(f"| {engine.name} | {step} | {len(statements)} | {driver_ms:.2f} | "
                  f"{all_ms:.2f} |")
        print(f"| {engine.name} | the sale | {sum(len(s[0]) for s in steps.values())} | "
              f"{sum(s[1] for s in steps.values()):.2f} | "
              f"{sum(s[2] for s in steps.values()):.2f} |")
        print(f"| {engine.name} | bare transaction | {BARE_ROUND_TRIPS[engine.name]} | | |")
        for step, (statements, _, _) in steps.items():
            kinds: dict[str, int] = {}
            for word in statements:
                kinds[word] = kinds.get(word, 0) + 1
            print(f"  - {step}: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())),
                  file=sys.stderr)
    print("\n| engine | one `SELECT 1` on an open connection, p50 / p99 ms |")
    print("| --- | --- |")
    for name, (p50, p99) in trips.items():
        print(f"| {name} | {p50:.3f} / {p99:.3f} |")

    if args.lock_sales:
        lock_test(args, engines, templates)


def lock_test(args: argparse.Namespace, engines: list[Engine], templates: dict[str, str]
              ) -> None:
    """8 windows in one performance against 8 in 8 performances (and, on PostgreSQL,
    the simulated finer locks), the layouts interleaved in every repeat."""
    print("\n8 processes, full sale through core; lock wait = time in the checkout's "
          "write() begin (BEGIN IMMEDIATE's polling; the round trip of BEGIN + advisory "
          "lock + first statement)")
    print("\n| pace ms | engine | layout | sales (all runs) | errors | commit p50 ms | "
          "commit p99 ms | lock wait p50 / p99 ms | sales/s | doubles |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for pace in (float(p) for p in args.lock_pace.split(",")):
        for engine in engines:
            layouts = [("one performance", False, False), ("8 performances", True, False)]
            if engine.name == "postgresql":
                layouts.append(("8 performances, finer locks (simulated)", True, True))
            runs: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in layouts}
            for _ in range(args.repeat):
                for name, spread_out, finer in layouts:
                    runs[name].append(run("ours", engine, templates[engine.name], 8,
                                          args.lock_sales, pace, spread_out=spread_out,
                                          finer=finer))
            for name, _, _ in layouts:
                f = {key: [r[key] for r in runs[name]] for key in runs[name][0]}
                print(f"| {pace:.0f} | {engine.name} | {name} | {sum(f['sales']):.0f} | "
                      f"{sum(f['errors']):.0f} | {spread(f['commit_median'])} | "
                      f"{spread(f['commit_p99'])} | "
                      f"{statistics.median(f['wait_median']):.2f} / "
                      f"{statistics.median(f['wait_p99']):.2f} | {spread(f['per_second'])} | "
                      f"{sum(f['doubles']):.0f} |", flush=True)

if __name__ == "__main__":
    main()
