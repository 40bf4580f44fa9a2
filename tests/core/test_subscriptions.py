"""Series, fixed packages and subscriptions sold at the window (issue 20, first layer)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils

from core.errors import NotFound
from core.gate import codes
from core.gate import keys as gate_keys
from core.migrations import migrations
from core.people.permissions import PermissionDenied
from core.reports.settlement import settle
from core.sales import aftersale, carts, customers, orders, subscriptions
from core.sales.subscriptions import SubscriptionError
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database, connect, integrity_errors, write
from core.store.schema import migrate
from core.venue import series as series_service
from core.venue.inventory import SeatUnavailable, seat_states
from core.venue.performances import NotOnSale, cancel_performance
from core.venue.series import SeriesError, spread
from tests.support.constants import FIXED_NOW
from tests.support.dates import stamp
from tests.support.selling_helpers import (
    HOLD,
    STATION,
    cart_with,
    hall_performance,
    keep_on_sale,
    seat,
    stadium_performance,
    user,
)
from tests.support.subscription_helpers import PACKAGE_A, PRICING, hall_series

NOW = FIXED_NOW
PACKAGE_A_TOTAL = PACKAGE_A[0] + PACKAGE_A[1] + (PACKAGE_A[0] + PACKAGE_A[1]) * 8 // 100


def cash(amount: int) -> list[Tender]:
    return [Tender("cash", amount, tendered_cents=amount)]


def subscriber(db: Database, name: str = "Jane Subscriber") -> int:
    return customers.create_customer(db, user(db, "sam"), name, phone="5550101234",
                                     now=NOW).id


def claims(db: Database) -> list[tuple[int, ...]]:
    return [tuple(r) for r in db.execute(
        "SELECT performance_id, seat_id, state FROM seat_claims ORDER BY 1, 2")]


def test_a_subscription_claims_the_seat_at_every_performance_in_one_order(
        demo_db: Database, tmp_path: Path) -> None:
    made, package = hall_series(demo_db)
    sam = user(demo_db, "sam")
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    cart = subscriptions.add_package_seats(demo_db, sam, cart_id, package.id, "ORCH-A-101",
                                           "ADULT", NOW, HOLD)
    assert cart.total_cents == PACKAGE_A_TOTAL == 33696
    assert [line.performance_id for line in cart.lines] == list(made.performance_ids)
    order, made_ids = subscriptions.sell_subscription(
        demo_db, sam, cart_id, cash(cart.total_cents), customer_id=subscriber(demo_db),
        station=STATION, now=NOW)
    assert (order.channel, order.status, order.paid_cents) == (
        "subscription", "complete", PACKAGE_A_TOTAL)
    assert sorted(t.performance_id for t in order.tickets) == sorted(made.performance_ids)
    # every performance: the same seat, sold to this order's ticket
    for ticket in order.tickets:
        state = seat_states(demo_db, ticket.performance_id, NOW)[
            seat(demo_db, ticket.performance_id, "ORCH-A-101")]
        assert (state.state, state.ticket_id) == ("sold", ticket.id)
    # each ticket has its own code, signed, for its own performance
    gate_keys.ensure_signing_key(demo_db, tmp_path / "keys")
    signer = gate_keys.load_signer(demo_db, tmp_path / "keys")
    tokens = [orders.ticket_code(signer, t) for t in order.tickets]
    assert len(set(tokens)) == 6
    for token, ticket in zip(tokens, order.tickets, strict=True):
        verdict = codes.verify_token(token, gate_keys.public_keys(demo_db),
                                     gate_keys.revoked_set(demo_db))
        assert (verdict.ticket_id, verdict.performance_id) == (ticket.id,
                                                               ticket.performance_id)
    [one] = subscriptions.list_subscriptions(demo_db, package_id=package.id)
    assert (one.id, one.seat_label, one.zone, one.live_tickets, one.order_number) == (
        made_ids[0], "ORCH-A-101", "A", 6, order.number)
    entry = demo_db.execute("SELECT data FROM journal WHERE action = 'subscription.sell'"
                            ).fetchone()[0]
    assert json.loads(entry)["seats"] == ["ORCH-A-101"]
    assert journal.verify_pinned(demo_db).ok


def test_the_package_price_is_spread_evenly_and_settlement_shows_each_share(
        demo_db: Database) -> None:
    made, package = hall_series(demo_db)
    sam = user(demo_db, "sam")
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    subscriptions.add_package_seats(demo_db, sam, cart_id, package.id, "ORCH-A-101..102",
                                    "ADULT", NOW, HOLD)
    order, made_ids = subscriptions.sell_subscription(
        demo_db, sam, cart_id, cash(2 * PACKAGE_A_TOTAL), customer_id=subscriber(demo_db),
        station=STATION, now=NOW)
    assert len(made_ids) == 2 and len(order.tickets) == 12
    shares = [settle(demo_db, show, NOW).by_channel for show in made.performance_ids]
    by_show = [{line.key: line for line in lines}["subscription"] for lines in shares]
    assert [line.tickets for line in by_show] == [2] * 6
    assert sum(line.gross_cents for line in by_show) == 2 * PACKAGE_A_TOTAL
    # base 30000 / 6 divides; tax 2496 / 6 = 416; a price that does not divide goes to
    # the earliest performances first, a cent each
    assert [line.base_cents for line in by_show] == [10000] * 6
    assert [spread(1001, 6, i) for i in range(6)] == [167, 167, 167, 167, 167, 166]


def test_a_seat_taken_at_one_performance_is_named_and_nothing_changes(
        demo_db: Database) -> None:
    made, package = hall_series(demo_db)
    sam = user(demo_db, "sam")
    third = made.performance_ids[2]
    fifth = made.performance_ids[4]
    cart_with(demo_db, sam, third, ["ORCH-A-102"], NOW)      # single tickets in carts
    cart_with(demo_db, sam, fifth, ["ORCH-A-102"], NOW)
    before = claims(demo_db)
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    with pytest.raises(SeatUnavailable) as refused:
        subscriptions.add_package_seats(demo_db, sam, cart_id, package.id,
                                        "ORCH-A-101..102", "ADULT", NOW, HOLD)
    assert f"ORCH A-102 is cart at #{third}, #{fifth}" in refused.value.message
    assert "A-101" not in refused.value.message
    assert claims(demo_db) == before
    assert carts.view_cart(demo_db, cart_id).lines == ()
    # another seat goes through
    cart = subscriptions.add_package_seats(demo_db, sam, cart_id, package.id,
                                           "ORCH-A-103", "ADULT", NOW, HOLD)
    assert len(cart.lines) == 6


def test_best_available_finds_seats_free_at_every_performance(demo_db: Database) -> None:
    made, package = hall_series(demo_db)
    sam = user(demo_db, "sam")
    probe = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    first_choice = {line.seat_id or 0 for line in subscriptions.add_package_best(
        demo_db, sam, probe, package.id, 2, "ADULT", NOW, HOLD, zone="A").lines}
    carts.cancel_cart(demo_db, sam, probe, NOW)
    # one of those seats sold as a single ticket at the last performance only
    last = made.performance_ids[-1]
    single = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    carts.add_seats(demo_db, sam, single, last, sorted(first_choice)[:1], "ADULT", NOW,
                    HOLD)
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    cart = subscriptions.add_package_best(demo_db, sam, cart_id, package.id, 2, "ADULT",
                                          NOW, HOLD, zone="A")
    chosen = {line.seat_id for line in cart.lines}
    assert len(chosen) == 2 and not chosen & set(sorted(first_choice)[:1])
    assert {line.zone for line in cart.lines} == {"A"} and len(cart.lines) == 12
    with pytest.raises(SeatUnavailable) as none_left:
        subscriptions.add_package_best(demo_db, sam, cart_id, package.id, 20, "ADULT",
                                       NOW, HOLD, zone="F")
    assert none_left.value.code == "no_block"


def test_a_cancelled_performance_refuses_the_package_and_the_series(
        demo_db: Database) -> None:
    made, package = hall_series(demo_db)
    cora, sam = user(demo_db, "cora"), user(demo_db, "sam")
    cancel_performance(demo_db, cora, made.performance_ids[1], reason="tenor ill")
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    before = claims(demo_db)
    with pytest.raises(NotOnSale) as refused:
        subscriptions.add_package_seats(demo_db, sam, cart_id, package.id, "ORCH-A-101",
                                        "ADULT", NOW, HOLD)
    assert refused.value.code == "performance_cancelled"
    assert claims(demo_db) == before
    with pytest.raises(SeriesError) as bad_series:
        series_service.create_series(demo_db, cora, "Again", list(made.performance_ids),
                                     now=NOW)
    assert bad_series.value.code == "performance_cancelled"


def test_bad_input_is_refused_and_changes_nothing(demo_db: Database) -> None:
    made, package = hall_series(demo_db)
    cora, sam = user(demo_db, "cora"), user(demo_db, "sam")
    with pytest.raises(PermissionDenied):
        series_service.create_series(demo_db, sam, "Mine", [made.performance_ids[0]],
                                     now=NOW)
    with pytest.raises(PermissionDenied):
        series_service.set_package_price(demo_db, sam, package.id, "A", "ADULT", 1,
                                         defaults=PRICING)
    for performance_ids, code in (([], "no_performances"), ([1, 1], "duplicate_performance")):
        with pytest.raises(SeriesError) as refused:
            series_service.create_series(demo_db, cora, "Bad", performance_ids, now=NOW)
        assert refused.value.code == code
    with pytest.raises(NotFound) as unknown:
        series_service.create_series(demo_db, cora, "Bad", [999], now=NOW)
    assert unknown.value.code == "unknown_performance"
    with pytest.raises(SeriesError):
        series_service.create_package(demo_db, cora, made.id, "FULL", "Twice", now=NOW)
    with pytest.raises(NotFound) as zone:
        series_service.set_package_price(demo_db, cora, package.id, "Z", "ADULT", 100,
                                         defaults=PRICING)
    assert zone.value.code == "unknown_zone"
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    before = claims(demo_db)
    with pytest.raises(NotFound) as no_price:      # no CHILD price on the package
        subscriptions.add_package_seats(demo_db, sam, cart_id, package.id, "ORCH-A-101",
                                        "CHILD", NOW, HOLD)
    assert no_price.value.code == "no_price"
    assert claims(demo_db) == before
    cart = subscriptions.add_package_seats(demo_db, sam, cart_id, package.id, "ORCH-A-101",
                                           "SENIOR", NOW, HOLD)
    with pytest.raises(NotFound) as nobody:
        subscriptions.sell_subscription(demo_db, sam, cart_id, cash(cart.total_cents),
                                        customer_id=999, station=STATION, now=NOW)
    assert nobody.value.code == "no_customer"
    with pytest.raises(SubscriptionError) as unknown_card:
        subscriptions.sell_subscription(
            demo_db, sam, cart_id, [Tender("card", cart.total_cents, card_brand="VISA",
                                           card_last4="4242", status="unknown")],
            customer_id=subscriber(demo_db), station=STATION, now=NOW)
    assert unknown_card.value.code == "card_unknown"
    single = cart_with(demo_db, sam, made.performance_ids[0], ["ORCH-B-101"], NOW)
    subscriptions.add_package_seats(demo_db, sam, single, package.id, "ORCH-A-110",
                                    "ADULT", NOW, HOLD)
    with pytest.raises(SubscriptionError) as mixed:
        subscriptions.sell_subscription(demo_db, sam, single, cash(10 ** 6),
                                        customer_id=subscriber(demo_db), station=STATION,
                                        now=NOW)
    assert mixed.value.code == "not_a_package_cart"
    assert demo_db.execute("SELECT count(*) FROM orders").fetchone()[0] == 0
    assert demo_db.execute("SELECT count(*) FROM subscriptions").fetchone()[0] == 0


def test_refunding_one_performance_of_a_subscription_frees_only_that_seat(
        demo_db: Database) -> None:
    made, package = hall_series(demo_db)
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    cart = subscriptions.add_package_seats(demo_db, sam, cart_id, package.id, "ORCH-A-101",
                                           "ADULT", NOW, HOLD)
    order, _ = subscriptions.sell_subscription(
        demo_db, sam, cart_id, cash(cart.total_cents), customer_id=subscriber(demo_db),
        station=STATION, now=NOW)
    second = next(t for t in order.tickets if t.performance_id == made.performance_ids[1])
    after = aftersale.refund(demo_db, cora, order.id, reason="away that week",
                             station=STATION, now=NOW, ticket_ids=[second.id])
    assert after.paid_cents == PACKAGE_A_TOTAL - (second.base_cents + second.fee_cents
                                                  + second.tax_cents)
    [one] = subscriptions.list_subscriptions(demo_db)
    assert one.live_tickets == 5
    a101 = seat(demo_db, made.performance_ids[1], "ORCH-A-101")
    assert a101 not in seat_states(demo_db, made.performance_ids[1], NOW)
    assert journal.verify_pinned(demo_db).ok


def test_migration_widens_the_channel_on_an_upgraded_database(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = connect(path)
    with write(db):
        migrations.apply(sqlite_utils.Database(db.conn), stop_before="0015_subscriptions")
    db.conn.execute("INSERT INTO users (id, username, display_name, role, pin_hash) "
                    "VALUES (1, 'ana', 'Ana', 'seller', 'x')")
    insert = ("INSERT INTO orders (number, user_id, station, channel, status, total_cents, "
              "created_at) VALUES (?, 1, 'w1', ?, 'complete', 100, ?)")
    db.conn.execute(insert, ["A1", "web", stamp(NOW)])
    with pytest.raises(integrity_errors()):
        db.conn.execute(insert, ["A2", "subscription", stamp(NOW)])
    db.close()
    db = connect(path)
    assert "0015_subscriptions" in migrate(db)
    db.conn.execute(insert, ["A2", "subscription", stamp(NOW)])
    with pytest.raises(integrity_errors()):
        db.conn.execute(insert, ["A3", "season", stamp(NOW)])
    assert [r[0] for r in db.conn.execute("SELECT channel FROM orders ORDER BY id")] == [
        "web", "subscription"]
    assert db.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_series_over_two_venues_pairs_seats_by_name(demo_db: Database) -> None:
    cora, sam = user(demo_db, "cora"), user(demo_db, "sam")
    keep_on_sale(demo_db)
    shows = [hall_performance(demo_db), stadium_performance(demo_db)]
    made = series_service.create_series(demo_db, cora, "Hall and field", shows, now=NOW)
    package = series_service.create_package(demo_db, cora, made.id, "MIX", "Both", now=NOW)
    series_service.set_package_price(demo_db, cora, package.id, "A", "ADULT", 10000,
                                     defaults=PRICING)
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    before = claims(demo_db)
    # the hall's seats have no namesake in the stadium: none is free at both
    with pytest.raises(SeatUnavailable) as best:
        subscriptions.add_package_best(demo_db, sam, cart_id, package.id, 1, "ADULT", NOW,
                                       HOLD, zone="A")
    assert best.value.code == "no_block" and "at all 2 performances" in best.value.message
    with pytest.raises(NotFound) as named:
        subscriptions.add_package_seats(demo_db, sam, cart_id, package.id, "ORCH-A-101",
                                        "ADULT", NOW, HOLD)
    assert named.value.code == "unknown_seat"
    assert claims(demo_db) == before
