"""Worker functions for the multi-process selling tests.

They live in an importable module (not in the test files) because the `spawn` and
`forkserver` start methods import the target function by name in a fresh interpreter.
Every worker opens its own connection with `core.db.connect`, as each window does.
"""

from __future__ import annotations

import random
import sys
import time
import traceback
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.people.users import get_user
from core.sales import aftersale, carts, checkout
from core.sales.tenders import Tender
from core.store.db import Database, connect
from core.venue.inventory import SeatUnavailable, area_count, area_id, seat_states
from tests.support.constants import FIXED_NOW

HOLD = timedelta(minutes=10)


def contention_worker(db_path: str, index: int, attempts: int, show: int,
                      pairs: list[tuple[int, int]], seed: int, void_share: float,
                      barrier: Any, results: Any) -> None:
    """`attempts` sales of two adjacent seats from a pool shared with the other workers.

    Half of the picks are blind (any pair of the pool), half best effort (a pair that
    looked free a moment ago, which another window may take first). A refused seat
    (`SeatUnavailable`) is an expected outcome; anything else is reported as an error.
    After a sale the window sometimes voids one of its earlier orders (as a coordinator),
    so seats keep coming back on sale and the windows keep contending to the end.
    """
    rng = random.Random(seed)
    outcome: dict[str, Any] = {"index": index, "succeeded": 0, "refused": 0, "voided": 0,
                               "errors": [], "checkout_ms": [], "orders": [],
                               "voided_orders": []}
    db = None
    try:
        db = connect(db_path)
        seller, coordinator = get_user(db, "sam"), get_user(db, "cora")
        station = f"window-{index}"
        barrier.wait()      # no timeout: a timed wait ends early on a clock set back
        cart_id: int | None = None
        live_orders: list[int] = []
        for _ in range(attempts):
            try:
                if rng.random() < 0.5:
                    chosen = rng.choice(pairs)
                else:
                    # what a window's seat map shows: the claims a moment ago (the clock
                    # stands still here, so no cart expires and raw claims are the states)
                    taken = {row[0] for row in db.execute(
                        "SELECT seat_id FROM seat_claims WHERE performance_id = ?", [show])}
                    free = [pair for pair in pairs
                            if pair[0] not in taken and pair[1] not in taken]
                    chosen = rng.choice(free or pairs)
                if cart_id is None:
                    cart_id = carts.open_cart(db, seller, station, FIXED_NOW, HOLD)
                try:
                    cart = carts.add_seats(db, seller, cart_id, show, list(chosen), "ADULT",
                                           FIXED_NOW, HOLD)
                except SeatUnavailable as refused:
                    if refused.code != "seat_unavailable":
                        raise
                    outcome["refused"] += 1
                    continue            # the cart is still open and empty: reuse it
                started = time.perf_counter()
                order = checkout.checkout(db, seller, cart_id, [Tender("cash", cart.total_cents)],
                                        station=station, now=FIXED_NOW)
                outcome["checkout_ms"].append((time.perf_counter() - started) * 1000)
                cart_id = None
                if order.status != "complete" or len(order.tickets) != 2:
                    raise AssertionError(f"order {order.id} is {order.status} with "
                                         f"{len(order.tickets)} tickets")
                outcome["succeeded"] += 1
                outcome["orders"].append(order.id)
                live_orders.append(order.id)
                if live_orders and rng.random() < void_share:
                    victim = live_orders.pop(rng.randrange(len(live_orders)))
                    aftersale.void(db, coordinator, victim, reason="contention test",
                                station=station, now=FIXED_NOW, zone=ZoneInfo("UTC"))
                    outcome["voided"] += 1
                    outcome["voided_orders"].append(victim)
            except Exception:
                outcome["errors"].append(traceback.format_exc())
                cart_id = None
    except Exception:
        outcome["errors"].append(traceback.format_exc())
    finally:
        if db is not None:
            db.close()
        results.put(outcome)


def _trace_transactions(flag: Any) -> Any:
    """A sqlite3 trace callback that keeps `flag` at 1 while a write transaction is open
    (BEGIN issued, COMMIT or ROLLBACK not yet), so the parent can tell where a kill hit."""
    def trace(statement: str) -> None:
        head = statement.lstrip()[:8].upper()
        if head.startswith("BEGIN"):
            flag.value = 1
        elif head.startswith(("COMMIT", "ROLLBACK", "END")):
            flag.value = 0
    return trace


def _track_transactions(db: Database, flag: Any) -> None:
    """Keep `flag` at 1 while `db` holds a write transaction: SQLite's trace callback, or
    on PostgreSQL (no statement trace in psycopg) the Database's own begin and end."""
    if db.engine == "sqlite":
        db.conn.set_trace_callback(_trace_transactions(flag))
        return
    begin, commit, rollback = db.begin_write, db.commit, db.rollback

    def begin_write() -> None:
        begin()
        flag.value = 1

    def ended(end: Any) -> Any:
        def tracked() -> None:
            end()
            flag.value = 0
        return tracked

    setattr(db, "begin_write", begin_write)  # noqa: B010 - this instance only
    setattr(db, "commit", ended(commit))  # noqa: B010
    setattr(db, "rollback", ended(rollback))  # noqa: B010


def crash_worker(db_path: str, incarnation: int, seed: int, ready: Any, in_transaction: Any,
                 sales: Any) -> None:
    """Sell small carts in cash (now and then split with a card) until killed.

    Seats come from both hall performances, places from the stadium's general-admission
    field. Each incarnation runs its clock 11 minutes after the previous one's, so carts
    a killed worker left open have expired and their seats come back through the sweep.
    Exits with status 3 (and a traceback on stderr) on any error other than a refusal.
    """
    rng = random.Random(seed)
    try:
        db = connect(db_path)
        seller = get_user(db, "sam")
        station = f"crash-{incarnation % 4}"
        shows = [row[0] for row in db.execute(
            "SELECT p.id FROM performances p JOIN venues v ON v.id = p.venue_id "
            "WHERE v.kind = 'hall' ORDER BY p.id")]
        match = db.execute("SELECT p.id FROM performances p JOIN venues v ON v.id = "
                           "p.venue_id WHERE v.kind = 'stadium'").fetchone()[0]
        field = area_id(db, match, "FIELD")
        hall_seats = {show: [row[0] for row in db.execute(
            "SELECT s.id FROM seats s JOIN sections c ON c.id = s.section_id JOIN "
            "performances p ON p.venue_id = c.venue_id WHERE p.id = ? AND s.active = 1 "
            "ORDER BY s.id", [show])][:-1] for show in shows}   # the last seat is kept back
        # for the test's sale after the crashes, however fast this machine sells
        _track_transactions(db, in_transaction)
        now = FIXED_NOW + timedelta(minutes=11 * incarnation)
        ready.set()
        while True:
            now += timedelta(seconds=1)
            cart_id = carts.open_cart(db, seller, station, now, HOLD)
            try:
                if rng.random() < 0.25:
                    wanted = rng.randint(1, 4)
                    if area_count(db, match, field, now).available < wanted:
                        continue
                    cart = carts.add_area_places(db, seller, cart_id, match, "FIELD", wanted,
                                                 "ADULT", now, HOLD)
                else:
                    show = rng.choice(shows)
                    taken = seat_states(db, show, now)
                    free = [seat for seat in hall_seats[show] if seat not in taken]
                    if not free:
                        continue
                    chosen = rng.sample(free, min(len(free), rng.randint(1, 3)))
                    cart = carts.add_seats(db, seller, cart_id, show, chosen, "ADULT", now,
                                           HOLD)
            except SeatUnavailable:
                carts.cancel_cart(db, seller, cart_id, now)
                continue
            total = cart.total_cents
            if rng.random() < 0.3:
                cash = total // 3
                tenders = [Tender("cash", cash, tendered_cents=cash + 500),
                           Tender("card", total - cash, card_brand="VISA", card_last4="4242",
                                  approval_code="AB12", terminal_ref="T-1")]
            else:
                tenders = [Tender("cash", total)]
            checkout.checkout(db, seller, cart_id, tenders, station=station, now=now)
            sales.value += 1
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        raise SystemExit(3) from None
