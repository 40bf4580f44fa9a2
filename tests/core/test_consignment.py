"""Consignment: a numbered batch of printed tickets, settled as sold or returned."""

from __future__ import annotations

import json

import pytest

from core.errors import NotFound
from core.money import TenderError
from core.people.permissions import PermissionDenied
from core.sales import aftersale, consignment, orders
from core.sales.consignment import ConsignmentError
from core.sales.orders import OrderError
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database
from core.venue import inventory
from core.venue.inventory import SeatUnavailable
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import STATION, cart_with, hall_performance, seat, user

NOW = FIXED_NOW
ADULT_B = 10584          # zone B adult: 95.00 + 3.00 fee, + 8 % tax
CASH = lambda amount: Tender("cash", amount)  # noqa: E731


def row_seats(db: Database, show: int, row: str, count: int) -> list[int]:
    return [seat(db, show, f"ORCH-{row}-{n}") for n in range(101, 101 + count)]


def money_in_journal(db: Database, order_id: int) -> int:
    return sum(json.loads(row[0])["amount_cents"] for row in db.execute(
        "SELECT data FROM journal WHERE action = 'money' AND subject = ?",
        [f"order:{order_id}"]))


def payments_total(db: Database, order_id: int) -> int:
    return int(db.execute("SELECT coalesce(sum(amount_cents), 0) FROM payments WHERE "
                          "order_id = ? AND status = 'approved'", [order_id]).fetchone()[0])


def test_issue_makes_a_numbered_batch_on_account(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    batch = consignment.issue(demo_db, cora, show, row_seats(demo_db, show, "S", 10),
                              "Harbor Hotel concierge", station=STATION, now=NOW)
    assert batch.number == "C0001" and batch.status == "issued"
    assert len(batch.tickets) == 10 and {t.status for t in batch.tickets} == {"live"}
    order = orders.get_order(demo_db, batch.order_id)
    assert (order.channel, order.status, order.payments) == ("consignment", "on_account", ())
    assert order.balance_cents == 10 * ADULT_B
    states = inventory.seat_states(demo_db, show, NOW)
    assert {states[seat(demo_db, show, f"ORCH-S-{n}")].state for n in range(101, 111)} == {
        "sold"}
    second = consignment.issue(demo_db, cora, show, row_seats(demo_db, show, "T", 2),
                               "Visitor centre", station=STATION, now=NOW)
    assert second.number == "C0002"
    [first, other] = consignment.outstanding(demo_db, show)
    assert (first.number, first.tickets, first.value_cents) == ("C0001", 10, 10 * ADULT_B)
    assert (other.consignee, other.tickets) == ("Visitor centre", 2)


def test_issue_is_refused_to_a_seller_and_for_taken_seats(demo_db: Database) -> None:
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    show = hall_performance(demo_db)
    with pytest.raises(PermissionDenied):
        consignment.issue(demo_db, sam, show, row_seats(demo_db, show, "S", 2), "Hotel",
                          station=STATION, now=NOW)
    with pytest.raises(ConsignmentError) as nobody:
        consignment.issue(demo_db, cora, show, row_seats(demo_db, show, "S", 2), "  ",
                          station=STATION, now=NOW)
    assert nobody.value.code == "consignee_required"
    consignment.issue(demo_db, cora, show, row_seats(demo_db, show, "S", 2), "Hotel",
                      station=STATION, now=NOW)
    with pytest.raises(SeatUnavailable):
        consignment.issue(demo_db, cora, show, row_seats(demo_db, show, "S", 3), "Cafe",
                          station=STATION, now=NOW)
    assert demo_db.execute("SELECT count(*) FROM consignments").fetchone()[0] == 1


def test_settle_six_sold_and_four_returned(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    seat_ids = row_seats(demo_db, show, "U", 10)
    batch = consignment.issue(demo_db, cora, show, seat_ids, "Harbor Hotel",
                              station=STATION, now=NOW)
    ids = [t.id for t in batch.tickets]
    sold, returned = ids[:6], ids[6:]
    with pytest.raises(ConsignmentError) as missing:   # U-110 not accounted for
        consignment.settle(demo_db, cora, batch.id, sold_ticket_ids=sold,
                           returned_ticket_ids=returned[:3], tenders=[CASH(6 * ADULT_B)],
                           station=STATION, now=NOW)
    assert missing.value.code == "incomplete_settlement"
    assert batch.tickets[9].serial in missing.value.message
    with pytest.raises(ConsignmentError) as both:
        consignment.settle(demo_db, cora, batch.id, sold_ticket_ids=sold,
                           returned_ticket_ids=[*returned, sold[0]],
                           tenders=[CASH(6 * ADULT_B)], station=STATION, now=NOW)
    assert both.value.code == "incomplete_settlement"
    with pytest.raises(OrderError) as short:
        consignment.settle(demo_db, cora, batch.id, sold_ticket_ids=sold,
                           returned_ticket_ids=returned, tenders=[CASH(5 * ADULT_B)],
                           station=STATION, now=NOW)
    assert short.value.code == "balance_not_zero"
    assert consignment.get_consignment(demo_db, batch.id).status == "issued"

    order = consignment.settle(demo_db, cora, batch.id, sold_ticket_ids=sold,
                               returned_ticket_ids=returned, tenders=[CASH(6 * ADULT_B)],
                               station=STATION, now=NOW)
    assert order.status == "complete" and order.balance_cents == 0
    assert [t.status for t in order.tickets] == ["live"] * 6 + ["returned"] * 4
    states = inventory.seat_states(demo_db, show, NOW)
    assert all(s not in states for s in seat_ids[6:])            # back on sale
    assert {states[s].state for s in seat_ids[:6]} == {"sold"}
    revoked = {tuple(r) for r in demo_db.execute("SELECT ticket_id, generation FROM "
                                                 "revocations")}
    assert revoked == {(ticket_id, 1) for ticket_id in returned}
    assert demo_db.execute("SELECT total_cents FROM orders WHERE id = ?",
                           [order.id]).fetchone()[0] == 6 * ADULT_B
    assert money_in_journal(demo_db, order.id) == payments_total(demo_db, order.id) == (
        6 * ADULT_B)
    settled = consignment.get_consignment(demo_db, batch.id)
    assert settled.status == "settled" and settled.settled_at == NOW
    assert consignment.outstanding(demo_db, show) == []
    with pytest.raises(ConsignmentError) as twice:
        consignment.settle(demo_db, cora, batch.id, sold_ticket_ids=sold,
                           returned_ticket_ids=[], tenders=[CASH(6 * ADULT_B)],
                           station=STATION, now=NOW)
    assert twice.value.code == "already_settled"
    assert journal.verify(demo_db).ok


def test_a_consignee_may_pay_later_on_account(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    batch = consignment.issue(demo_db, cora, show, row_seats(demo_db, show, "V", 4),
                              "Tour operator", station=STATION, now=NOW)
    ids = [t.id for t in batch.tickets]
    order = consignment.settle(demo_db, cora, batch.id, sold_ticket_ids=ids[:3],
                               returned_ticket_ids=ids[3:],
                               tenders=[CASH(ADULT_B), Tender("account", 2 * ADULT_B)],
                               station=STATION, now=NOW)
    assert order.status == "on_account" and order.balance_cents == 0
    assert consignment.outstanding(demo_db, show) == []     # settled, though not yet paid
    with pytest.raises(OrderError) as over:
        consignment.collect_account(demo_db, cora, batch.id, [CASH(2 * ADULT_B + 1)],
                                    station=STATION, now=NOW)
    assert over.value.code == "overpaid"
    part = consignment.collect_account(demo_db, cora, batch.id, [CASH(ADULT_B)],
                                       station=STATION, now=NOW)
    assert part.status == "on_account" and part.balance_cents == 0
    paid = consignment.collect_account(demo_db, cora, batch.id,
                                       [Tender("check", ADULT_B, check_number="77")],
                                       station=STATION, now=NOW)
    assert paid.status == "complete" and paid.balance_cents == 0
    money = {kind: sum(p.amount_cents for p in paid.payments if p.tender == kind)
             for kind in ("cash", "check", "account")}
    assert money == {"cash": 2 * ADULT_B, "check": ADULT_B, "account": 0}
    assert money_in_journal(demo_db, order.id) == payments_total(demo_db, order.id)
    with pytest.raises(ConsignmentError) as nothing:
        consignment.collect_account(demo_db, cora, batch.id, [CASH(100)], station=STATION,
                                    now=NOW)
    assert nothing.value.code == "nothing_on_account"
    assert journal.verify(demo_db).ok


def test_settlement_tenders_and_strangers_are_refused(demo_db: Database) -> None:
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    show = hall_performance(demo_db)
    batch = consignment.issue(demo_db, cora, show, row_seats(demo_db, show, "W", 2),
                              "Cafe", station=STATION, now=NOW)
    ids = [t.id for t in batch.tickets]
    with pytest.raises(PermissionDenied):
        consignment.settle(demo_db, sam, batch.id, sold_ticket_ids=ids,
                           returned_ticket_ids=[], tenders=[CASH(2 * ADULT_B)],
                           station=STATION, now=NOW)
    with pytest.raises(TenderError):
        consignment.settle(demo_db, cora, batch.id, sold_ticket_ids=ids,
                           returned_ticket_ids=[],
                           tenders=[Tender("comp", 2 * ADULT_B, reason="friends")],
                           station=STATION, now=NOW)
    with pytest.raises(ConsignmentError) as stranger:
        consignment.settle(demo_db, cora, batch.id, sold_ticket_ids=ids,
                           returned_ticket_ids=[ids[0] + 1000], tenders=[CASH(2 * ADULT_B)],
                           station=STATION, now=NOW)
    assert stranger.value.code == "incomplete_settlement"
    with pytest.raises(OrderError) as over:
        consignment.settle(demo_db, cora, batch.id, sold_ticket_ids=ids[:1],
                           returned_ticket_ids=ids[1:], tenders=[CASH(2 * ADULT_B)],
                           station=STATION, now=NOW)
    assert over.value.code == "overpaid"
    with pytest.raises(NotFound) as unknown:
        consignment.settle(demo_db, cora, 99, sold_ticket_ids=[], returned_ticket_ids=[],
                           tenders=[], station=STATION, now=NOW)
    assert unknown.value.code == "unknown_consignment"
    # everything returned: nothing is due and the order closes with no tickets live
    order = consignment.settle(demo_db, cora, batch.id, sold_ticket_ids=[],
                               returned_ticket_ids=ids, tenders=[], station=STATION, now=NOW)
    assert order.status == "complete" and order.value_cents == 0 and order.payments == ()
    assert inventory.seat_states(demo_db, show, NOW) == {}


def test_a_consignment_paid_on_account_refunds_on_account_not_in_cash(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    batch = consignment.issue(demo_db, cora, show, [seat(demo_db, show, "ORCH-B-101")],
                              "Hotel", station=STATION, now=NOW)
    order = orders.get_order(demo_db, batch.order_id)
    consignment.settle(demo_db, cora, batch.id, sold_ticket_ids=[order.tickets[0].id],
                       returned_ticket_ids=[], station=STATION, now=NOW,
                       tenders=[Tender("account", order.value_cents)])
    refunded = aftersale.refund(demo_db, cora, order.id, reason="hotel returned it",
                             station=STATION, now=NOW, to="cash")
    assert [p.tender for p in refunded.payments if p.amount_cents < 0] == ["account"]


def test_a_cheaper_exchange_on_an_unpaid_consignment_pays_no_cash(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    batch = consignment.issue(demo_db, cora, show, [seat(demo_db, show, "ORCH-D-101")],
                              "Hotel", station=STATION, now=NOW)
    order = orders.get_order(demo_db, batch.order_id)
    cheaper = cart_with(demo_db, cora, show, ["ORCH-D-102"], NOW, price_type="CHILD")
    swapped = aftersale.exchange(demo_db, cora, order.id, [order.tickets[0].id], cheaper, [],
                              reason="swap", station=STATION, now=NOW)
    assert [p for p in swapped.payments if p.amount_cents < 0] == []
