"""Two windows at once on the same seats: one sells each seat as a subscription (all six
performances of a series), the other as a single ticket at the fourth performance. For
every seat one wins and the other is told; nothing is half-done: a seat the single
ticket won has no subscription and no claim at the other performances."""

from __future__ import annotations

import multiprocessing
import queue
from pathlib import Path

from core.sales import customers, subscriptions
from core.store import journal
from core.store.db import connect
from core.venue.inventory import seat_states
from tests.support.constants import FIXED_NOW
from tests.support.processes import next_result
from tests.support.selling_helpers import seat, user
from tests.support.subscription_helpers import hall_series
from tests.support.subscription_workers import race_worker

SEATS = [f"ORCH-{row}-{number}" for row in "ABCD" for number in range(101, 111)]


def test_a_subscription_and_a_single_ticket_race_for_each_seat(demo_path: Path) -> None:
    db = connect(demo_path)
    made, package = hall_series(db)
    contested = made.performance_ids[3]
    jane = customers.create_customer(db, user(db, "sam"), "Jane Subscriber", now=FIXED_NOW)
    db.close()

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    workers = [ctx.Process(target=race_worker,
                           args=(str(demo_path), role, package.id, contested, jane.id,
                                 SEATS, barrier, results))
               for role in ("subscription", "single")]
    for worker in workers:
        worker.start()
    outcomes = {}
    try:
        for _ in workers:
            outcome = next_result(results, 110)
            outcomes[outcome["role"]] = outcome
    except queue.Empty:
        raise AssertionError("a window did not report back within 110 s") from None
    finally:
        for worker in workers:
            worker.join(timeout=10)
            if worker.is_alive():
                worker.kill()
    assert not outcomes["subscription"]["errors"] and not outcomes["single"]["errors"], (
        outcomes["subscription"]["errors"] + outcomes["single"]["errors"])
    sub_won = set(outcomes["subscription"]["won"])
    single_won = set(outcomes["single"]["won"])
    # every seat: exactly one winner, and the loser was told
    assert sub_won | single_won == set(SEATS) and not sub_won & single_won
    assert set(outcomes["subscription"]["refused"]) == single_won
    assert set(outcomes["single"]["refused"]) == sub_won

    db = connect(demo_path)
    sold = {s.seat_label: s.live_tickets for s in subscriptions.list_subscriptions(db)}
    assert sold == dict.fromkeys(sub_won, 6)
    for performance_id in made.performance_ids:
        states = seat_states(db, performance_id, FIXED_NOW)
        for label in SEATS:
            state = states.get(seat(db, performance_id, label))
            if label in sub_won or (label in single_won and performance_id == contested):
                assert state is not None and state.state == "sold", (label, performance_id)
            else:       # the single ticket won here: nothing of the subscription is left
                assert state is None, (label, performance_id, state)
    assert journal.verify_pinned(db).ok
    print(f"\nrace: subscription won {len(sub_won)}, single ticket won {len(single_won)}")
    db.close()
