"""Paying a web order by card, against the fake provider (idempotency honoured, declines,
signed events delivered twice, late or forged): only the provider's word marks an order
paid; a retry after a decline is a new attempt; a payment after the hold ran out re-claims
the seats or is refunded; the web drawer takes the money and closes each day with a Z."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.config import WebConfig
from core.sales import card_checkout, online
from core.sales.card_checkout import PaymentFailed
from core.sales.card_provider import CardDeclined, ForgedEvent
from core.sales.orders import get_order
from core.sales.reservations import Contact, web_order
from core.store import journal
from core.store.db import Database
from core.till import shifts
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.fake_card_provider import FakeCardProvider
from tests.support.selling_helpers import cart_with, hall_performance, seat, user

WEB = WebConfig()
RULES = online.OnlineRules.from_config(WEB)
PATRON = Contact("Rosa Diaz", "rosa@example.org")


def _order(db: Database, fake: FakeCardProvider, *labels: str
           ) -> card_checkout.Attempt:
    show = hall_performance(db)
    cart_id = online.add_seats(db, None, show, [seat(db, show, label) for label in labels],
                               RULES, FIXED_NOW)
    return card_checkout.start(db, cart_id, PATRON, fake, WEB, FIXED_NOW, currency="USD")


def _deliver(db: Database, fake: FakeCardProvider, index: int = -1,
             at: timedelta = timedelta(minutes=1)) -> card_checkout.Settled | None:
    body, signature = fake.deliveries[index]
    return card_checkout.handle_event(db, fake, body, signature, FIXED_NOW + at, zone=ZONE)


def test_the_webhook_pays_the_order_once_and_the_web_drawer_takes_it(
        demo_db: Database) -> None:
    fake = FakeCardProvider()
    attempt = _order(demo_db, fake, "ORCH-F-107", "ORCH-F-108")
    order = web_order(demo_db, attempt.order_id)
    assert order.status == "pending" and get_order(demo_db, order.id).tickets == ()
    fake.pay(attempt.intent_id)
    settled = _deliver(demo_db, fake)
    assert settled is not None and settled.outcome == "issued"
    paid = get_order(demo_db, order.id)
    assert paid.status == "complete" and len(paid.tickets) == 2
    assert paid.paid_cents == order.total_cents and paid.balance_cents == 0
    assert _deliver(demo_db, fake) is None                 # the same event again
    assert get_order(demo_db, order.id).paid_cents == order.total_cents
    # the browser's return finds it already paid (the webhook came first)
    assert card_checkout.check(demo_db, order.id, fake, FIXED_NOW + timedelta(minutes=2),
                               zone=ZONE).outcome == "already"
    account = online.web_account(demo_db)
    drawer = shifts.current_shift(demo_db, account.id)
    assert drawer is not None and drawer.station == "web"
    assert journal.verify(demo_db).ok


def test_a_forged_or_tampered_webhook_changes_nothing(demo_db: Database) -> None:
    fake = FakeCardProvider()
    attempt = _order(demo_db, fake, "ORCH-F-107")
    fake.pay(attempt.intent_id)
    body, signature = fake.deliveries[-1]
    for forged_body, forged_signature in (
            (body.replace(b'"succeeded"', b'"succeeded" '), signature),
            (body, fake.sign(body, secret="whsec_someone_else")),
            (b"not json at all", signature), (body, "")):
        with pytest.raises(ForgedEvent):
            card_checkout.handle_event(demo_db, fake, forged_body, forged_signature,
                                       FIXED_NOW, zone=ZONE)
    assert web_order(demo_db, attempt.order_id).status == "pending"
    assert demo_db.execute("SELECT count(*) FROM provider_events").fetchone()[0] == 0


def test_a_declined_card_is_retried_with_a_new_attempt(demo_db: Database) -> None:
    fake = FakeCardProvider()
    first = _order(demo_db, fake, "ORCH-F-107")
    with pytest.raises(CardDeclined):
        fake.pay(first.intent_id, "4000000000000002")
    assert _deliver(demo_db, fake) is None                 # payment_failed: noted
    status = demo_db.execute("SELECT status FROM payment_attempts WHERE id = ?",
                             [first.id]).fetchone()[0]
    assert status == "failed"
    second = card_checkout.attempt(demo_db, first.order_id, fake, FIXED_NOW, currency="USD")
    assert second.intent_id != first.intent_id
    keys = [row[0] for row in demo_db.execute(
        "SELECT idempotency_key FROM payment_attempts ORDER BY id")]
    assert len(set(keys)) == 2
    fake.pay(second.intent_id)
    # no webhook yet: the patron's return asks the provider itself
    checked = card_checkout.check(demo_db, first.order_id, fake,
                                  FIXED_NOW + timedelta(minutes=3), zone=ZONE)
    assert checked.outcome == "issued"
    settled_late = _deliver(demo_db, fake)                 # the webhook, after the return
    assert settled_late is not None and settled_late.outcome == "already"
    assert get_order(demo_db, first.order_id).paid_cents == checked.order.total_cents


def test_a_late_payment_reclaims_free_seats_or_is_refunded(demo_db: Database) -> None:
    fake = FakeCardProvider()
    show = hall_performance(demo_db)
    kept = _order(demo_db, fake, "ORCH-F-107")
    lost = _order(demo_db, fake, "ORCH-F-109")
    after = FIXED_NOW + timedelta(minutes=WEB.payment_minutes + 5)
    # the holds ran out; a window sells F-109 meanwhile
    cart_with(demo_db, user(demo_db, "sam"), show, ["ORCH-F-109"], after)
    fake.pay(kept.intent_id)
    fake.pay(lost.intent_id)
    first = _deliver(demo_db, fake, -2, at=after - FIXED_NOW)
    second = _deliver(demo_db, fake, -1, at=after - FIXED_NOW)
    assert first is not None and first.outcome == "issued"
    assert len(get_order(demo_db, kept.order_id).tickets) == 1
    assert second is not None and second.outcome == "refunded"
    refunded = get_order(demo_db, lost.order_id)
    assert refunded.status == "cancelled" and refunded.tickets == ()
    assert refunded.paid_cents == 0                       # paid, then paid back
    assert [r.intent_id for r in fake.refunds] == [lost.intent_id]


def test_the_provider_being_down_gives_the_cart_back(demo_db: Database) -> None:
    fake = FakeCardProvider()
    show = hall_performance(demo_db)
    cart_id = online.add_seats(demo_db, None, show, [seat(demo_db, show, "ORCH-F-107")],
                               RULES, FIXED_NOW)
    fake.down = True
    with pytest.raises(PaymentFailed) as refused:
        card_checkout.start(demo_db, cart_id, PATRON, fake, WEB, FIXED_NOW, currency="USD")
    assert refused.value.code == "provider_unavailable"
    assert online.live_cart(demo_db, cart_id, FIXED_NOW) == cart_id
    fake.down = False
    attempt = card_checkout.start(demo_db, cart_id, PATRON, fake, WEB, FIXED_NOW,
                                  currency="USD")
    assert web_order(demo_db, attempt.order_id).status == "pending"


def test_each_day_of_web_sales_closes_with_its_own_z(demo_db: Database) -> None:
    fake = FakeCardProvider()
    today = _order(demo_db, fake, "ORCH-F-107")
    fake.pay(today.intent_id)
    _deliver(demo_db, fake)
    tomorrow = _order(demo_db, fake, "ORCH-F-108")
    fake.pay(tomorrow.intent_id)
    settled = card_checkout.settle(demo_db, fake, tomorrow.intent_id,
                                   tomorrow.amount_cents, FIXED_NOW + timedelta(days=1),
                                   zone=ZONE)
    assert settled.outcome == "issued"
    account = online.web_account(demo_db)
    closed = [s for s in shifts.list_shifts(demo_db) if s.user_id == account.id
              and s.status == "closed"]
    assert len(closed) == 1 and closed[0].z_number is not None
    z = shifts.get_z_report(demo_db, closed[0].z_number)
    assert z.shift_id == closed[0].id


def test_the_window_refunds_an_online_order_back_to_the_card(demo_db: Database) -> None:
    from core.sales import aftersale
    from core.sales.orders import OrderError

    fake = FakeCardProvider()
    attempt = _order(demo_db, fake, "ORCH-F-107", "ORCH-F-108")
    fake.pay(attempt.intent_id)
    _deliver(demo_db, fake)
    cora = user(demo_db, "cora")
    order = get_order(demo_db, attempt.order_id)
    first = order.tickets[0]
    later = FIXED_NOW + timedelta(hours=2)
    with pytest.raises(OrderError) as without:
        aftersale.refund(demo_db, cora, order.id, reason="changed plans", station="window-1",
                         now=later, ticket_ids=[first.id])
    assert without.value.code == "paid_online"
    with pytest.raises(OrderError) as voided:
        aftersale.void(demo_db, cora, order.id, reason="oops", station="window-1", now=later,
                       zone=ZONE)
    assert voided.value.code == "paid_online"
    fake.down = True
    with pytest.raises(PaymentFailed):
        aftersale.refund(demo_db, cora, order.id, reason="changed plans", station="window-1",
                         now=later, ticket_ids=[first.id], provider=fake, zone=ZONE)
    assert get_order(demo_db, order.id).tickets[0].status == "live"
    fake.down = False
    after = aftersale.refund(demo_db, cora, order.id, reason="changed plans",
                             station="window-1", now=later, ticket_ids=[first.id],
                             provider=fake, zone=ZONE)
    assert [t.status for t in after.tickets] == ["refunded", "live"]
    each = first.base_cents + first.fee_cents + first.tax_cents
    assert [(r.intent_id, r.amount_cents) for r in fake.refunds] == [
        (attempt.intent_id, each)]
    assert after.paid_cents == order.paid_cents - each
    # the refund came out of the web drawer, not the window's
    account = online.web_account(demo_db)
    assert demo_db.execute("SELECT count(*) FROM payments WHERE user_id = ? AND "
                           "amount_cents < 0", [account.id]).fetchone()[0] == 1
    assert journal.verify(demo_db).ok
