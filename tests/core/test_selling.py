"""Selling: carts, checkout with tenders, refunds, voids, exchanges, reprints, holds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core import errors
from core.errors import NotFound
from core.money import TenderError
from core.people.models import User
from core.people.permissions import Override, PermissionDenied
from core.sales import aftersale, carts, checkout, orders
from core.sales.carts import CartError
from core.sales.orders import OrderError
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database
from core.venue import inventory
from core.venue.inventory import SeatUnavailable
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.selling_helpers import (
    HOLD,
    STATION,
    cart_with,
    hall_performance,
    seat,
    stadium_performance,
    user,
)

NOW = FIXED_NOW
CASH = lambda amount, handed=None: Tender("cash", amount, tendered_cents=handed)  # noqa: E731
VISA = lambda amount: Tender("card", amount, card_brand="VISA", card_last4="4242",  # noqa: E731
                             approval_code="A1B2C3", terminal_ref="T-881")


def money_in_journal(db: Database, order_id: int) -> int:
    import json

    return sum(json.loads(row[0])["amount_cents"] for row in db.execute(
        "SELECT data FROM journal WHERE action = 'money' AND subject = ?",
        [f"order:{order_id}"]))


def test_a_reserved_sale_in_cash_with_change(demo_db: Database) -> None:
    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, sam, show, ["ORCH-A-101", "ORCH-A-102"], NOW)
    cart = carts.view_cart(demo_db, cart_id)
    # zone A adult 125.00 + 3.00 fee + 8 % tax on both = 138.24 each
    assert [line.each_cents for line in cart.lines] == [13824, 13824]
    order = checkout.checkout(demo_db, sam, cart_id, [CASH(27648, 30000)], station=STATION,
                            now=NOW)
    assert order.status == "complete" and order.balance_cents == 0
    assert order.change_cents == 30000 - 27648
    assert [t.label for t in order.tickets] == ["ORCH A-101", "ORCH A-102"]
    states = inventory.seat_states(demo_db, show, NOW)
    assert {states[seat(demo_db, show, s)].state for s in ("ORCH-A-101", "ORCH-A-102")} == {
        "sold"}
    assert money_in_journal(demo_db, order.id) == 27648
    assert journal.verify(demo_db).ok


def test_two_windows_cannot_hold_the_same_seat(demo_db: Database) -> None:
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    show = hall_performance(demo_db)
    cart_with(demo_db, sam, show, ["ORCH-B-103"], NOW)
    with pytest.raises(SeatUnavailable, match="ORCH B-103"):
        cart_with(demo_db, cora, show, ["ORCH-B-104", "ORCH-B-103"], NOW)
    # all or none: B-104 was not taken by the failed attempt
    assert seat(demo_db, show, "ORCH-B-104") not in inventory.seat_states(demo_db, show, NOW)


def test_an_expired_cart_releases_its_seats_and_cannot_check_out(demo_db: Database) -> None:
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, sam, show, ["ORCH-C-101"], NOW)
    later = NOW + HOLD + timedelta(seconds=1)
    assert seat(demo_db, show, "ORCH-C-101") not in inventory.seat_states(demo_db, show, later)
    cart_with(demo_db, cora, show, ["ORCH-C-101"], later)   # someone else can take it now
    with pytest.raises(CartError) as caught:
        checkout.checkout(demo_db, sam, cart_id, [CASH(13824)], station=STATION, now=later)
    assert caught.value.code == "cart_expired"


def test_a_cart_that_runs_out_as_it_is_paid_is_refused_and_sells_nothing(
        demo_db: Database) -> None:
    """The cart's time runs out as it is paid: the checkout refuses it by its time (it
    sweeps no carts of its own) and sells nothing."""
    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, sam, show, ["ORCH-C-102"], NOW)
    later = NOW + HOLD + timedelta(seconds=1)
    with pytest.raises(CartError) as caught:
        checkout.checkout(demo_db, sam, cart_id, [CASH(13824)], station=STATION, now=later)
    assert caught.value.code == "cart_expired"
    assert seat(demo_db, show, "ORCH-C-102") not in inventory.seat_states(demo_db, show, later)
    assert demo_db.execute("SELECT count(*) FROM orders WHERE cart_id = ?",
                           [cart_id]).fetchone()[0] == 0


@pytest.mark.parametrize(("seconds", "sold"), [(-1, True), (0, False)])
def test_a_cart_sells_until_the_second_its_hold_ends(demo_db: Database, seconds: int,
                                                   sold: bool) -> None:
    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, sam, show, ["ORCH-C-103"], NOW)
    at = NOW + HOLD + timedelta(seconds=seconds)
    if sold:
        order = checkout.checkout(demo_db, sam, cart_id, [CASH(13824)], station=STATION,
                                  now=at)
        assert order.status == "complete"
        return
    with pytest.raises(CartError) as caught:
        checkout.checkout(demo_db, sam, cart_id, [CASH(13824)], station=STATION, now=at)
    assert caught.value.code == "cart_expired"


def test_cancel_releases_and_adding_extends_the_lock(demo_db: Database) -> None:
    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, sam, show, ["ORCH-D-101"], NOW)
    later = NOW + timedelta(minutes=8)
    carts.add_seats(demo_db, sam, cart_id, show, [seat(demo_db, show, "ORCH-D-102")], "ADULT",
                    later, HOLD)
    still = NOW + timedelta(minutes=15)   # past the first lock, inside the extended one
    assert seat(demo_db, show, "ORCH-D-101") in inventory.seat_states(demo_db, show, still)
    carts.cancel_cart(demo_db, sam, cart_id, still)
    assert inventory.seat_states(demo_db, show, still) == {}


def test_general_admission_is_counted_against_capacity(demo_db: Database) -> None:
    sam = user(demo_db, "sam")
    match = stadium_performance(demo_db)
    field = inventory.area_id(demo_db, match, "FIELD")
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    cart = carts.add_area_places(demo_db, sam, cart_id, match, "FIELD", 4, "ADULT", NOW, HOLD)
    order = checkout.checkout(demo_db, sam, cart_id, [CASH(cart.total_cents)], station=STATION,
                            now=NOW)
    assert len(order.tickets) == 4 and order.tickets[0].row is None
    count = inventory.area_count(demo_db, match, field, NOW)
    assert (count.sold, count.available) == (4, count.capacity - 4)
    other = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    with pytest.raises(SeatUnavailable, match="only"):
        carts.add_area_places(demo_db, sam, other, match, "FIELD", 1, "ADULT", NOW, HOLD) \
            if count.available == 0 else _fill_area(demo_db, sam, match, count.available + 1)


def _fill_area(db: Database, actor: User, match: int, quantity: int) -> None:
    cart_id = carts.open_cart(db, actor, STATION, NOW, HOLD)
    inventory.hold_area_places(db, user(db, "cora"), match, inventory.area_id(db, match,
                               "FIELD"), "HOUSE", quantity - 1 - 150, NOW)
    carts.add_area_places(db, actor, cart_id, match, "FIELD", 151, "ADULT", NOW, HOLD)


def test_split_tender_cash_and_card(demo_db: Database) -> None:
    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, sam, show, ["ORCH-E-101", "ORCH-E-102"], NOW)
    order = checkout.checkout(demo_db, sam, cart_id, [CASH(10000, 10000), VISA(17648)],
                            station=STATION, now=NOW)
    assert order.status == "complete"
    assert sorted(p.tender for p in order.payments) == ["card", "cash"]
    card = next(p for p in order.payments if p.tender == "card")
    assert (card.card_brand, card.card_last4) == ("VISA", "4242")


def test_short_payment_is_refused_and_nothing_is_written(demo_db: Database) -> None:
    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, sam, show, ["ORCH-F-101"], NOW)
    with pytest.raises(OrderError) as caught:
        checkout.checkout(demo_db, sam, cart_id, [CASH(5000)], station=STATION, now=NOW)
    assert caught.value.code == "balance_not_zero" and "88.24" in caught.value.message
    assert demo_db.execute("SELECT count(*) FROM orders").fetchone()[0] == 0
    with pytest.raises(TenderError) as short:
        checkout.checkout(demo_db, sam, cart_id, [CASH(13824, 10000)], station=STATION, now=NOW)
    assert short.value.code == "short_cash"


@pytest.mark.parametrize("field", ["card_last4", "approval_code", "terminal_ref", "reason"])
def test_a_whole_card_number_is_refused_wherever_it_is_typed(demo_db: Database, field: str) -> None:
    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, sam, show, ["ORCH-G-101"], NOW)
    details: dict[str, Any] = {"card_brand": "VISA", "card_last4": "4242",
                               "approval_code": "OK1234", field: "4111 1111 1111 1111"}
    with pytest.raises(TenderError) as caught:
        checkout.checkout(demo_db, sam, cart_id, [Tender("card", 13824, **details)],
                        station=STATION, now=NOW)
    assert caught.value.code == "card_number"
    dump = "\n".join(repr(row) for table in demo_db.table_names()
                     for row in demo_db.execute(f'SELECT * FROM "{table}"'))
    assert "4111111111111111" not in dump and "4111 1111 1111 1111" not in dump


def test_a_lost_terminal_answer_leaves_the_order_pending_until_resolved(demo_db: Database) -> None:
    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, sam, show, ["ORCH-H-101"], NOW)
    lost = Tender("card", 13824, card_brand="MASTERCARD", card_last4="5100", status="unknown")
    order = checkout.checkout(demo_db, sam, cart_id, [lost], station=STATION, now=NOW)
    assert order.status == "pending" and order.tickets == ()
    # the seat stays locked long after the normal hold time
    much_later = NOW + timedelta(hours=3)
    assert seat(demo_db, show, "ORCH-H-101") in inventory.seat_states(demo_db, show, much_later)
    with pytest.raises(CartError):  # cannot be charged again through the same cart
        checkout.checkout(demo_db, sam, cart_id, [VISA(13824)], station=STATION, now=NOW)
    cora = user(demo_db, "cora")                       # settling it needs a supervisor
    done = checkout.resolve_card_payment(demo_db, cora, order.payments[0].id, approved=True,
                                         approval_code="Z9Y8", station=STATION,
                                         now=much_later, hold=HOLD)
    assert done.status == "complete" and len(done.tickets) == 1 and done.balance_cents == 0
    assert money_in_journal(demo_db, order.id) == 13824
    with pytest.raises(OrderError):
        checkout.resolve_card_payment(demo_db, cora, order.payments[0].id, approved=True,
                                      approval_code="Z9Y8", station=STATION, now=much_later,
                                      hold=HOLD)


def test_a_declined_lost_answer_cancels_and_reopens_the_cart(demo_db: Database) -> None:
    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, sam, show, ["ORCH-J-101"], NOW)
    lost = Tender("card", 13824, card_brand="VISA", card_last4="0005", status="unknown")
    order = checkout.checkout(demo_db, sam, cart_id, [lost], station=STATION, now=NOW)
    cancelled = checkout.resolve_card_payment(demo_db, user(demo_db, "cora"),
                                              order.payments[0].id, approved=False,
                                              approval_code=None, station=STATION, now=NOW,
                                              hold=HOLD)
    assert cancelled.status == "cancelled" and cancelled.paid_cents == 0
    paid = checkout.checkout(demo_db, sam, cart_id, [CASH(13824)], station=STATION, now=NOW)
    assert paid.status == "complete"


def test_refund_needs_permission_or_a_supervisor_override(demo_db: Database) -> None:
    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, sam, show, ["ORCH-K-101", "ORCH-K-102"], NOW)
    order = checkout.checkout(demo_db, sam, cart_id, [VISA(27648)], station=STATION, now=NOW)
    with pytest.raises(PermissionDenied):
        aftersale.refund(demo_db, sam, order.id, reason="sick", station=STATION, now=NOW)
    with pytest.raises(PermissionDenied) as wrong:
        aftersale.refund(demo_db, sam, order.id, reason="sick", station=STATION, now=NOW,
                      override=Override("cora", "9999"))
    assert wrong.value.code == "override_refused"
    first = order.tickets[0]
    refunded = aftersale.refund(demo_db, sam, order.id, reason="sick", station=STATION, now=NOW,
                             ticket_ids=[first.id], override=Override("cora", "3333"))
    assert [t.status for t in refunded.tickets] == ["refunded", "live"]
    back = [p for p in refunded.payments if p.amount_cents < 0]
    assert [(p.tender, p.amount_cents, p.card_last4) for p in back] == [("card", -13824,
                                                                         "4242")]
    assert refunded.balance_cents == 0
    assert seat(demo_db, show, "ORCH-K-101") not in inventory.seat_states(demo_db, show, NOW)
    revoked = demo_db.execute("SELECT ticket_id, generation FROM revocations").fetchall()
    assert [tuple(r) for r in revoked] == [(first.id, 1)]
    approvals = [row[0] for row in demo_db.execute(
        "SELECT action FROM journal WHERE action LIKE 'override.%' ORDER BY id")]
    assert approvals == ["override.refused", "override.approved"]   # refusals are kept


def test_void_today_reverses_everything_but_not_tomorrow(demo_db: Database) -> None:
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    show = hall_performance(demo_db)
    first = checkout.checkout(demo_db, sam, cart_with(demo_db, sam, show, ["ORCH-L-101"], NOW),
                            [CASH(13824)], station=STATION, now=NOW)
    voided = aftersale.void(demo_db, cora, first.id, reason="wrong night", station=STATION,
                         now=NOW + timedelta(hours=1), zone=ZONE)
    assert voided.status == "voided" and voided.paid_cents == 0 and voided.value_cents == 0
    second = checkout.checkout(demo_db, sam, cart_with(demo_db, sam, show, ["ORCH-L-102"], NOW),
                             [CASH(13824)], station=STATION, now=NOW)
    with pytest.raises(OrderError) as caught:
        aftersale.void(demo_db, cora, second.id, reason="late", station=STATION,
                    now=NOW + timedelta(days=1), zone=ZONE)
    assert caught.value.code == "not_today"


def test_exchange_to_dearer_seats_collects_the_difference(demo_db: Database) -> None:
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    show = hall_performance(demo_db)
    order = checkout.checkout(demo_db, sam, cart_with(demo_db, sam, show, ["ORCH-P-104"], NOW),
                            [CASH(10584)], station=STATION, now=NOW)   # zone B: 95+3, +8 %
    new_cart = cart_with(demo_db, cora, show, ["ORCH-A-110"], NOW)
    swapped = aftersale.exchange(demo_db, cora, order.id, [order.tickets[0].id], new_cart,
                              [CASH(13824 - 10584)], reason="upgrade", station=STATION,
                              now=NOW)
    assert [t.status for t in swapped.tickets] == ["exchanged", "live"]
    assert swapped.tickets[1].label == "ORCH A-110" and swapped.balance_cents == 0
    assert seat(demo_db, show, "ORCH-P-104") not in inventory.seat_states(demo_db, show, NOW)


def test_exchange_to_cheaper_seats_refunds_cash(demo_db: Database) -> None:
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    show = hall_performance(demo_db)
    order = checkout.checkout(demo_db, sam, cart_with(demo_db, sam, show, ["ORCH-A-111"], NOW),
                            [VISA(13824)], station=STATION, now=NOW)
    new_cart = cart_with(demo_db, cora, show, ["ORCH-P-105"], NOW)
    swapped = aftersale.exchange(demo_db, cora, order.id, [order.tickets[0].id], new_cart, [],
                              reason="moved", station=STATION, now=NOW)
    assert swapped.payments[-1].tender == "cash"
    assert swapped.payments[-1].amount_cents == -(13824 - 10584)
    assert swapped.balance_cents == 0


def test_reprint_issues_a_new_generation_and_revokes_the_old(demo_db: Database) -> None:
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    show = hall_performance(demo_db)
    order = checkout.checkout(demo_db, sam, cart_with(demo_db, sam, show, ["ORCH-M-101"], NOW),
                            [CASH(13824)], station=STATION, now=NOW)
    orders.mark_printed(demo_db, [order.tickets[0].id], NOW)
    ticket = aftersale.reprint(demo_db, cora, order.tickets[0].id, reason="torn", now=NOW)
    assert ticket.generation == 2 and not ticket.printed
    assert demo_db.execute("SELECT count(*) FROM revocations WHERE ticket_id = ? AND "
                           "generation = 1", [ticket.id]).fetchone()[0] == 1
    with pytest.raises(PermissionDenied):
        aftersale.reprint(demo_db, sam, ticket.id, reason="again", now=NOW)


def test_holds_kills_and_who_may_sell_from_a_hold(demo_db: Database) -> None:
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    show = hall_performance(demo_db)
    house = inventory.seat_ids_in_range(demo_db, show, "ORCH", "N", 101, 104)
    with pytest.raises(PermissionDenied):
        inventory.hold_seats(demo_db, sam, show, house, "HOUSE", NOW)
    assert inventory.hold_seats(demo_db, cora, show, house, "HOUSE", NOW) == 4
    wheel = [seat(demo_db, show, "ORCH-P-1")]
    inventory.hold_seats(demo_db, cora, show, wheel, "WHEEL", NOW)
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    with pytest.raises(SeatUnavailable):
        carts.add_seats(demo_db, sam, cart_id, show, house[:1], "ADULT", NOW, HOLD)
    with pytest.raises(PermissionDenied):
        carts.add_seats(demo_db, sam, cart_id, show, house[:1], "ADULT", NOW, HOLD,
                        from_hold="HOUSE")
    carts.add_seats(demo_db, sam, cart_id, show, wheel, "ADULT", NOW, HOLD, from_hold="WHEEL")
    # the cart expires: the seat goes back to its hold, not on general sale
    later = NOW + HOLD + timedelta(seconds=1)
    assert inventory.seat_states(demo_db, show, later)[wheel[0]].hold_code == "WHEEL"
    inventory.sweep_expired_carts(demo_db, later)
    assert inventory.seat_states(demo_db, show, later)[wheel[0]].state == "held"
    with pytest.raises(errors.BoxOfficeError):
        inventory.kill_seats(demo_db, cora, show, house, "camera", NOW)  # held, not available
    killed = inventory.seat_ids_in_range(demo_db, show, "ORCH", "N", 105, 106)
    inventory.kill_seats(demo_db, cora, show, killed, "camera platform", NOW)
    assert inventory.release_seats(demo_db, cora, show, house + killed, NOW) == 6
    assert set(inventory.seat_states(demo_db, show, NOW)) == {wheel[0]}


def test_comps_need_the_comp_permission(demo_db: Database) -> None:
    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, sam, show, ["ORCH-Q-101"], NOW, price_type="COMP")
    assert carts.view_cart(demo_db, cart_id).total_cents == 0
    with pytest.raises(PermissionDenied):
        checkout.checkout(demo_db, sam, cart_id, [Tender("comp", 0, reason="press")],
                        station=STATION, now=NOW)
    order = checkout.checkout(demo_db, sam, cart_id, [Tender("comp", 0, reason="press")],
                            station=STATION, now=NOW, override=Override("cora", "3333"))
    assert order.status == "complete" and order.tickets[0].flags & checkout.FLAG_COMP


def test_a_group_order_completes_on_a_deposit_with_a_due_date(demo_db: Database) -> None:
    from core.sales import groups

    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    group = groups.create_group(demo_db, cora, "Riverside Choir", now=NOW)
    cart_id = cart_with(demo_db, cora, show, ["ORCH-R-101", "ORCH-R-102", "ORCH-R-103"], NOW,
                        price_type="GROUP")
    total = carts.view_cart(demo_db, cart_id).total_cents
    due = (NOW + timedelta(days=14)).date()
    with pytest.raises(OrderError) as no_group:
        checkout.checkout(demo_db, cora, cart_id, [CASH(5000)], station=STATION, now=NOW,
                        channel="group", balance_due=due)
    assert no_group.value.code == "bad_group"
    order = checkout.checkout(demo_db, cora, cart_id, [CASH(5000)], station=STATION, now=NOW,
                            channel="group", group_id=group.id, balance_due=due)
    assert order.status == "deposit" and order.balance_cents == total - 5000
    # refunding one ticket of a part-paid order pays back nothing still owed
    refunded = aftersale.refund(demo_db, cora, order.id, reason="one fewer", station=STATION,
                             now=NOW, ticket_ids=[order.tickets[0].id])
    assert [p.amount_cents for p in refunded.payments if p.amount_cents < 0] == []
    assert refunded.balance_cents == total - total // 3 - 5000


def test_unknown_things_are_not_found_with_codes(demo_db: Database) -> None:
    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    with pytest.raises(NotFound) as caught:
        inventory.find_seat(demo_db, show, "ORCH", "A", 999)
    assert caught.value.code == "unknown_seat"
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    with pytest.raises(NotFound) as price_type:
        carts.add_seats(demo_db, sam, cart_id, show, [seat(demo_db, show, "ORCH-A-103")],
                        "PENSIONER", NOW, HOLD)
    assert price_type.value.code == "unknown_price_type"


def test_best_available_puts_adjacent_front_centre_seats_in_the_cart(demo_db: Database) -> None:
    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    cart = carts.add_best_available(demo_db, sam, cart_id, show, 4, "ADULT", NOW, HOLD,
                                    zone="A")
    assert len(cart.lines) == 4 and {line.zone for line in cart.lines} == {"A"}
    rows = {line.row for line in cart.lines}
    assert len(rows) == 1
    numbers = sorted(int(line.number or 0) for line in cart.lines)
    assert numbers == list(range(numbers[0], numbers[0] + 4))
    again = carts.add_best_available(demo_db, sam, cart_id, show, 4, "ADULT", NOW, HOLD,
                                     zone="A")
    assert len({line.seat_id for line in again.lines}) == 8   # never the same seats twice
    with pytest.raises(SeatUnavailable) as caught:
        carts.add_best_available(demo_db, sam, cart_id, show, 20, "ADULT", NOW, HOLD,
                                 section="BOX-A")
    assert caught.value.code == "no_block"
    with pytest.raises(CartError):
        carts.add_best_available(demo_db, sam, cart_id, show, 0, "ADULT", NOW, HOLD)


def test_a_lost_answer_is_settled_by_a_supervisor_and_a_decline_frees_the_seats(
        demo_db: Database) -> None:
    from core.people.permissions import Override, PermissionDenied

    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, sam, show, ["ORCH-J-102"], NOW)
    lost = Tender("card", 13824, card_brand="VISA", card_last4="0005", status="unknown")
    order = checkout.checkout(demo_db, sam, cart_id, [lost], station=STATION, now=NOW)
    with pytest.raises(PermissionDenied):               # a seller alone may not
        checkout.resolve_card_payment(demo_db, sam, order.payments[0].id, approved=False,
                                      approval_code=None, station=STATION, now=NOW,
                                      hold=HOLD, release=True)
    declined = checkout.resolve_card_payment(
        demo_db, sam, order.payments[0].id, approved=False, approval_code=None,
        station=STATION, now=NOW, hold=HOLD, release=True,
        override=Override("cora", "3333"))
    assert declined.status == "cancelled" and declined.paid_cents == 0
    assert seat(demo_db, show, "ORCH-J-102") not in inventory.seat_states(demo_db, show, NOW)
def test_voiding_a_comp_pays_no_cash(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, cora, show, ["ORCH-A-101"], NOW)
    total = carts.view_cart(demo_db, cart_id).total_cents
    order = checkout.checkout(demo_db, cora, cart_id, [Tender("comp", total, reason="critic")],
                            station=STATION, now=NOW)
    voided = aftersale.void(demo_db, cora, order.id, reason="mistake", station=STATION, now=NOW,
                         zone=ZONE)
    assert [(p.tender, p.amount_cents) for p in voided.payments] == [("comp", total),
                                                                     ("comp", -total)]


def test_a_pending_order_cannot_be_voided_and_a_late_approval_is_paid_back(
    demo_db: Database,
) -> None:
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, cora, show, ["ORCH-C-101"], NOW)
    total = carts.view_cart(demo_db, cart_id).total_cents
    first = Tender("card", 5000, card_brand="VISA", card_last4="0001", status="unknown")
    second = Tender("card", total - 5000, card_brand="VISA", card_last4="0002",
                    status="unknown")
    order = checkout.checkout(demo_db, cora, cart_id, [first, second], station=STATION, now=NOW)
    with pytest.raises(OrderError) as caught:
        aftersale.void(demo_db, cora, order.id, reason="walked away", station=STATION, now=NOW,
                    zone=ZONE)
    assert caught.value.code == "pending"
    one, two = order.payments
    checkout.resolve_card_payment(demo_db, cora, one.id, approved=False, approval_code=None,
                                station=STATION, now=NOW, hold=HOLD)
    late = checkout.resolve_card_payment(demo_db, cora, two.id, approved=True,
                                       approval_code="AB12", station=STATION, now=NOW,
                                       hold=HOLD)
    assert late.status == "cancelled" and late.paid_cents == 0   # charged, then paid back


def test_an_exchange_into_a_comp_needs_the_comp_permission(demo_db: Database) -> None:
    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    # this house lets sellers exchange, but not comp
    demo_db.execute("INSERT INTO role_permissions (role, permission) VALUES "
                    "('seller', 'exchange')")
    order = checkout.checkout(demo_db, sam, cart_with(demo_db, sam, show, ["ORCH-E-101"], NOW),
                            [Tender("cash", 13824)], station=STATION, now=NOW)
    comp_cart = cart_with(demo_db, sam, show, ["ORCH-E-102"], NOW, price_type="COMP")
    with pytest.raises(PermissionDenied) as caught:
        aftersale.exchange(demo_db, sam, order.id, [order.tickets[0].id], comp_cart, [],
                        reason="upgrade", station=STATION, now=NOW)
    assert "comp" in caught.value.message
    swapped = aftersale.exchange(demo_db, sam, order.id, [order.tickets[0].id], comp_cart, [],
                              reason="upgrade", station=STATION, now=NOW,
                              override=Override("cora", "3333"))
    assert swapped.tickets[-1].flags & checkout.FLAG_COMP
    approvals = demo_db.execute("SELECT count(*) FROM journal WHERE action = "
                                "'override.approved' AND subject = 'permission:comp'")
    assert approvals.fetchone()[0] == 1
