"""Flex passes (issue 20, second layer): N admissions on a series, at most M at one
performance, a signed code, redeemed at the window for seats or places, counting down;
a redeemed ticket returned gives the admission back, never money."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import NotFound
from core.gate import keys as gate_keys
from core.money import TenderError
from core.reports.settlement import settle
from core.sales import aftersale, carts, flex, subscriptions
from core.sales.flex import FlexError
from core.sales.orders import OrderError
from core.sales.subscriptions import NewSubscriber, SubscriptionError
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database
from core.venue import series as series_service
from core.venue.inventory import SeatUnavailable, seat_states
from core.venue.series import SeriesError
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import HOLD, STATION, cart_with, seat, user
from tests.support.subscription_helpers import FLEX_PRICE, PRICING, flex_package, hall_series

NOW = FIXED_NOW
FLEX_TOTAL = 22464          # (200.00 + 8.00) * 1.08


def cash(amount: int) -> list[Tender]:
    return [Tender("cash", amount, tendered_cents=amount)]


def sold_pass(db: Database) -> tuple[series_service.Series, flex.FlexPass]:
    made, _ = hall_series(db)
    package = flex_package(db, made)
    sold = flex.sell_flex_pass(db, user(db, "sam"), package.id, "ADULT", cash(FLEX_TOTAL),
                               customer_id=NewSubscriber("Flex Fan", "5550109999"),
                               station=STATION, now=NOW)
    return made, sold


def test_a_pass_is_sold_redeemed_counting_down_and_returned(demo_db: Database,
                                                             tmp_path: Path) -> None:
    made, sold = sold_pass(demo_db)
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    assert (sold.admissions, sold.left, sold.total_cents) == (4, 4, FLEX_TOTAL)
    # the pass's code is signed, finds the pass, and is no ticket for any performance
    gate_keys.ensure_signing_key(demo_db, tmp_path / "keys")
    code = flex.pass_code(gate_keys.load_signer(demo_db, tmp_path / "keys"), sold.id)
    assert flex.find_pass(demo_db, code).id == sold.id
    with pytest.raises(FlexError):
        flex.find_pass(demo_db, code[:-2] + ("AA" if code[-2:] != "AA" else "AE"))
    first, second = made.performance_ids[:2]
    order = flex.redeem(demo_db, sam, sold.id, first, seats="ORCH-C-101..102", now=NOW)
    assert flex.get_pass(demo_db, sold.id).left == 2
    tickets = [t for t in order.tickets if t.performance_id == first]
    assert len(tickets) == 2 and {t.status for t in tickets} == {"live"}
    states = seat_states(demo_db, first, NOW)
    assert states[seat(demo_db, first, "ORCH-C-101")].state == "sold"
    # at most two at one performance; no more than are left
    with pytest.raises(FlexError) as too_many_here:
        flex.redeem(demo_db, sam, sold.id, first, seats="ORCH-C-103", now=NOW)
    assert too_many_here.value.code == "per_performance"
    flex.redeem(demo_db, sam, sold.id, second, seats="ORCH-C-101", now=NOW)
    with pytest.raises(FlexError) as used_up:
        flex.redeem(demo_db, sam, sold.id, made.performance_ids[2],
                    seats="ORCH-C-101..102", now=NOW)
    assert used_up.value.code == "pass_used_up"
    # each redeemed ticket carries a quarter of the pass; settlement counts it there
    by_channel = {line.key: line for line in settle(demo_db, first, NOW).by_channel}
    assert by_channel["subscription"].gross_cents == FLEX_TOTAL // 2
    # a refund for money is refused; returning the admission frees the seat, no money
    with pytest.raises(OrderError) as refused:
        aftersale.refund(demo_db, cora, sold.order_id, reason="ill", station=STATION,
                         now=NOW, ticket_ids=[tickets[0].id])
    assert refused.value.code == "flex_admission"
    paid_before = demo_db.execute("SELECT sum(amount_cents) FROM payments").fetchone()[0]
    back = flex.return_admission(demo_db, cora, tickets[0].id, reason="cannot come",
                                 now=NOW)
    assert back.left == 2
    assert seat(demo_db, first, "ORCH-C-101") not in seat_states(demo_db, first, NOW)
    assert demo_db.execute("SELECT sum(amount_cents) FROM payments").fetchone()[0] == \
        paid_before
    # the admission is used again, at the third performance
    flex.redeem(demo_db, sam, sold.id, made.performance_ids[2], seats="ORCH-C-105", now=NOW)
    assert flex.get_pass(demo_db, sold.id).left == 1
    assert journal.verify_pinned(demo_db).ok


def test_bad_redemptions_change_nothing(demo_db: Database) -> None:
    made, sold = sold_pass(demo_db)
    sam = user(demo_db, "sam")
    first = made.performance_ids[0]
    cart_with(demo_db, sam, first, ["ORCH-C-102"], NOW)
    tickets = demo_db.execute("SELECT count(*) FROM tickets").fetchone()[0]
    with pytest.raises(SeatUnavailable):
        flex.redeem(demo_db, sam, sold.id, first, seats="ORCH-C-101..102", now=NOW)
    with pytest.raises(FlexError) as elsewhere:
        flex.redeem(demo_db, sam, sold.id, 3, seats="ORCH-C-101", now=NOW)   # not in series
    assert elsewhere.value.code == "not_in_series"
    assert demo_db.execute("SELECT count(*) FROM tickets").fetchone()[0] == tickets
    assert flex.get_pass(demo_db, sold.id).left == 4
    assert seat(demo_db, first, "ORCH-C-101") not in seat_states(demo_db, first, NOW)


def test_a_pass_needs_a_flex_package_its_price_and_the_full_payment(
        demo_db: Database) -> None:
    made, fixed = hall_series(demo_db)
    package = flex_package(demo_db, made)
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    orders_before = demo_db.execute("SELECT count(*) FROM orders").fetchone()[0]
    with pytest.raises(FlexError) as not_flex:
        flex.sell_flex_pass(demo_db, sam, fixed.id, "ADULT", cash(FLEX_TOTAL),
                            customer_id=NewSubscriber("X"), station=STATION, now=NOW)
    assert not_flex.value.code == "not_flex"
    with pytest.raises(OrderError) as short:
        flex.sell_flex_pass(demo_db, sam, package.id, "ADULT", cash(FLEX_TOTAL - 1),
                            customer_id=NewSubscriber("X"), station=STATION, now=NOW)
    assert short.value.code == "balance_not_zero"
    with pytest.raises(TenderError) as comp:       # comps are checkout's, with permission
        flex.sell_flex_pass(demo_db, sam, package.id, "ADULT",
                            [Tender("comp", FLEX_TOTAL, reason="friend")],
                            customer_id=NewSubscriber("X"), station=STATION, now=NOW)
    assert comp.value.code == "bad_tender"
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    with pytest.raises(SubscriptionError) as as_fixed:
        subscriptions.add_package_seats(demo_db, sam, cart_id, package.id, "ORCH-A-101",
                                        "ADULT", NOW, HOLD)
    assert as_fixed.value.code == "not_fixed"
    with pytest.raises(SeriesError) as bad:
        series_service.create_package(demo_db, cora, made.id, "BIG", "Too big", now=NOW,
                                      admissions=4, per_performance=5)
    assert bad.value.code == "bad_admissions"
    with pytest.raises(NotFound):
        series_service.set_package_price(demo_db, cora, package.id, "A", "ADULT",
                                         FLEX_PRICE[0], defaults=PRICING)
    assert demo_db.execute("SELECT count(*) FROM orders").fetchone()[0] == orders_before
    assert demo_db.execute("SELECT count(*) FROM customers").fetchone()[0] == 0
