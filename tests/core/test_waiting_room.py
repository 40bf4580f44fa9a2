"""The on-sale rush's waiting line: off by default; capacity and admissions a minute
respected; first come first served after the on-sale time, shuffled before it; a forged
ticket is no place in line; an idle buyer's turn passes on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.sales import waiting_room
from core.sales.waiting_room import QueueError, QueueSettings
from core.store.db import Database
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import user


def _on(db: Database, **settings: object) -> None:
    waiting_room.set_queue(db, user(db, "cora"), QueueSettings(enabled=True, **settings))  # type: ignore[arg-type]


def test_off_by_default_and_set_by_a_coordinator_only(demo_db: Database) -> None:
    assert not waiting_room.queue_settings(demo_db).enabled
    with pytest.raises(Exception, match="may not"):
        waiting_room.set_queue(demo_db, user(demo_db, "sam"), QueueSettings(enabled=True))
    for bad in (QueueSettings(capacity=0), QueueSettings(per_minute=-1)):
        with pytest.raises(QueueError):
            waiting_room.set_queue(demo_db, user(demo_db, "cora"), bad)
    assert not waiting_room.queue_settings(demo_db).enabled


def test_capacity_and_rate_let_in_the_first_in_line(demo_db: Database) -> None:
    _on(demo_db, capacity=2, per_minute=100)
    tickets = [waiting_room.join(demo_db, FIXED_NOW + timedelta(seconds=i))
               for i in range(4)]
    at = FIXED_NOW + timedelta(seconds=10)
    places = [waiting_room.place(demo_db, e, t, at) for e, t in tickets]
    assert [p.admitted for p in places if p] == [True, True, False, False]
    assert [p.ahead for p in places if p] == [0, 0, 0, 1]
    # one buyer goes idle past the active time: the next in line gets the turn
    later = at + waiting_room.ACTIVE_FOR + timedelta(seconds=1)
    waiting_room.place(demo_db, *tickets[1], later)      # still active: seen again
    third = waiting_room.place(demo_db, *tickets[2], later)
    assert third is not None and third.admitted
    assert waiting_room.place(demo_db, *tickets[0], later) is None   # idle: back of line
    # the rate: with capacity to spare, at most per_minute a minute
    _on(demo_db, capacity=100, per_minute=1)
    fresh = [waiting_room.join(demo_db, later) for _ in range(3)]
    admitted = [waiting_room.place(demo_db, e, t, later + timedelta(seconds=5)) for e, t in
                fresh]
    assert sum(1 for p in admitted if p and p.admitted) <= 1


def test_early_arrivals_are_shuffled_and_all_go_before_later_ones(
        demo_db: Database) -> None:
    opens = FIXED_NOW + timedelta(minutes=30)
    _on(demo_db, capacity=1000, per_minute=1000, opens_at=opens)
    early = [waiting_room.join(demo_db, FIXED_NOW + timedelta(seconds=i)) for i in range(40)]
    late = waiting_room.join(demo_db, opens + timedelta(seconds=1))
    before = waiting_room.place(demo_db, *early[0], FIXED_NOW + timedelta(minutes=1))
    assert before is not None and not before.admitted        # nobody before the on-sale
    order = sorted(range(40), key=lambda i: demo_db.execute(
        "SELECT order_key FROM queue_entries WHERE id = ?", [early[i][0]]).fetchone()[0])
    assert order != list(range(40))                          # not by arrival
    last = waiting_room.place(demo_db, *late, opens + timedelta(seconds=2))
    assert last is not None and last.admitted               # all 41 fit; later ones last
    keys = [row[0] for row in demo_db.execute("SELECT order_key FROM queue_entries")]
    assert max(k for k in keys if k.startswith("0-")) < min(k for k in keys
                                                           if k.startswith("1-"))


def test_a_forged_ticket_holds_no_place(demo_db: Database) -> None:
    _on(demo_db)
    entry, _ = waiting_room.join(demo_db, FIXED_NOW)
    assert waiting_room.place(demo_db, entry, "guessed", FIXED_NOW) is None
    assert waiting_room.place(demo_db, entry + 1000, "x", FIXED_NOW) is None
