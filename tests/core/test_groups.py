"""Group sales: a group's block, a deposit order, the balance, and the unused seats."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from core.errors import NotFound
from core.money import TenderError
from core.people.permissions import PermissionDenied
from core.sales import groups
from core.sales.orders import OrderError
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database
from core.venue import inventory
from core.venue.inventory import SeatUnavailable
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.selling_helpers import STATION, hall_performance, seat, user

NOW = FIXED_NOW
DUE = (NOW + timedelta(days=14)).date()


def in_days(days: int) -> date:
    return (NOW + timedelta(days=days)).date()

GROUP_EACH = 9045        # zone B group: 80.75 + 3.00 fee, + 8 % tax
CASH = lambda amount, handed=None: Tender("cash", amount, tendered_cents=handed)  # noqa: E731
CHECK = lambda amount: Tender("check", amount, check_number="1042")  # noqa: E731


def seats(db: Database, show: int, row: str, first: int, last: int) -> list[int]:
    return [seat(db, show, f"ORCH-{row}-{n}") for n in range(first, last + 1)]


def money_in_journal(db: Database, order_id: int) -> int:
    return sum(json.loads(row[0])["amount_cents"] for row in db.execute(
        "SELECT data FROM journal WHERE action = 'money' AND subject = ?",
        [f"order:{order_id}"]))


def test_a_group_gets_its_own_block_hold_code(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    group = groups.create_group(demo_db, cora, "  St Anne's School ", now=NOW)
    assert (group.name, group.hold_code) == ("St Anne's School", f"GRP{group.id}")
    code = inventory.hold_code(demo_db, group.hold_code)
    assert code.name == "St Anne's School"
    assert code.sell_roles == code.release_roles == {"coordinator", "admin"}
    assert groups.get_group(demo_db, group.id) == group
    second = groups.create_group(demo_db, cora, "Rotary Club", now=NOW)
    assert second.hold_code == f"GRP{second.id}" != group.hold_code
    with pytest.raises(NotFound) as missing:
        groups.get_group(demo_db, 999)
    assert missing.value.code == "unknown_group"


def test_a_seller_may_not_run_group_sales(demo_db: Database) -> None:
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    show = hall_performance(demo_db)
    with pytest.raises(PermissionDenied):
        groups.create_group(demo_db, sam, "Book Club", now=NOW)
    assert demo_db.execute("SELECT count(*) FROM groups").fetchone()[0] == 0
    group = groups.create_group(demo_db, cora, "Book Club", now=NOW)
    block = seats(demo_db, show, "S", 101, 104)
    with pytest.raises(PermissionDenied):
        groups.hold_block(demo_db, sam, group.id, show, block, NOW)
    groups.hold_block(demo_db, cora, group.id, show, block, NOW)
    with pytest.raises(PermissionDenied):
        groups.group_order(demo_db, sam, group.id, show, block[:2], [CASH(5000)],
                           balance_due=DUE, zone=ZONE, station=STATION, now=NOW)
    with pytest.raises(PermissionDenied):
        groups.release_unused(demo_db, sam, group.id, show, NOW)
    assert len(inventory.seat_states(demo_db, show, NOW)) == 4


def test_deposit_then_the_balance_in_two_payments(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    group = groups.create_group(demo_db, cora, "Harbor Seniors", now=NOW)
    block = seats(demo_db, show, "S", 101, 110)
    assert groups.hold_block(demo_db, cora, group.id, show, block, NOW) == 10
    states = inventory.seat_states(demo_db, show, NOW)
    assert {states[s].hold_code for s in block} == {group.hold_code}

    total = 6 * GROUP_EACH
    order = groups.group_order(demo_db, cora, group.id, show, block[:6], [CASH(10000)],
                               balance_due=DUE, zone=ZONE, station=STATION, now=NOW)
    assert order.status == "deposit" and order.channel == "group"
    assert {t.price_type for t in order.tickets} == {"GROUP"} and len(order.tickets) == 6
    assert order.balance_cents == total - 10000
    assert demo_db.execute("SELECT group_id, balance_due_date FROM orders WHERE id = ?",
                           [order.id]).fetchone() == (group.id, DUE.isoformat())
    states = inventory.seat_states(demo_db, show, NOW)
    assert {states[s].state for s in block[:6]} == {"sold"}

    part = groups.pay_balance(demo_db, cora, order.id, [CHECK(20000)], station=STATION,
                              now=NOW + timedelta(days=3))
    assert part.status == "deposit" and part.balance_cents == total - 30000
    with pytest.raises(OrderError) as over:
        groups.pay_balance(demo_db, cora, order.id, [CASH(part.balance_cents + 1)],
                           station=STATION, now=NOW + timedelta(days=5))
    assert over.value.code == "overpaid"
    done = groups.pay_balance(demo_db, cora, order.id,
                              [CASH(part.balance_cents, part.balance_cents + 55)],
                              station=STATION, now=NOW + timedelta(days=5))
    assert done.status == "complete" and done.balance_cents == 0 and done.change_cents == 55
    assert money_in_journal(demo_db, order.id) == total == done.paid_cents
    with pytest.raises(OrderError) as again:
        groups.pay_balance(demo_db, cora, order.id, [CASH(100)], station=STATION, now=NOW)
    assert again.value.code == "not_deposit"
    assert journal.verify(demo_db).ok


def test_full_payment_completes_and_seats_must_be_in_the_block(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    group = groups.create_group(demo_db, cora, "Choir", now=NOW)
    block = seats(demo_db, show, "T", 101, 102)
    groups.hold_block(demo_db, cora, group.id, show, block, NOW)
    with pytest.raises(SeatUnavailable):   # T-103 is on general sale, not in the block
        groups.group_order(demo_db, cora, group.id, show, [*block, seat(demo_db, show,
                           "ORCH-T-103")], [CASH(3 * GROUP_EACH)], balance_due=DUE, zone=ZONE,
                           station=STATION, now=NOW)
    assert demo_db.execute("SELECT count(*) FROM orders").fetchone()[0] == 0
    with pytest.raises(OrderError) as nothing:
        groups.group_order(demo_db, cora, group.id, show, block, [], balance_due=DUE, zone=ZONE,
                           station=STATION, now=NOW)
    assert nothing.value.code == "balance_not_zero"
    order = groups.group_order(demo_db, cora, group.id, show, block, [CASH(2 * GROUP_EACH)],
                               balance_due=DUE, zone=ZONE, station=STATION, now=NOW)
    assert order.status == "complete" and order.balance_cents == 0


def test_balance_payments_take_money_only_and_approved(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    group = groups.create_group(demo_db, cora, "Scouts", now=NOW)
    block = seats(demo_db, show, "U", 101, 102)
    groups.hold_block(demo_db, cora, group.id, show, block, NOW)
    order = groups.group_order(demo_db, cora, group.id, show, block, [CASH(1000)],
                               balance_due=DUE, zone=ZONE, station=STATION, now=NOW)
    lost = Tender("card", 1000, card_brand="VISA", card_last4="4242", status="unknown")
    for tender in (lost, Tender("comp", 1000, reason="nice"), Tender("account", 1000)):
        with pytest.raises(TenderError):
            groups.pay_balance(demo_db, cora, order.id, [tender], station=STATION, now=NOW)
    with pytest.raises(OrderError) as nothing:
        groups.pay_balance(demo_db, cora, order.id, [], station=STATION, now=NOW)
    assert nothing.value.code == "nothing_paid"
    assert groups.get_group(demo_db, group.id).name == "Scouts"
    assert len(demo_db.execute("SELECT id FROM payments").fetchall()) == 1


def test_release_unused_puts_the_rest_back_on_sale(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    group = groups.create_group(demo_db, cora, "Garden Society", now=NOW)
    block = seats(demo_db, show, "V", 101, 108)
    other = groups.create_group(demo_db, cora, "Another group", now=NOW)
    theirs = seats(demo_db, show, "W", 101, 102)
    groups.hold_block(demo_db, cora, group.id, show, block, NOW)
    groups.hold_block(demo_db, cora, other.id, show, theirs, NOW)
    groups.group_order(demo_db, cora, group.id, show, block[:5], [CASH(5 * GROUP_EACH)],
                       balance_due=DUE, zone=ZONE, station=STATION, now=NOW)
    assert groups.release_unused(demo_db, cora, group.id, show, NOW) == 3
    states = inventory.seat_states(demo_db, show, NOW)
    assert all(s not in states for s in block[5:])
    assert {states[s].state for s in block[:5]} == {"sold"}
    assert {states[s].hold_code for s in theirs} == {other.hold_code}   # untouched
    assert groups.release_unused(demo_db, cora, group.id, show, NOW) == 0
    assert journal.verify(demo_db).ok


def test_overdue_groups_lists_deposits_past_their_date(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    group = groups.create_group(demo_db, cora, "Late Payers", now=NOW)
    block = seats(demo_db, show, "X", 101, 104)
    groups.hold_block(demo_db, cora, group.id, show, block, NOW)
    early = groups.group_order(demo_db, cora, group.id, show, block[:2], [CASH(1000)],
                               balance_due=in_days(5), station=STATION, now=NOW,
                               zone=ZONE)
    groups.group_order(demo_db, cora, group.id, show, block[2:], [CASH(1000)],
                       balance_due=in_days(20), station=STATION, now=NOW,
                       zone=ZONE)
    assert groups.overdue_groups(demo_db, in_days(5)) == []
    overdue = groups.overdue_groups(demo_db, in_days(6))
    assert [o.order_id for o in overdue] == [early.id]
    assert overdue[0].group_name == "Late Payers"
    assert overdue[0].balance_cents == early.balance_cents == 2 * GROUP_EACH - 1000
    groups.pay_balance(demo_db, cora, early.id, [CASH(early.balance_cents)], station=STATION,
                       now=NOW)
    assert groups.overdue_groups(demo_db, in_days(6)) == []
    assert len(groups.overdue_groups(demo_db, in_days(21))) == 1
