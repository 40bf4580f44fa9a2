"""Card payments through a provider (Stripe) for the web storefront: an interface and the
Stripe implementation over the official `stripe` package. No database here: the checkout
decides what an intent or an event means for an order (docs/payments.md).

The rules the storefront builds on:
- Money is integer cents; a currency is an upper-case ISO code ("USD").
- An intent is created once per payment attempt, with an idempotency key per attempt: a
  retry after a decline is a new attempt with a new key; a network retry of the same
  attempt reuses its key, so it cannot charge twice.
- Only a verified event (`parse_event`: the signature checked on the raw body, the
  timestamp within five minutes) or a server-side `retrieve` tells that money moved;
  the browser's word never does. Events may come twice or out of order: the caller keeps
  their ids and acts on each once, and reads the intent when in doubt.
- Errors are `ProviderError`s with stable codes (`provider_unavailable`,
  `provider_rejected`, `provider_auth`, `card_declined`, `bad_request`) or `ForgedEvent`
  (`forged_event`); no message carries a secret key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from core import clock
from core.config import STRIPE_JS_URL, Config
from core.errors import BoxOfficeError

if TYPE_CHECKING:
    # Imported where used, not here: `stripe` imports httpx, whose command line loads rich,
    # and importing a core module must load no UI library (tests/test_import_hygiene.py).
    import stripe

# Stripe's own tolerance for a webhook's signed timestamp (stripe.Webhook.DEFAULT_TOLERANCE)
EVENT_TOLERANCE_SECONDS = 300
# Stripe's limits on metadata: 50 keys, keys of 40 characters, values of 500
_METADATA_KEYS, _METADATA_KEY_LENGTH, _METADATA_VALUE_LENGTH = 50, 40, 500
_KEY_LENGTH = 240
_SECRET = re.compile(r"\b(sk|rk|whsec)_[A-Za-z0-9_*]+")


@dataclass(frozen=True)
class Intent:
    """One payment attempt at the provider. `status` is the provider's own word
    ("requires_payment_method", "requires_action", "processing", "succeeded",
    "canceled", ...); a declined attempt is back at "requires_payment_method" with
    `failure_code` and `failure_message` (the provider's text, fit for the patron)."""

    id: str
    client_secret: str
    status: str
    amount_cents: int
    currency: str
    metadata: dict[str, str]
    failure_code: str = ""
    failure_message: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"


@dataclass(frozen=True)
class ProviderEvent:
    """A verified event about an intent. `type` is the provider's ("payment_intent.
    succeeded", "payment_intent.payment_failed", "charge.refunded", ...); `intent_id` is
    "" for an event about something else. `created` is the provider's Unix time, for
    ordering events that arrive out of order."""

    id: str
    type: str
    intent_id: str
    status: str
    amount_cents: int
    metadata: dict[str, str]
    failure_code: str = ""
    created: int = 0


class ProviderError(BoxOfficeError):
    """The provider could not do it: `provider_unavailable` (network down, timeout, its
    own trouble, too many requests: try again), `provider_rejected` (it refused the
    request), `provider_auth` (our keys are wrong), `bad_request` (our arguments)."""

    code = "provider_unavailable"


class CardDeclined(ProviderError):
    """The card was declined; the message is the provider's, fit for the patron. Another
    attempt (a new idempotency key) with another card may succeed."""

    code = "card_declined"


class ForgedEvent(BoxOfficeError):
    """An event that is not the provider's: no or a wrong signature, a stale timestamp
    (a replay), or a body that is not an event."""

    code = "forged_event"


class CardProvider(Protocol):
    name: str
    publishable_key: str
    js_url: str

    def create_intent(self, amount_cents: int, currency: str, *, idempotency_key: str,
                      metadata: Mapping[str, str]) -> Intent: ...

    def retrieve(self, intent_id: str) -> Intent: ...

    def refund(self, intent_id: str, amount_cents: int, *, idempotency_key: str) -> str: ...

    def parse_event(self, raw_body: bytes, signature_header: str) -> ProviderEvent: ...

    def confirm_card_token(self, intent_id: str, token_id: str, *,
                           idempotency_key: str) -> Intent: ...


class StripeProvider:
    """Stripe's PaymentIntents through a `stripe.StripeClient`. `api_base` points it at a
    stand-in (localstripe in the tests); `clock` is what a webhook's timestamp is judged
    against (core.clock.now unless a test hands in another)."""

    name = "stripe"

    def __init__(self, *, secret_key: str, publishable_key: str, webhook_secret: str,
                 api_base: str = "", js_url: str = "", currency: str = "USD",
                 clock: Callable[[], datetime] = clock.now, timeout_seconds: float = 20,
                 max_network_retries: int = 2) -> None:
        self.publishable_key = publishable_key
        self.js_url = js_url or STRIPE_JS_URL
        self.currency = currency
        self._secret_key = secret_key
        self._webhook_secret = webhook_secret
        self._clock = clock
        import stripe

        addresses: dict[str, str] = {"api": api_base} if api_base else {}
        self._client = stripe.StripeClient(
            secret_key, base_addresses=addresses,  # type: ignore[arg-type]
            max_network_retries=max_network_retries,
            http_client=stripe.RequestsClient(timeout=timeout_seconds))

    def __repr__(self) -> str:
        return f"StripeProvider(publishable_key={self.publishable_key!r})"

    def create_intent(self, amount_cents: int, currency: str, *, idempotency_key: str,
                      metadata: Mapping[str, str]) -> Intent:
        """A new PaymentIntent for `amount_cents`, paid by card in the browser. The same
        `idempotency_key` again returns the same intent (Stripe keeps keys for 24 hours).
        Raises ProviderError (bad_request for a bad amount, currency, key or metadata)."""
        _check_amount(amount_cents)
        _check_key(idempotency_key)
        if len(currency) != 3 or not currency.isalpha():
            raise ProviderError(f"{currency!r} is not a currency code", code="bad_request")
        clean = _check_metadata(metadata)
        params: dict[str, Any] = {
            "amount": amount_cents, "currency": currency.lower(), "metadata": clean,
            "payment_method_types": ["card"]}
        intent = self._call("create the payment", lambda: self._client.v1.payment_intents
                            .create(params=params,  # type: ignore[arg-type]
                                    options={"idempotency_key": idempotency_key}))
        return _intent(intent)

    def retrieve(self, intent_id: str) -> Intent:
        """The intent as the provider has it now (the server-side check of a payment)."""
        _check_id(intent_id, "pi_")
        return _intent(self._call("read the payment",
                                  lambda: self._client.v1.payment_intents.retrieve(intent_id)))

    def refund(self, intent_id: str, amount_cents: int, *, idempotency_key: str) -> str:
        """Give back `amount_cents` of a succeeded intent; returns the refund's id. The
        same `idempotency_key` again does not refund twice."""
        _check_id(intent_id, "pi_")
        _check_amount(amount_cents)
        _check_key(idempotency_key)
        refund = self._call("refund the payment", lambda: self._client.v1.refunds.create(
            params={"payment_intent": intent_id, "amount": amount_cents},
            options={"idempotency_key": idempotency_key}))
        return str(refund.id)

    def confirm_card_token(self, intent_id: str, token_id: str, *,
                           idempotency_key: str) -> Intent:
        """Confirm an intent on the server with a card token made in the browser
        (Stripe.js `createToken`): the way localstripe's stand-in stripe.js pays, since
        it cannot confirm an intent itself. Real Stripe.js confirms in the browser with
        the Payment Element and does not need it. Raises CardDeclined on a decline."""
        _check_id(intent_id, "pi_")
        _check_id(token_id, "tok_")
        _check_key(idempotency_key)
        token = self._call("read the card", lambda: self._client.v1.tokens.retrieve(token_id))
        card = getattr(token, "card", None)
        if card is None:
            raise ProviderError("the token holds no card", code="bad_request")
        self._call("attach the card", lambda: self._client.v1.payment_intents.update(
            intent_id, params={"payment_method": str(card.id)},
            options={"idempotency_key": f"{idempotency_key}-attach"}))
        return _intent(self._call("confirm the payment", lambda: self._client.v1
                                  .payment_intents.confirm(intent_id, options={
                                      "idempotency_key": f"{idempotency_key}-confirm"})))

    def parse_event(self, raw_body: bytes, signature_header: str) -> ProviderEvent:
        """The event in a webhook's raw body once verified (see verify_event)."""
        return verify_event(raw_body, signature_header, secret=self._webhook_secret,
                            now=self._clock())

    def _call(self, doing: str, call: Callable[[], Any]) -> Any:
        import stripe

        try:
            return call()
        except stripe.StripeError as exc:
            raise _translate(exc, doing, self._secret_key) from None


def provider_from_config(config: Config) -> CardProvider | None:
    """The provider [payments] configures, or None when there is none (the storefront
    then offers only paying at the box office). The config is already validated."""
    payments = config.payments
    if payments.provider != "stripe":
        return None
    return StripeProvider(
        secret_key=payments.secret_key, publishable_key=payments.publishable_key,
        webhook_secret=payments.webhook_secret, api_base=payments.api_base,
        js_url=payments.js_url, currency=payments.currency or config.venue.currency)


def verify_event(raw_body: bytes, signature_header: str, *, secret: str,
                 now: datetime) -> ProviderEvent:
    """The event in a webhook's raw body, once its Stripe-Signature header (`t=<unix
    time>,v1=<HMAC-SHA256 of "t.body" under the webhook secret>`) is verified by the
    `stripe` package and its timestamp is within five minutes of `now`. Raises ForgedEvent
    otherwise. A replay inside the five minutes passes here: the caller's record of event
    ids makes it harmless."""
    import stripe

    try:
        stripe.WebhookSignature.verify_header(raw_body, signature_header, secret,
                                              tolerance=None)
    except stripe.SignatureVerificationError as exc:
        raise ForgedEvent("the event's signature does not verify") from exc
    except (UnicodeDecodeError, ValueError, IndexError) as exc:
        raise ForgedEvent("the event's body or signature is garbled") from exc
    stamp = _signed_at(signature_header)
    drift = abs(now.timestamp() - stamp)
    if drift > EVENT_TOLERANCE_SECONDS:
        raise ForgedEvent(f"the event was signed {drift:.0f} s away from now "
                          f"(more than {EVENT_TOLERANCE_SECONDS}): a replay?")
    return _event_from_json(raw_body)


def _event_from_json(raw_body: bytes) -> ProviderEvent:
    try:
        event = json.loads(raw_body)
        thing = event["data"]["object"]
        if not isinstance(thing, dict):
            raise TypeError("data.object is not an object")
        if thing.get("object") == "payment_intent":
            intent_id = str(thing["id"])
        else:
            intent_id = str(thing.get("payment_intent") or "")
        failure = thing.get("last_payment_error") or {}
        return ProviderEvent(
            id=str(event["id"]), type=str(event["type"]), intent_id=intent_id,
            status=str(thing.get("status") or ""), amount_cents=int(thing.get("amount") or 0),
            metadata={str(k): str(v) for k, v in (thing.get("metadata") or {}).items()},
            failure_code=str(failure.get("code") or "") if isinstance(failure, dict) else "",
            created=int(event.get("created") or 0))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ForgedEvent("the body is not a provider's event") from exc


def _intent(found: Any) -> Intent:
    intent: dict[str, Any] = found.to_dict()
    failure = intent.get("last_payment_error") or {}
    return Intent(
        id=str(intent["id"]), client_secret=str(intent.get("client_secret") or ""),
        status=str(intent["status"]), amount_cents=int(intent["amount"]),
        currency=str(intent["currency"]).upper(),
        metadata={str(k): str(v) for k, v in (intent.get("metadata") or {}).items()},
        failure_code=str(failure.get("decline_code") or failure.get("code") or ""),
        failure_message=str(failure.get("message") or ""))


def _translate(exc: stripe.StripeError, doing: str, secret_key: str) -> ProviderError:
    import stripe

    said = _scrub(exc.user_message or str(exc) or type(exc).__name__, secret_key)
    if isinstance(exc, stripe.CardError):
        return CardDeclined(said or "The card was declined.")
    if isinstance(exc, stripe.APIConnectionError):
        return ProviderError(f"Cannot reach the payment provider to {doing}; "
                             "try again in a moment.")
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        return ProviderError(f"The payment provider refused our keys when asked to {doing} "
                             "([payments] secret_key).", code="provider_auth")
    if isinstance(exc, stripe.RateLimitError) or (exc.http_status or 500) >= 500:
        return ProviderError(f"The payment provider is busy or failing; could not {doing}: "
                             f"{said}")
    return ProviderError(f"The payment provider refused to {doing}: {said}",
                         code="provider_rejected")


def _scrub(text: str, secret_key: str = "") -> str:
    """`text` with every key-like secret (sk_, rk_, whsec_) and `secret_key` blanked."""
    if secret_key:
        text = text.replace(secret_key, "[secret]")
    return _SECRET.sub("[secret]", text)


def _signed_at(header: str) -> int:
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        if name == "t" and value.isdigit():
            return int(value)
    raise ForgedEvent("the event's signature has no timestamp")


def _check_amount(amount_cents: int) -> None:
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        raise ProviderError(f"an amount must be a positive number of cents, not "
                            f"{amount_cents!r}", code="bad_request")


def _check_key(idempotency_key: str) -> None:
    # Stripe takes keys of up to 255 characters; confirm_card_token adds "-confirm"
    if not idempotency_key or len(idempotency_key) > _KEY_LENGTH:
        raise ProviderError(f"a payment attempt needs an idempotency key of 1 to {_KEY_LENGTH} "
                            "characters", code="bad_request")


def _check_id(value: str, prefix: str) -> None:
    if not value.startswith(prefix) or not value[len(prefix):].replace("_", "").isalnum():
        raise ProviderError(f"{value!r} is not a {prefix}... id", code="bad_request")


def _check_metadata(metadata: Mapping[str, str]) -> dict[str, str]:
    if len(metadata) > _METADATA_KEYS:
        raise ProviderError(f"at most {_METADATA_KEYS} metadata keys", code="bad_request")
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str) or not key \
                or len(key) > _METADATA_KEY_LENGTH or len(value) > _METADATA_VALUE_LENGTH:
            raise ProviderError(f"metadata {key!r}: keys of 1-{_METADATA_KEY_LENGTH} and "
                                f"values of up to {_METADATA_VALUE_LENGTH} characters",
                                code="bad_request")
    return dict(metadata)
