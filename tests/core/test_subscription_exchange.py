"""Exchanges under a package's rules (issue 20): a subscriber swaps one performance for
another of the series through the core exchange, in their zone for the package's fee, in
another zone for the difference and the fee; the new ticket stays the subscription's.
Refusals change nothing."""

from __future__ import annotations

import pytest

from core.errors import BoxOfficeError, NotFound
from core.gate import keys as gate_keys
from core.people.permissions import PermissionDenied
from core.reports.settlement import settle
from core.sales import aftersale, carts, orders, subscription_exchange, subscriptions
from core.sales.orders import OrderError
from core.sales.subscription_exchange import ExchangeError
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database
from core.venue.inventory import seat_states
from core.venue.series import Package, Series, get_package_price, spread
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import HOLD, STATION, cart_with, seat, user
from tests.support.subscription_helpers import flex_package, hall_series

NOW = FIXED_NOW
FEE = 1000


def cash(amount: int) -> list[Tender]:
    return [Tender("cash", amount, tendered_cents=amount)] if amount > 0 else []


def subscribed(db: Database, seats: str = "ORCH-A-101") -> tuple[Series, Package, int]:
    """A 3-performance series with an exchange fee, and one subscription; returns the
    series, the package and the subscription's order id."""
    made, package = hall_series(db, 3)
    sam = user(db, "sam")
    cart_id = carts.open_cart(db, sam, STATION, NOW, HOLD)
    cart = subscriptions.add_package_seats(db, sam, cart_id, package.id, seats, "ADULT",
                                           NOW, HOLD)
    order, _ = subscriptions.sell_subscription(
        db, sam, cart_id, cash(cart.total_cents),
        customer_id=subscriptions.NewSubscriber("Jane Subscriber"), station=STATION,
        now=NOW)
    subscription_exchange.set_exchange_fee(db, user(db, "cora"), package.id, FEE)
    return made, package, order.id


def ticket_at(db: Database, order_id: int, performance_id: int) -> int:
    return next(t.id for t in orders.get_order(db, order_id).tickets
                if t.performance_id == performance_id and t.status == "live")


def test_an_exchange_in_the_same_zone_costs_the_package_fee(demo_db: Database) -> None:
    made, package, order_id = subscribed(demo_db)
    first, _, third = made.performance_ids
    old = ticket_at(demo_db, order_id, first)
    before = orders.get_order(demo_db, order_id)
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    offer = subscription_exchange.offer(demo_db, sam, old, third, station=STATION, now=NOW,
                                        hold=HOLD)
    assert offer.same_zone and offer.zone == "A" and offer.due_cents == FEE
    assert offer.seat_label != "ORCH A-101"             # their own seat there is theirs
    after = subscription_exchange.exchange_ticket(demo_db, cora, offer, cash(FEE),
                                                  reason="away that week", station=STATION,
                                                  now=NOW)
    assert after.value_cents == before.value_cents + FEE
    assert after.paid_cents == before.paid_cents + FEE
    # the old seat is back on sale; the old code revoked; the new one the subscription's
    assert seat(demo_db, first, "ORCH-A-101") not in seat_states(demo_db, first, NOW)
    assert any(ticket == old for ticket, _ in gate_keys.revoked_set(demo_db))
    line = subscriptions.list_subscriptions(demo_db)[0]
    assert line.live_tickets == 3
    new = [t for t in after.tickets if t.status == "live" and t.performance_id == third]
    assert sorted(t.label for t in new) == sorted(["ORCH A-101", offer.seat_label])
    assert journal.verify(demo_db).ok
    actions = [row[0] for row in demo_db.execute("SELECT action FROM journal")]
    assert "subscription.exchange" in actions and "order.exchange" in actions
    # the third performance's settlement counts the fee, under the subscription channel
    price = get_package_price(demo_db, package.id, "A", 1)
    shares = [spread(price.base_cents, 3, i) + spread(price.fee_cents, 3, i)
              + spread(price.tax_cents, 3, i) for i in range(3)]
    channels = {c.key: c for c in settle(demo_db, third, now=NOW).by_channel}
    assert channels["subscription"].tickets == 2
    assert channels["subscription"].gross_cents == shares[2] + shares[0] + FEE


def test_another_zone_pays_the_difference_and_the_fee(demo_db: Database) -> None:
    made, package, order_id = subscribed(demo_db, "ORCH-T-101")   # zone B
    first, second, _ = made.performance_ids
    old_ticket = next(t for t in orders.get_order(demo_db, order_id).tickets
                      if t.performance_id == first)
    zone = subscriptions.list_subscriptions(demo_db)[0].zone
    offer = subscription_exchange.offer(demo_db, user(demo_db, "sam"), old_ticket.id,
                                        second, seat="ORCH-A-110", station=STATION, now=NOW,
                                        hold=HOLD)
    assert zone != "A" and not offer.same_zone and offer.zone == "A"
    share_a = spread(get_package_price(demo_db, package.id, "A", 1).base_cents, 3, 1)
    assert offer.price[0] == share_a
    old_value = old_ticket.base_cents + old_ticket.fee_cents + old_ticket.tax_cents
    assert offer.due_cents == offer.new_cents - old_value > FEE
    # the wrong amount is refused and nothing changes; the cart is the caller's to cancel
    with pytest.raises(OrderError) as refused:
        subscription_exchange.exchange_ticket(demo_db, user(demo_db, "cora"), offer,
                                              cash(FEE), reason="a better seat",
                                              station=STATION, now=NOW)
    assert refused.value.code == "balance_not_zero"
    assert orders.get_order(demo_db, order_id).tickets[0].status == "live"
    after = subscription_exchange.exchange_ticket(demo_db, user(demo_db, "cora"), offer,
                                                  cash(offer.due_cents),
                                                  reason="a better seat", station=STATION,
                                                  now=NOW)
    assert any(t.label == "ORCH A-110" and t.performance_id == second
               for t in after.tickets if t.status == "live")
    assert subscriptions.list_subscriptions(demo_db)[0].live_tickets == 3


def test_refusals_change_nothing(demo_db: Database) -> None:
    made, _, order_id = subscribed(demo_db)
    first = made.performance_ids[0]
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    old = ticket_at(demo_db, order_id, first)
    claims = demo_db.execute("SELECT count(*) FROM seat_claims").fetchone()[0]
    outside = demo_db.execute(
        "SELECT min(id) FROM performances WHERE id NOT IN (SELECT performance_id FROM "
        "series_performances)").fetchone()[0]
    for ticket, show, seats, code in (
            (old, outside, None, "not_in_series"),
            (old, made.performance_ids[1], "ORCH-A-101", "not_free"),
            (old, made.performance_ids[1], "ORCH-A-110..111", "one_seat")):
        with pytest.raises(BoxOfficeError) as refused:
            subscription_exchange.offer(demo_db, sam, ticket, show, seat=seats,
                                        station=STATION, now=NOW, hold=HOLD)
        assert refused.value.code in (code, "seat_unavailable"), refused.value.code
    assert demo_db.execute("SELECT count(*) FROM seat_claims").fetchone()[0] == claims
    assert demo_db.execute("SELECT count(*) FROM carts WHERE status = 'open'"
                           ).fetchone()[0] == 0
    # a single ticket is not a subscriber's
    single = cart_with(demo_db, sam, first, ["ORCH-B-101"], NOW)
    from core.sales.checkout import checkout
    sold = checkout(demo_db, sam, single, cash(carts.view_cart(demo_db, single).total_cents),
                    station=STATION, now=NOW)
    with pytest.raises(ExchangeError) as refused:
        subscription_exchange.offer(demo_db, sam, sold.tickets[0].id, first,
                                    station=STATION, now=NOW, hold=HOLD)
    assert refused.value.code == "not_a_subscription"
    # the plain exchange refuses a subscriber's ticket: it would skip the fee
    swap = cart_with(demo_db, sam, first, ["ORCH-C-101"], NOW)
    with pytest.raises(OrderError) as refused:
        aftersale.exchange(demo_db, cora, order_id, [old], swap, [], reason="x",
                           station=STATION, now=NOW)
    assert refused.value.code == "subscription_ticket"
    assert orders.get_order(demo_db, order_id).tickets[0].status == "live"


def test_the_exchange_fee_is_a_package_setting(demo_db: Database) -> None:
    made, package, _ = subscribed(demo_db)
    assert subscription_exchange.exchange_fee(demo_db, package.id) == FEE
    with pytest.raises(PermissionDenied):
        subscription_exchange.set_exchange_fee(demo_db, user(demo_db, "sam"), package.id, 0)
    with pytest.raises(BoxOfficeError) as refused:
        subscription_exchange.set_exchange_fee(demo_db, user(demo_db, "cora"), package.id,
                                               -1)
    assert refused.value.code == "bad_amount"
    flex = flex_package(demo_db, made)
    with pytest.raises(ExchangeError) as refused:
        subscription_exchange.set_exchange_fee(demo_db, user(demo_db, "cora"), flex.id, 500)
    assert refused.value.code == "not_fixed"
    with pytest.raises(NotFound):
        subscription_exchange.exchange_fee(demo_db, 999)
    assert subscription_exchange.exchange_fee(demo_db, package.id) == FEE
