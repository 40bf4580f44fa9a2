"""Windows and web buyers on one performance at once: no seat sold or held twice, no 500.

Four window processes sell (and void) pairs of seats from a shared pool of orchestra
seats, as in the eight-window test, while sixteen web buyers (threads, each with its own
cookies, against the storefront under a real uvicorn in this process) choose pairs from
the same pool and reserve them or empty their cart. Afterwards every seat of the pool is
checked: at most one live ticket, never both a live ticket and a reservation's claim,
every reservation whole; the journal verifies; no response was a 5xx.
"""

from __future__ import annotations

import multiprocessing
import queue
import random
import re
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.config import Config, TicketsConfig, WebConfig
from core.store import journal
from core.store.db import connect
from tests.core.test_selling_contention import adjacent_pairs
from tests.support.processes import next_result
from tests.support.selling_helpers import hall_performance
from tests.support.stress_workers import contention_worker
from tests.support.web_server import served
from web.app import create_app

pytestmark = pytest.mark.serial

WINDOWS = 4
WINDOW_ATTEMPTS = 120
BUYERS = 16
BUYER_ATTEMPTS = 25


@pytest.fixture
def storefront(demo_path: Path, tmp_path: Path) -> Iterator[str]:
    config = Config(tickets=TicketsConfig(key_dir=str(tmp_path / "keys")),
                    web=WebConfig(posts_per_minute=100_000, reservations_per_email=1000))
    with served(create_app(demo_path, config)) as url:
        yield url


def _buyer(url: str, show: int, keys: list[tuple[str, str]], seed: int,
           statuses: Counter[int], errors: list[str]) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=url, timeout=30, follow_redirects=True) as client:
        page = client.get(f"/performances/{show}")
        statuses[page.status_code] += 1
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        if found is None:
            errors.append(f"no form on the page ({page.status_code})")
            return
        csrf = found.group(1)
        for attempt in range(BUYER_ATTEMPTS):
            pair = rng.choice(keys)
            answer = client.post(f"/performances/{show}/seats",
                                 data={"csrf": csrf, "seat": list(pair)})
            statuses[answer.status_code] += 1
            for step in answer.history:
                statuses[step.status_code] += 1
            if answer.url.path != "/cart":
                continue                       # just taken: the message, nothing held
            if rng.random() < 0.7:
                done = client.post("/checkout", data={
                    "csrf": csrf, "name": f"Buyer {seed}", "method": "reserve",
                    "email": f"buyer{seed}-{attempt}@example.org"})
            else:
                done = client.post("/cart/empty", data={"csrf": csrf})
            statuses[done.status_code] += 1


def test_windows_and_web_buyers_never_take_the_same_seat(storefront: str,
                                                         demo_path: Path) -> None:
    db = connect(demo_path)
    show = hall_performance(db)
    pairs, pool = adjacent_pairs(db, show)
    names = {seat_id: f"ORCH-{row}-{number}" for seat_id, row, number in db.execute(
        "SELECT id, row_label, number FROM seats")}
    keys = [(names[a], names[b]) for a, b in pairs]

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WINDOWS)
    results = ctx.Queue()
    windows = [ctx.Process(target=contention_worker,
                           args=(str(demo_path), index, WINDOW_ATTEMPTS, show, pairs,
                                 2000 + index, 0.5, barrier, results))
               for index in range(WINDOWS)]
    statuses: Counter[int] = Counter()
    errors: list[str] = []
    buyers = [threading.Thread(target=_buyer, args=(storefront, show, keys, seed, statuses,
                                                    errors)) for seed in range(BUYERS)]
    for worker in windows:
        worker.start()
    for buyer in buyers:
        buyer.start()
    outcomes = []
    try:
        for _ in windows:
            outcomes.append(next_result(results, 150))
    except queue.Empty:
        raise AssertionError(f"only {len(outcomes)} windows reported back") from None
    finally:
        for worker in windows:
            worker.join(timeout=10)
    for buyer in buyers:
        buyer.join(150)
        assert not buyer.is_alive(), "a web buyer did not finish"

    assert errors == []
    assert [o["errors"] for o in outcomes] == [[]] * WINDOWS
    assert not [code for code in statuses if code >= 500], statuses
    assert sum(o["succeeded"] for o in outcomes) > 0
    reserved = db.execute("SELECT count(*) FROM orders WHERE status = 'reserved'").fetchone()[0]
    assert reserved > 0, statuses

    marks = ",".join("?" * len(pool))
    live = Counter(row[0] for row in db.execute(
        f"SELECT seat_id FROM tickets WHERE status = 'live' AND performance_id = ? AND "
        f"seat_id IN ({marks})", [show, *pool]))
    assert not [seat for seat, count in live.items() if count > 1]
    held_by_reservations = {row[0] for row in db.execute(
        "SELECT c.seat_id FROM seat_claims c JOIN orders o ON o.cart_id = c.cart_id "
        "WHERE o.status = 'reserved' AND c.performance_id = ?", [show])}
    assert not held_by_reservations & set(live)
    # every reservation still holds each of its seats
    for (cart_id,) in db.execute("SELECT cart_id FROM orders WHERE status = 'reserved'"
                                 ).fetchall():
        items = db.execute("SELECT count(*) FROM cart_items WHERE cart_id = ?",
                           [cart_id]).fetchone()[0]
        claims = db.execute("SELECT count(*) FROM seat_claims WHERE cart_id = ?",
                            [cart_id]).fetchone()[0]
        assert items == claims == 2
    assert journal.verify(db).ok
    print(f"\ncontention: windows sold {sum(o['succeeded'] for o in outcomes)} and were "
          f"refused {sum(o['refused'] for o in outcomes)}; the web reserved {reserved}; "
          f"responses {dict(statuses)}")
    db.close()
