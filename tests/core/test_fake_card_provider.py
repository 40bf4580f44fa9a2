"""The in-memory fake provider the storefront's tests use for what localstripe lacks: it
must behave as Stripe does where the storefront depends on it (idempotency keys, declines,
signed events delivered twice or out of order, refunds), or those tests prove nothing."""

from __future__ import annotations

import pytest

from core.sales.card_provider import CardDeclined, CardProvider, ForgedEvent, ProviderError
from tests.support.fake_card_provider import DECLINED_CARD, FakeCardProvider


def test_the_same_idempotency_key_is_the_same_attempt() -> None:
    fake = FakeCardProvider()
    provider: CardProvider = fake
    first = provider.create_intent(5000, "USD", idempotency_key="order-1-attempt-1",
                                   metadata={"order": "1"})
    again = provider.create_intent(5000, "USD", idempotency_key="order-1-attempt-1",
                                   metadata={"order": "1"})
    assert again == first
    with pytest.raises(ProviderError) as reused:
        provider.create_intent(6000, "USD", idempotency_key="order-1-attempt-1",
                               metadata={"order": "1"})
    assert reused.value.code == "provider_rejected"
    other = provider.create_intent(5000, "USD", idempotency_key="order-1-attempt-2",
                                   metadata={"order": "1"})
    assert other.id != first.id


def test_a_declined_attempt_then_a_new_attempt_pays() -> None:
    fake = FakeCardProvider()
    first = fake.create_intent(5000, "USD", idempotency_key="a1", metadata={})
    fake.decline_next()
    with pytest.raises(CardDeclined, match="Your card was declined"):
        fake.pay(first.id)
    seen = fake.retrieve(first.id)
    assert (seen.status, seen.failure_code) == ("requires_payment_method", "card_declined")
    with pytest.raises(CardDeclined):
        fake.pay(first.id, DECLINED_CARD)            # Stripe's generic-decline test card
    second = fake.create_intent(5000, "USD", idempotency_key="a2", metadata={})
    token = fake.make_token()
    assert fake.confirm_card_token(second.id, token, idempotency_key="a2").succeeded
    assert fake.retrieve(second.id).succeeded and not fake.retrieve(first.id).succeeded


def test_events_verify_twice_and_out_of_order_and_forgeries_do_not() -> None:
    fake = FakeCardProvider()
    intent = fake.create_intent(2500, "USD", idempotency_key="k", metadata={"order": "3"})
    fake.decline_next()
    with pytest.raises(CardDeclined):
        fake.pay(intent.id)
    fake.pay(intent.id)
    failed, succeeded = fake.deliveries
    # out of order and twice: each verifies and reads the same; the caller dedups by id
    events = [fake.parse_event(*delivery) for delivery in (succeeded, failed, succeeded)]
    assert [e.type for e in events] == ["payment_intent.succeeded",
                                        "payment_intent.payment_failed",
                                        "payment_intent.succeeded"]
    assert events[0] == events[2] and events[0].id != events[1].id
    assert (events[0].intent_id, events[0].status, events[0].amount_cents) == (
        intent.id, "succeeded", 2500)
    assert events[1].failure_code == "card_declined"
    body, signature = succeeded
    for raw, header in ((body.replace(b"2500", b"25"), signature),
                        (body, fake.sign(body, secret="whsec_not_ours"))):
        with pytest.raises(ForgedEvent):
            fake.parse_event(raw, header)


def test_refunds_are_recorded_idempotent_and_never_more_than_paid() -> None:
    fake = FakeCardProvider()
    intent = fake.create_intent(3000, "USD", idempotency_key="k", metadata={})
    with pytest.raises(ProviderError):
        fake.refund(intent.id, 1000, idempotency_key="r0")     # nothing paid yet
    fake.pay(intent.id)
    first = fake.refund(intent.id, 1000, idempotency_key="r1")
    assert fake.refund(intent.id, 1000, idempotency_key="r1") == first    # a retry
    with pytest.raises(ProviderError) as too_much:
        fake.refund(intent.id, 2001, idempotency_key="r2")
    assert too_much.value.code == "provider_rejected"
    fake.refund(intent.id, 2000, idempotency_key="r3")
    assert [(r.intent_id, r.amount_cents) for r in fake.refunds] == [
        (intent.id, 1000), (intent.id, 2000)]
    assert fake.parse_event(*fake.deliveries[-1]).type == "charge.refunded"


def test_a_provider_that_is_down_says_so() -> None:
    fake = FakeCardProvider()
    fake.down = True
    with pytest.raises(ProviderError) as down:
        fake.create_intent(100, "USD", idempotency_key="k", metadata={})
    assert down.value.code == "provider_unavailable"
