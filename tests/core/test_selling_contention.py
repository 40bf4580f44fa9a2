"""Eight windows selling the same seats at once: no double sale, no lock error.

Eight processes (spawned, as separate window programs would be) make 200 sale attempts
each on one hall performance, picking two adjacent seats from a shared pool of about 300
orchestra seats. A refused seat is the expected answer when another window was first;
anything else (above all "database is locked") is a failure. Afterwards the database is
checked seat by seat, and the journal's order of sales and voids is replayed per seat.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import queue
import time
from collections import defaultdict
from pathlib import Path

from core.sales import orders
from core.store import journal
from core.store.db import Database, connect
from tests.support.processes import next_result
from tests.support.selling_helpers import hall_performance
from tests.support.stress_workers import contention_worker

WORKERS = 8
ATTEMPTS = 200
POOL_ROWS = ("A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L")
VOID_SHARE = 0.8


def adjacent_pairs(db: Database, show: int) -> tuple[list[tuple[int, int]], set[int]]:
    """Pairs of side-by-side seats (x one apart, same row) in the pool rows."""
    marks = ",".join("?" * len(POOL_ROWS))
    by_row: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for seat_id, row, x in db.execute(
            f"SELECT s.id, s.row_label, s.x FROM seats s JOIN sections c ON c.id = "
            f"s.section_id JOIN performances p ON p.venue_id = c.venue_id WHERE p.id = ? "
            f"AND c.code = 'ORCH' AND s.active = 1 AND s.row_label IN ({marks})",
            [show, *POOL_ROWS]):
        by_row[row].append((x, seat_id))
    pairs: list[tuple[int, int]] = []
    pool: set[int] = set()
    for seats in by_row.values():
        seats.sort()
        pool.update(seat_id for _, seat_id in seats)
        pairs += [(a[1], b[1]) for a, b in itertools.pairwise(seats)
                  if b[0] - a[0] == 1]
    return pairs, pool


def test_eight_windows_never_sell_a_seat_twice(demo_path: Path) -> None:
    db = connect(demo_path)
    show = hall_performance(db)
    pairs, pool = adjacent_pairs(db, show)
    assert 280 <= len(pool) <= 320 and len(pairs) > 200
    db.close()

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    results = ctx.Queue()
    workers = [ctx.Process(target=contention_worker,
                           args=(str(demo_path), index, ATTEMPTS, show, pairs, 1000 + index,
                                 VOID_SHARE, barrier, results))
               for index in range(WORKERS)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    outcomes = []
    try:
        for _ in workers:
            outcomes.append(next_result(results, 110))
    except queue.Empty:
        raise AssertionError(f"only {len(outcomes)} of {WORKERS} windows reported back "
                             "within 110 s") from None
    finally:
        for worker in workers:
            worker.join(timeout=10)
            if worker.is_alive():
                worker.kill()
    elapsed = time.perf_counter() - started
    assert [worker.exitcode for worker in workers] == [0] * WORKERS

    errors = [error for outcome in outcomes for error in outcome["errors"]]
    assert not errors, f"{len(errors)} unhandled errors, the first:\n{errors[0]}"
    succeeded = sum(outcome["succeeded"] for outcome in outcomes)
    refused = sum(outcome["refused"] for outcome in outcomes)
    voided = sum(outcome["voided"] for outcome in outcomes)
    assert succeeded + refused == WORKERS * ATTEMPTS
    assert succeeded > 0 and refused > 0
    latencies = sorted(ms for outcome in outcomes for ms in outcome["checkout_ms"])
    p99 = latencies[int(len(latencies) * 0.99)] if latencies else 0.0
    print(f"\ncontention: {succeeded} sold, {refused} refused, {voided} voided in "
          f"{elapsed:.1f} s; checkout p50 {latencies[len(latencies) // 2]:.1f} ms, "
          f"p99 {p99:.1f} ms")

    db = connect(demo_path)
    try:
        if db.engine == "sqlite":   # PostgreSQL checks its keys as it writes
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        check = journal.verify(db)
        assert check.ok, check.reason

        # no seat has more than one live ticket
        doubled = db.execute(
            "SELECT performance_id, seat_id, count(*) FROM tickets WHERE status = 'live' "
            "AND seat_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1").fetchall()
        assert doubled == []
        # sold claims and live tickets are the same set, each claim pointing at its ticket
        sold_claims = {tuple(row) for row in db.execute(
            "SELECT performance_id, seat_id, ticket_id FROM seat_claims WHERE state = 'sold'")}
        live = {tuple(row) for row in db.execute(
            "SELECT performance_id, seat_id, id FROM tickets WHERE status = 'live' "
            "AND seat_id IS NOT NULL")}
        assert sold_claims == live
        assert {seat for _, seat, _ in live} <= pool
        # nothing left in a cart: every claim made by a window was sold or refused whole
        assert db.execute("SELECT count(*) FROM seat_claims WHERE state != 'sold'"
                          ).fetchone()[0] == 0

        # the orders the windows reported are exactly the orders in the database
        reported = sorted(order for outcome in outcomes for order in outcome["orders"])
        assert reported == [row[0] for row in db.execute("SELECT id FROM orders ORDER BY id")]
        reported_voids = sorted(order for outcome in outcomes
                                for order in outcome["voided_orders"])
        assert reported_voids == [row[0] for row in db.execute(
            "SELECT id FROM orders WHERE status = 'voided' ORDER BY id")]
        assert db.execute("SELECT count(*) FROM orders WHERE status = 'complete'"
                          ).fetchone()[0] == succeeded - voided
        assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 2 * succeeded

        # replay the journal per seat: sale, void, sale, void, ... never two sales in a row
        sold_at = {int(row[0].split(":")[1]): row[1] for row in db.execute(
            "SELECT subject, id FROM journal WHERE action = 'order.create'")}
        voided_at = {int(row[0].split(":")[1]): row[1] for row in db.execute(
            "SELECT subject, id FROM journal WHERE action = 'order.void'")}
        history: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for order_id, seat_id, status in db.execute(
                "SELECT order_id, seat_id, status FROM tickets"):
            history[seat_id].append((sold_at[order_id], "sale"))
            if status == "voided":
                history[seat_id].append((voided_at[order_id], "void"))
            else:
                assert status == "live"
        for seat_id, events in history.items():
            kinds = [kind for _, kind in sorted(events)]
            assert kinds == ["sale", "void"] * (len(kinds) // 2) + ["sale"] * (len(kinds) % 2), (
                f"seat {seat_id}: {kinds}")

        # money: the journal agrees with the payments, orders are paid in full or voided
        money: dict[int, int] = defaultdict(int)
        for subject, data in db.execute("SELECT subject, data FROM journal "
                                        "WHERE action = 'money'"):
            money[int(subject.split(":")[1])] += json.loads(data)["amount_cents"]
        for order_id, approved in db.execute(
                "SELECT order_id, sum(amount_cents) FROM payments WHERE status = 'approved' "
                "GROUP BY order_id"):
            assert money[order_id] == approved
        for (order_id,) in db.execute("SELECT id FROM orders").fetchall():
            order = orders.get_order(db, order_id)
            assert order.balance_cents == 0
            if order.status == "voided":
                assert order.paid_cents == 0 and order.value_cents == 0
    finally:
        db.close()
