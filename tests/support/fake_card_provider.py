"""An in-memory CardProvider for the paths localstripe lacks (it ignores idempotency keys):
idempotent intents and refunds, a declined attempt, the provider being down, and signed
events (Stripe's own signature scheme, so the real `verify_event` checks them) that a
test can deliver twice, late, out of order or tampered.

The test plays the browser and the provider's dashboard:

    fake = FakeCardProvider()
    intent = fake.create_intent(2500, "USD", idempotency_key="order-7-attempt-1", metadata={})
    fake.decline_next()                       # the patron's first card is declined
    fake.pay(intent.id)                       # -> CardDeclined; the intent wants a new card
    fake.pay(intent.id)                       # succeeds; an event is queued
    body, signature = fake.deliveries[-1]     # POST these to the webhook endpoint
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

import stripe

from core import clock
from core.sales.card_provider import (
    CardDeclined,
    Intent,
    ProviderError,
    ProviderEvent,
    verify_event,
)

WEBHOOK_SECRET = "whsec_fake_card_provider"
DECLINED_CARD = "4000000000000002"     # Stripe's "generic decline" test card
GOOD_CARD = "4242424242424242"


@dataclass
class _Attempt:
    intent: Intent
    key: str
    refunded_cents: int = 0
    events: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Refund:
    id: str
    intent_id: str
    amount_cents: int


class FakeCardProvider:
    """A CardProvider whose provider side the test drives (see the module's docstring)."""

    name = "fake"
    publishable_key = "pk_test_fake_card_provider"
    js_url = ""

    def __init__(self, *, webhook_secret: str = WEBHOOK_SECRET,
                 clock: Callable[[], datetime] = clock.now) -> None:
        self.webhook_secret = webhook_secret
        self._clock = clock
        self._ids = itertools.count(1)
        self._attempts: dict[str, _Attempt] = {}
        self._by_key: dict[str, tuple[str, tuple[object, ...]]] = {}
        self._refund_keys: dict[str, tuple[Refund, tuple[object, ...]]] = {}
        self._tokens: dict[str, str] = {}
        self._decline: tuple[str, str] | None = None
        self.down = False                           # every call: provider_unavailable
        self.refunds: list[Refund] = []
        self.deliveries: list[tuple[bytes, str]] = []   # (raw body, Stripe-Signature)
        self.calls: list[str] = []                  # what the provider was asked, in order

    # the CardProvider interface

    def create_intent(self, amount_cents: int, currency: str, *, idempotency_key: str,
                      metadata: Mapping[str, str]) -> Intent:
        self._called("create_intent")
        if amount_cents <= 0 or not idempotency_key:
            raise ProviderError("bad amount or key", code="bad_request")
        request = (amount_cents, currency.upper(), tuple(sorted(metadata.items())))
        if idempotency_key in self._by_key:
            intent_id, earlier = self._by_key[idempotency_key]
            if earlier != request:     # as Stripe: a key reused for another request
                raise ProviderError("The payment provider refused to create the payment: "
                                    "idempotency key reused with other parameters",
                                    code="provider_rejected")
            return self._attempts[intent_id].intent
        number = next(self._ids)
        intent = Intent(id=f"pi_fake{number}", client_secret=f"pi_fake{number}_secret_x",
                        status="requires_payment_method", amount_cents=amount_cents,
                        currency=currency.upper(), metadata=dict(metadata))
        self._attempts[intent.id] = _Attempt(intent=intent, key=idempotency_key)
        self._by_key[idempotency_key] = (intent.id, request)
        return intent

    def retrieve(self, intent_id: str) -> Intent:
        self._called("retrieve")
        return self._attempt(intent_id).intent

    def refund(self, intent_id: str, amount_cents: int, *, idempotency_key: str) -> str:
        self._called("refund")
        request = (intent_id, amount_cents)
        if idempotency_key in self._refund_keys:
            done, earlier = self._refund_keys[idempotency_key]
            if earlier != request:
                raise ProviderError("refund key reused", code="provider_rejected")
            return done.id
        attempt = self._attempt(intent_id)
        left = attempt.intent.amount_cents - attempt.refunded_cents
        if not attempt.intent.succeeded or not 0 < amount_cents <= left:
            raise ProviderError(f"The payment provider refused to refund the payment: "
                                f"{amount_cents} of {left} refundable",
                                code="provider_rejected")
        attempt.refunded_cents += amount_cents
        refund = Refund(id=f"re_fake{next(self._ids)}", intent_id=intent_id,
                        amount_cents=amount_cents)
        self.refunds.append(refund)
        self._refund_keys[idempotency_key] = (refund, request)
        self._emit("charge.refunded", attempt.intent)
        return refund.id

    def parse_event(self, raw_body: bytes, signature_header: str) -> ProviderEvent:
        return verify_event(raw_body, signature_header, secret=self.webhook_secret,
                            now=self._clock())

    def confirm_card_token(self, intent_id: str, token_id: str, *,
                           idempotency_key: str) -> Intent:
        self._called("confirm_card_token")
        if token_id not in self._tokens:
            raise ProviderError(f"no such token {token_id}", code="provider_rejected")
        return self.pay(intent_id, self._tokens[token_id])

    # the provider's side, driven by the test

    def make_token(self, card: str = GOOD_CARD) -> str:
        """A card token, as Stripe.js createToken would make in the browser."""
        token = f"tok_fake{next(self._ids)}"
        self._tokens[token] = card
        return token

    def decline_next(self, code: str = "card_declined",
                     message: str = "Your card was declined.") -> None:
        """The next payment attempt (pay, confirm_card_token) is declined."""
        self._decline = (code, message)

    def pay(self, intent_id: str, card: str = GOOD_CARD) -> Intent:
        """The patron confirms in the browser: the intent succeeds (and an event is
        queued), or is declined (CardDeclined; the intent wants another card)."""
        attempt = self._attempt(intent_id)
        if attempt.intent.status not in ("requires_payment_method", "requires_confirmation"):
            raise ProviderError(f"the payment is {attempt.intent.status}",
                                code="provider_rejected")
        if self._decline is not None or card == DECLINED_CARD:
            code, message = self._decline or ("card_declined", "Your card was declined.")
            self._decline = None
            attempt.intent = replace(attempt.intent, status="requires_payment_method",
                                     failure_code=code, failure_message=message)
            self._emit("payment_intent.payment_failed", attempt.intent)
            raise CardDeclined(message)
        attempt.intent = replace(attempt.intent, status="succeeded", failure_code="",
                                 failure_message="")
        self._emit("payment_intent.succeeded", attempt.intent)
        return attempt.intent

    def sign(self, raw_body: bytes, *, at: datetime | None = None,
             secret: str | None = None) -> str:
        """A Stripe-Signature header for `raw_body`, signed at `at` (the clock's now)."""
        stamp = int((at or self._clock()).timestamp())
        return str(stripe.WebhookSignature.generate_signature_header(
            raw_body.decode(), secret or self.webhook_secret, timestamp=stamp))

    def event_body(self, event_type: str, intent_id: str, *, event_id: str = "") -> bytes:
        """An event about an intent as it is now, as Stripe would send it."""
        intent = self._attempt(intent_id).intent
        return _body(event_id or f"evt_fake{next(self._ids)}", event_type, intent,
                     int(self._clock().timestamp()))

    # inner workings

    def _emit(self, event_type: str, intent: Intent) -> None:
        body = _body(f"evt_fake{next(self._ids)}", event_type, intent,
                     int(self._clock().timestamp()))
        self.deliveries.append((body, self.sign(body)))

    def _attempt(self, intent_id: str) -> _Attempt:
        if intent_id not in self._attempts:
            raise ProviderError(f"The payment provider refused to read the payment: no "
                                f"such payment {intent_id}", code="provider_rejected")
        return self._attempts[intent_id]

    def _called(self, what: str) -> None:
        self.calls.append(what)
        if self.down:
            raise ProviderError("Cannot reach the payment provider; try again in a moment.")


def _body(event_id: str, event_type: str, intent: Intent, created: int) -> bytes:
    thing = {"id": intent.id, "object": "payment_intent", "status": intent.status,
             "amount": intent.amount_cents, "currency": intent.currency.lower(),
             "metadata": intent.metadata,
             "last_payment_error": ({"code": intent.failure_code,
                                     "message": intent.failure_message}
                                    if intent.failure_code else None)}
    if event_type.startswith("charge."):
        thing = {"id": f"ch_{intent.id}", "object": "charge", "payment_intent": intent.id,
                 "status": "succeeded", "amount": intent.amount_cents,
                 "metadata": intent.metadata}
    return json.dumps({"id": event_id, "object": "event", "type": event_type,
                       "created": created, "data": {"object": thing}},
                      indent=2, sort_keys=True).encode()
