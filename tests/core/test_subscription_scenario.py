"""The issue's scenario, end to end in core: a 6-performance series, 50 fixed
subscriptions and 30 flex passes sold, passes redeemed and one admission returned, a
subscriber's ticket exchanged, the series rolled forward, 35 renewed and the rest
released after the deadline: seat states, ticket codes, the report, the settlements and
the journal all agree."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from core.gate import codes
from core.gate import keys as gate_keys
from core.report_model import Scope
from core.reports.settlement import settle
from core.reports.subscriptions import subscriptions_report
from core.sales import carts, flex, orders, renewals, subscription_exchange, subscriptions
from core.sales.subscriptions import NewSubscriber
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database
from core.venue.inventory import seat_states
from core.venue.performances import copy_performance
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.dates import day_at
from tests.support.selling_helpers import HOLD, STATION, keep_on_sale, seat, user
from tests.support.subscription_helpers import FLEX_PRICE, flex_package, hall_series

NOW = FIXED_NOW
FLEX_TOTAL = (FLEX_PRICE[0] + FLEX_PRICE[1]) * 108 // 100


def cash(amount: int) -> list[Tender]:
    return [Tender("cash", amount, tendered_cents=amount)] if amount else []


def test_a_season_from_sale_to_renewal(demo_db: Database, tmp_path: Path) -> None:
    db = demo_db
    sam, cora = user(db, "sam"), user(db, "cora")
    made, fixed = hall_series(db, 6)
    shows = made.performance_ids

    # 50 fixed subscriptions, each the best seat left free at all six performances
    sold: list[int] = []
    for number in range(50):
        cart_id = carts.open_cart(db, sam, STATION, NOW, HOLD)
        cart = subscriptions.add_package_best(db, sam, cart_id, fixed.id, 1, "ADULT", NOW,
                                              HOLD)
        order, made_ids = subscriptions.sell_subscription(
            db, sam, cart_id, cash(cart.total_cents),
            customer_id=NewSubscriber(f"Subscriber {number:02d}"), station=STATION, now=NOW)
        assert len(order.tickets) == 6
        sold += made_ids
    seats = {s.id: s.seat_label for s in subscriptions.list_subscriptions(db)}
    assert len(set(seats.values())) == 50

    # 30 flex passes; each redeems two admissions (one seat, two performances)
    package = flex_package(db, made)
    passes = [flex.sell_flex_pass(db, sam, package.id, "ADULT", cash(FLEX_TOTAL),
                                  customer_id=NewSubscriber(f"Flex {n:02d}"),
                                  station=STATION, now=NOW) for n in range(30)]
    for n, one in enumerate(passes):
        label = f"BALC-{'ABCDEFG'[n % 7]}-{101 + n // 7}"
        for show in (shows[n % 6], shows[(n + 1) % 6]):
            flex.redeem(db, sam, one.id, show, seats=label, now=NOW)
    first_pass = orders.get_order(db, passes[0].order_id)
    returned = first_pass.tickets[0]
    flex.return_admission(db, cora, returned.id, reason="cannot come", now=NOW)

    # a subscriber swaps the third performance for another seat there (the core exchange,
    # under the package's rules: another zone's share, paid back in cash when cheaper)
    first_order = orders.get_order(db, db.execute(
        "SELECT order_id FROM subscriptions WHERE id = ?", [sold[0]]).fetchone()[0])
    old = next(t for t in first_order.tickets if t.performance_id == shows[2])
    swap = subscription_exchange.offer(db, sam, old.id, shows[2], seat="BALC-G-120",
                                       station=STATION, now=NOW, hold=HOLD)
    subscription_exchange.exchange_ticket(db, cora, swap, cash(max(0, swap.due_cents)),
                                          reason="cannot come that night", station=STATION,
                                          now=NOW)

    # next season: six new performances; every subscriber's seat held until the deadline
    later_shows = [copy_performance(db, cora, shows[0], day_at(200 + 7 * week, "19:30",
                                                               ZONE)) for week in range(6)]
    keep_on_sale(db, days=600)
    deadline = NOW + timedelta(days=30)
    rolled = renewals.roll_forward(db, cora, made.id, "Opera season 2028", later_shows,
                                   season="2028", deadline=deadline, now=NOW)
    assert (rolled.offered, rolled.unseated) == (50, ())
    offers = renewals.list_renewals(db, rolled.series.id)
    for offer in offers[:35]:
        assert offer.price_cents is not None
        renewals.renew(db, sam, offer.id, cash(offer.price_cents), station=STATION, now=NOW,
                       hold=HOLD)
    after = deadline + timedelta(minutes=1)
    assert renewals.release_unrenewed(db, cora, rolled.series.id, after) == 15

    # seat states: the 35 renewed seats sold at every new performance, the 15 free
    renewed = {offer.seat_label for offer in offers[:35]}
    for show in later_shows:
        states = seat_states(db, show, after)
        for label in seats.values():
            state = states.get(seat(db, show, label))
            if label in renewed:
                assert state is not None and state.state == "sold", (label, show)
            else:
                assert state is None, (label, show, state)
    assert db.execute("SELECT count(*) FROM seat_claims WHERE state = 'held' AND "
                      "hold_code_id IN (SELECT hold_code_id FROM renewals)").fetchone() == (0,)

    # codes: every live ticket verifies; the exchanged and the returned ones are revoked
    gate_keys.ensure_signing_key(db, tmp_path / "keys")
    signer = gate_keys.load_signer(db, tmp_path / "keys")
    public, revoked = gate_keys.public_keys(db), gate_keys.revoked_set(db)
    subscription_orders = [row[0] for row in db.execute(
        "SELECT id FROM orders WHERE channel = 'subscription'")]
    assert len(subscription_orders) == 50 + 30 + 35
    live = 0
    for order_id in subscription_orders:
        for ticket in orders.get_order(db, order_id).tickets:
            verdict = codes.verify_token(orders.ticket_code(signer, ticket), public, revoked)
            if ticket.status == "live":
                assert verdict.ok and verdict.ticket_id == ticket.id
                live += 1
            else:
                assert verdict.reason == "revoked", ticket
    assert live == 50 * 6 + 30 * 2 - 1 + 35 * 6       # the exchange swapped one for one

    # the report agrees
    report = subscriptions_report(db, Scope(ZONE, after))
    assert report.fact("Subscriptions") == 85
    assert report.fact("Flex passes") == 30
    assert report.fact("Flex admissions left") == 30 * 4 - 30 * 2 + 1
    assert report.fact("Renewal rate") == "70.0 %"
    [rate] = report.table("Renewals").rows
    assert rate[3:8] == (50, 35, 0, 15, 0)
    first_season = {row[2]: row for row in report.table("By series and package").rows
                    if row[0] == f"#{made.id} Opera seas"}
    assert first_season["FULL"][4:7] == (50, 0, 50 * 6)   # the exchanged one stays theirs
    assert first_season["FLEX4"][4:7] == (30, 0, 59)

    # settlements: each performance's subscription channel is its live subscription and
    # flex tickets, and the shares add up to what those tickets carry
    total_shares = 0
    for show in [*shows, *later_shows]:
        line = {x.key: x for x in settle(db, show, after).by_channel}.get("subscription")
        tickets_here = db.execute(
            "SELECT count(*), coalesce(sum(l.base_cents + l.fee_cents + l.tax_cents), 0) "
            "FROM tickets t JOIN orders o ON o.id = t.order_id JOIN order_lines l ON "
            "l.ticket_id = t.id WHERE t.performance_id = ? AND t.status = 'live' AND "
            "o.channel = 'subscription'", [show]).fetchone()
        assert (line.tickets, line.gross_cents) == tuple(tickets_here)
        total_shares += line.gross_cents
    unredeemed = sum(p.left for p in flex.list_passes(db)) * FLEX_TOTAL // 4
    paid = db.execute("SELECT sum(p.amount_cents) FROM payments p JOIN orders o ON "
                      "o.id = p.order_id WHERE o.channel = 'subscription' AND "
                      "p.status = 'approved'").fetchone()[0]
    assert abs(paid - (total_shares + unredeemed)) <= 30 * 4     # a cent per admission

    # money in the journal equals the payments, and the chain verifies
    money = sum(json.loads(row[0])["amount_cents"] for row in db.execute(
        "SELECT data FROM journal WHERE action = 'money'"))
    assert money == db.execute("SELECT sum(amount_cents) FROM payments WHERE "
                               "status = 'approved'").fetchone()[0]
    assert journal.verify_pinned(db).ok
