"""A window killed with SIGKILL in the middle of selling leaves no partial sale behind.

A worker sells small carts continuously; the test kills it with SIGKILL after a random
5-60 ms, over and over, restarting it each time. Many kills land inside a write
transaction (BEGIN issued, COMMIT not yet). Afterwards: the file is sound, every order is
whole (tickets, lines, claims, payments and journal entries all there, or none of them),
the journal chain holds, and every `money` entry matches a payment.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import time
from collections import defaultdict
from pathlib import Path

from core.people.users import get_user
from core.sales import carts, checkout, orders
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database, connect
from tests.support import postgres
from tests.support.constants import FIXED_NOW
from tests.support.processes import wait_set
from tests.support.selling_helpers import HOLD, hall_performance, keep_on_sale
from tests.support.stress_workers import crash_worker

# 150 kills take ~35 s here on SQLite; on PostgreSQL a worker's start (a connection)
# makes each kill about 0.3 s, so 80 there, for make test's time
KILLS = 80 if postgres.on_postgresql() else 150
TIME_LIMIT_S = 120.0   # a loaded machine needs more than the above


def test_kill_minus_nine_never_leaves_a_partial_sale(demo_path: Path) -> None:
    # forkserver: each worker is forked from a clean server process that has already
    # imported core, so a restart takes milliseconds and nothing of pytest is inherited
    setup = connect(demo_path)
    keep_on_sale(setup)   # the workers' clocks run past the performances
    setup.close()
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.stress_workers"])
    rng = random.Random(20261120)
    in_transaction = ctx.RawValue("i", 0)
    sales = ctx.RawValue("i", 0)
    kills = mid_transaction = 0
    started = time.perf_counter()
    while kills < KILLS:
        assert time.perf_counter() - started < TIME_LIMIT_S, f"only {kills} kills so far"
        ready = ctx.Event()
        in_transaction.value = 0
        worker = ctx.Process(target=crash_worker,
                             args=(str(demo_path), kills, rng.randrange(2**32), ready,
                                   in_transaction, sales))
        worker.start()
        try:
            assert wait_set(ready, 20), "the worker did not start"
            time.sleep(rng.uniform(0.005, 0.060))
            assert worker.is_alive(), f"the worker stopped by itself: {worker.exitcode}"
            mid_transaction += in_transaction.value
            assert worker.pid is not None
            os.kill(worker.pid, signal.SIGKILL)
            worker.join(timeout=10)
            assert worker.exitcode == -signal.SIGKILL
        finally:
            if worker.is_alive():
                worker.kill()
                worker.join()
        kills += 1
    elapsed = time.perf_counter() - started
    print(f"\ncrash: {kills} kills ({mid_transaction} inside a write transaction), "
          f"about {sales.value} sales, in {elapsed:.1f} s")
    assert sales.value >= KILLS // 3   # the worker did sell between kills (a sale is
    # three commits, about 20 ms on this disk, so most incarnations finish one or two)
    assert mid_transaction >= KILLS // 10

    db = connect(demo_path)
    try:
        check_database_is_whole(db)
        # and the box office carries on selling on the recovered file
        seller = get_user(db, "sam")
        later = FIXED_NOW + HOLD * 2 * (KILLS + 1)
        show = hall_performance(db)
        taken = {row[0] for row in db.execute(
            "SELECT seat_id FROM seat_claims WHERE performance_id = ?", [show])}
        free = db.execute(   # the seat the workers keep back
            "SELECT s.id FROM seats s JOIN sections c ON c.id = s.section_id JOIN "
            "performances p ON p.venue_id = c.venue_id WHERE p.id = ? AND s.active = 1 "
            "ORDER BY s.id DESC LIMIT 1", [show]).fetchone()[0]
        assert free not in taken
        cart_id = carts.open_cart(db, seller, "window-1", later, HOLD)
        cart = carts.add_seats(db, seller, cart_id, show, [free], "ADULT", later, HOLD)
        order = checkout.checkout(db, seller, cart_id, [Tender("cash", cart.total_cents)],
                                station="window-1", now=later)
        assert order.status == "complete" and order.balance_cents == 0
        check_database_is_whole(db)
    finally:
        db.close()


def check_database_is_whole(db: Database) -> None:
    if db.engine == "sqlite":   # PostgreSQL checks its keys as it writes
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    verified = journal.verify(db)
    assert verified.ok, f"journal broken at row {verified.first_broken}: {verified.reason}"

    assert db.execute("SELECT count(*) FROM orders").fetchone()[0] > 0
    # only cash and approved cards were taken: every order completed at once
    assert {row[0] for row in db.execute("SELECT DISTINCT status FROM orders")} == {
        "complete"}
    for (order_id,) in db.execute("SELECT id FROM orders").fetchall():
        order = orders.get_order(db, order_id)
        assert order.tickets, f"order {order_id} has no tickets"
        assert order.payments, f"order {order_id} has no payments"
        assert order.balance_cents == 0 and order.paid_cents == order.value_cents > 0
    # every ticket has exactly one order line, in its own order, and vice versa
    assert db.execute(
        "SELECT count(*) FROM tickets t WHERE (SELECT count(*) FROM order_lines l "
        "WHERE l.ticket_id = t.id AND l.order_id = t.order_id) != 1").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM order_lines l LEFT JOIN tickets t ON "
                      "t.id = l.ticket_id WHERE t.id IS NULL").fetchone()[0] == 0
    # sold claims and live seated tickets are the same set
    sold = {tuple(row) for row in db.execute(
        "SELECT performance_id, seat_id, ticket_id FROM seat_claims WHERE state = 'sold'")}
    live = {tuple(row) for row in db.execute(
        "SELECT performance_id, seat_id, id FROM tickets WHERE status = 'live' "
        "AND seat_id IS NOT NULL")}
    assert sold == live
    # a seat left in a cart belongs to a cart that never became an order
    assert db.execute(
        "SELECT count(*) FROM seat_claims c JOIN carts k ON k.id = c.cart_id WHERE "
        "c.state = 'cart' AND k.status != 'open'").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM carts k WHERE k.status = 'ordered' AND NOT "
                      "EXISTS (SELECT 1 FROM orders o WHERE o.cart_id = k.id)"
                      ).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM orders o JOIN carts k ON k.id = o.cart_id "
                      "WHERE k.status != 'ordered'").fetchone()[0] == 0

    # the journal: one order.create per order, one money entry per approved payment
    created = sorted(int(row[0].split(":")[1]) for row in db.execute(
        "SELECT subject FROM journal WHERE action = 'order.create'"))
    assert created == [row[0] for row in db.execute("SELECT id FROM orders ORDER BY id")]
    payments = {row[0]: (row[1], row[2], row[3]) for row in db.execute(
        "SELECT id, order_id, tender, amount_cents FROM payments WHERE status = 'approved'")}
    seen: dict[int, int] = defaultdict(int)
    for subject, data in db.execute("SELECT subject, data FROM journal WHERE action = 'money'"):
        entry = json.loads(data)
        payment = payments.get(entry["payment_id"])
        assert payment is not None, f"money entry for a missing payment: {entry}"
        assert (f"order:{payment[0]}", payment[1], payment[2]) == (
            subject, entry["tender"], entry["amount_cents"])
        seen[entry["payment_id"]] += 1
    assert seen == dict.fromkeys(payments, 1)
