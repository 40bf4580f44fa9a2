"""Renewals (issue 20, third layer): a series rolled forward with its subscribers' seats
held until a deadline, renewal letters, renewing in one step, releasing the rest, and
the renewal rate."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from core.reports.letters import renewal_letters
from core.sales import carts, renewals, subscriptions
from core.sales.orders import OrderError
from core.sales.renewals import RenewalError
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database
from core.venue.inventory import SeatUnavailable, kill_seats, seat_states
from core.venue.performances import copy_performance
from core.venue.series import Series
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.dates import day_at
from tests.support.selling_helpers import HOLD, STATION, keep_on_sale, seat, user
from tests.support.subscription_helpers import hall_series

NOW = FIXED_NOW
DEADLINE = NOW + timedelta(days=30)
PACKAGE_A_TOTAL = 33696


def sell(db: Database, package_id: int, seats: str, name: str) -> int:
    sam = user(db, "sam")
    cart_id = carts.open_cart(db, sam, STATION, NOW, HOLD)
    cart = subscriptions.add_package_seats(db, sam, cart_id, package_id, seats, "ADULT",
                                           NOW, HOLD)
    _, made = subscriptions.sell_subscription(
        db, sam, cart_id, [Tender("cash", cart.total_cents)],
        customer_id=subscriptions.NewSubscriber(name), station=STATION, now=NOW)
    return made[0]


def next_season(db: Database, count: int = 3) -> list[int]:
    cora = user(db, "cora")
    first = db.execute("SELECT min(id) FROM performances").fetchone()[0]
    shows = [copy_performance(db, cora, first, day_at(200 + 7 * week, "19:30", ZONE))
             for week in range(count)]
    keep_on_sale(db, days=600)
    return shows


def rolled(db: Database) -> tuple[Series, renewals.RollForward]:
    made, package = hall_series(db, 3)
    for number, name in ((101, "Ann"), (102, "Ben"), (103, "Cat")):
        sell(db, package.id, f"ORCH-A-{number}", name)
    shows = next_season(db)
    # one seat of next season is killed: its subscriber cannot be seated
    kill_seats(db, user(db, "cora"), shows[1], [seat(db, shows[1], "ORCH-A-103")],
               "camera position", NOW)
    result = renewals.roll_forward(db, user(db, "cora"), made.id, "Opera season 2028",
                                   shows, season="2028", deadline=DEADLINE, now=NOW)
    return made, result


def test_roll_forward_holds_each_subscribers_seat_until_the_deadline(
        demo_db: Database) -> None:
    _, result = rolled(demo_db)
    assert result.offered == 2 and result.unseated == ("ORCH-A-103 (Cat)",)
    offers = renewals.list_renewals(demo_db, result.series.id)
    assert [(r.customer_name, r.status, r.hold_code) for r in offers] == [
        ("Ann", "offered", "RN1"), ("Ben", "offered", "RN2"), ("Cat", "unseated", None)]
    assert offers[0].price_cents == PACKAGE_A_TOTAL       # the prices came along
    for show in result.series.performance_ids:
        states = seat_states(demo_db, show, NOW)
        assert states[seat(demo_db, show, "ORCH-A-101")].hold_code == "RN1"
        assert states[seat(demo_db, show, "ORCH-A-102")].hold_code == "RN2"
    letters = renewal_letters(offers, house="Aldridge Hall", house_address="1 Harbor St",
                              today=NOW.date(), zone=ZONE, series_name="Opera season 2028")
    pages = PdfReader(io.BytesIO(letters)).pages
    assert len(pages) == 2                                  # Cat has no seat to renew
    text = pages[1].extract_text()
    for words in ("Ben", "ORCH A-102", "RN2", "336.96", "Opera season 2028"):
        assert words in text


def test_renewing_in_one_step_and_releasing_the_rest_after_the_deadline(
        demo_db: Database) -> None:
    made, result = rolled(demo_db)
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    order, new_id = renewals.renew(demo_db, sam, 1, [Tender("cash", PACKAGE_A_TOTAL)],
                                   station=STATION, now=NOW, hold=HOLD)
    assert order.channel == "subscription" and len(order.tickets) == 3
    assert renewals.get_renewal(demo_db, 1).status == "renewed"
    [renewed] = [s for s in subscriptions.list_subscriptions(demo_db) if s.id == new_id]
    assert (renewed.customer_name, renewed.seat_label, renewed.live_tickets) == (
        "Ann", "ORCH-A-101", 3)
    # a refused payment changes nothing: Ben's seats stay held for him
    with pytest.raises(OrderError):
        renewals.renew(demo_db, sam, 2, [Tender("cash", 100)], station=STATION, now=NOW,
                       hold=HOLD)
    assert renewals.get_renewal(demo_db, 2).status == "offered"
    show = result.series.performance_ids[0]
    assert seat_states(demo_db, show, NOW)[seat(demo_db, show, "ORCH-A-102")].hold_code == \
        "RN2"
    # nobody else can buy a held seat
    with pytest.raises(SeatUnavailable):
        carts.add_seats(demo_db, sam, carts.open_cart(demo_db, sam, STATION, NOW, HOLD),
                        show, [seat(demo_db, show, "ORCH-A-102")], "ADULT", NOW, HOLD)
    # before the deadline nothing is released; after it, Ben's seats go back on sale
    assert renewals.release_unrenewed(demo_db, cora, result.series.id, NOW) == 0
    later = DEADLINE + timedelta(minutes=1)
    with pytest.raises(RenewalError) as late:
        renewals.renew(demo_db, sam, 2, [Tender("cash", PACKAGE_A_TOTAL)],
                       station=STATION, now=later, hold=HOLD)
    assert late.value.code == "past_deadline"
    assert renewals.release_unrenewed(demo_db, cora, result.series.id, later) == 1
    for performance_id in result.series.performance_ids:
        assert seat(demo_db, performance_id, "ORCH-A-102") not in seat_states(
            demo_db, performance_id, later)
    [rate] = renewals.renewal_rates(demo_db, result.series.id)
    assert (rate.package, rate.zone, rate.offered, rate.renewed, rate.released,
            rate.unseated) == ("FULL", "A", 3, 1, 1, 1)
    assert round(rate.rate_percent, 1) == 33.3
    with pytest.raises(RenewalError) as twice:
        renewals.roll_forward(demo_db, cora, made.id, "Again", list(
            result.series.performance_ids), season="2028", deadline=DEADLINE, now=NOW)
    assert twice.value.code == "already_rolled"
    assert journal.verify_pinned(demo_db).ok



