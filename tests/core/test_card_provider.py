"""The card provider: Stripe through the `stripe` package against a real localstripe on
127.0.0.1 (payment, refund, a signed webhook, a decline, errors), against a tiny recording
server where localstripe cannot tell (idempotency keys, the provider failing), and the
[payments] config."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core import clock
from core.config import Config, load_config, parse_config
from core.errors import ConfigError
from core.sales.card_provider import (
    CardDeclined,
    CardProvider,
    ForgedEvent,
    ProviderError,
    StripeProvider,
    provider_from_config,
)
from tests.support import localstripe as harness
from tests.support.constants import FIXED_NOW
from tests.support.gate_server import free_port
from tests.support.localstripe import (
    PUBLISHABLE_KEY,
    SECRET_KEY,
    LocalStripe,
    WebhookReceiver,
)

WEBHOOK_SECRET = "whsec_test_card_provider"
GOOD_CARD, DECLINING_CARD, AUTH_CARD = "4242424242424242", "4000000000000341", "4000002500003155"


def stripe_at(server: LocalStripe, **options: object) -> StripeProvider:
    return StripeProvider(secret_key=SECRET_KEY, publishable_key=PUBLISHABLE_KEY,
                          webhook_secret=WEBHOOK_SECRET, api_base=server.url,
                          js_url=server.js_url, max_network_retries=0,
                          **options)  # type: ignore[arg-type]


def card_token(server: LocalStripe, number: str) -> str:
    """What Stripe.js's createToken does in the browser: the card goes to the provider
    with the publishable key, and only the token comes back to our page."""
    answer = server.api("POST", "/v1/tokens", {
        "card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2031",
        "card[cvc]": "123", "key": PUBLISHABLE_KEY}, key=PUBLISHABLE_KEY)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def intents_at(server: LocalStripe) -> int:
    return len(server.api("GET", "/v1/payment_intents").json()["data"])


def test_a_card_payment_succeeds_and_is_refunded(localstripe: LocalStripe) -> None:
    provider: CardProvider = stripe_at(localstripe)
    intent = provider.create_intent(9500, "USD", idempotency_key="order-41-attempt-1",
                                    metadata={"order": "41", "attempt": "1"})
    assert intent.status == "requires_payment_method"
    assert intent.client_secret.startswith(f"{intent.id}_secret_")
    assert (intent.amount_cents, intent.currency) == (9500, "USD")
    assert intent.metadata == {"order": "41", "attempt": "1"}
    assert not provider.retrieve(intent.id).succeeded      # nothing paid yet

    paid = provider.confirm_card_token(intent.id, card_token(localstripe, GOOD_CARD),
                                       idempotency_key="order-41-attempt-1")
    assert paid.succeeded
    seen = provider.retrieve(intent.id)                     # the server-side check
    assert (seen.status, seen.amount_cents, seen.metadata["order"]) == ("succeeded", 9500, "41")

    refund_id = provider.refund(intent.id, 2500, idempotency_key="order-41-refund-1")
    assert refund_id.startswith("re_")
    refunds = localstripe.api("GET", f"/v1/refunds?payment_intent={intent.id}").json()["data"]
    assert [(r["id"], r["amount"]) for r in refunds] == [(refund_id, 2500)]


def test_a_declined_card_is_clear_and_a_new_attempt_pays(localstripe: LocalStripe) -> None:
    """localstripe declines 4000 0000 0000 0341 when charged (Stripe's "attaches, then
    declines"); it charges 4000 0000 0000 0002 (it declines that one only when the card
    is saved to a customer), so the generic decline is the fake provider's test."""
    provider = stripe_at(localstripe)
    first = provider.create_intent(4000, "USD", idempotency_key="order-42-attempt-1",
                                   metadata={"order": "42"})
    with pytest.raises(CardDeclined) as declined:
        provider.confirm_card_token(first.id, card_token(localstripe, DECLINING_CARD),
                                    idempotency_key="order-42-attempt-1")
    assert declined.value.code == "card_declined"
    assert str(declined.value) == "Your card was declined."
    after = provider.retrieve(first.id)
    assert (after.status, after.failure_code) == ("requires_payment_method", "card_declined")
    assert after.failure_message == "Your card was declined."

    second = provider.create_intent(4000, "USD", idempotency_key="order-42-attempt-2",
                                    metadata={"order": "42"})
    assert second.id != first.id
    assert provider.confirm_card_token(second.id, card_token(localstripe, GOOD_CARD),
                                       idempotency_key="order-42-attempt-2").succeeded


def test_a_card_that_wants_authentication_waits_for_the_patron(
        localstripe: LocalStripe) -> None:
    provider = stripe_at(localstripe)
    intent = provider.create_intent(1500, "USD", idempotency_key="order-43-attempt-1",
                                    metadata={})
    waiting = provider.confirm_card_token(intent.id, card_token(localstripe, AUTH_CARD),
                                          idempotency_key="order-43-attempt-1")
    assert waiting.status == "requires_action" and not waiting.succeeded
    # the patron completes 3-D Secure in the browser (stripe.js, with the client secret)
    answer = localstripe.api("POST", f"/v1/payment_intents/{intent.id}/_authenticate"
                             "?success=true", {"key": PUBLISHABLE_KEY,
                                               "client_secret": intent.client_secret},
                             key=PUBLISHABLE_KEY)
    assert answer.status_code == 200, answer.text
    assert provider.retrieve(intent.id).succeeded


@pytest.mark.no_pinned_clock
def test_a_webhook_from_localstripe_verifies_and_a_tampered_one_does_not(
        localstripe: LocalStripe) -> None:
    """localstripe signs its events with the real time: this test runs on the real clock."""
    provider = stripe_at(localstripe)
    with WebhookReceiver() as receiver:
        localstripe.register_webhook("card-provider-test", receiver.url, WEBHOOK_SECRET,
                                     events=["payment_intent.succeeded"])
        intent = provider.create_intent(2200, "USD", idempotency_key="order-44-attempt-1",
                                        metadata={"order": "44"})
        provider.confirm_card_token(intent.id, card_token(localstripe, GOOD_CARD),
                                    idempotency_key="order-44-attempt-1")
        body, signature = receiver.wait_for("payment_intent.succeeded", intent.id)
    event = provider.parse_event(body, signature)
    assert event.type == "payment_intent.succeeded"
    assert event.id.startswith("evt_")
    assert (event.intent_id, event.status, event.amount_cents) == (intent.id, "succeeded", 2200)
    assert event.metadata == {"order": "44"}
    assert provider.parse_event(body, signature) == event      # a replay reads the same:
    # the caller's record of event ids is what makes it harmless

    tampered = body.replace(b'"amount": 2200', b'"amount": 1')
    assert tampered != body
    forgeries = [
        (tampered, signature),                                  # the body changed
        (body, signature.replace("v1=", "v1=0")),               # the signature changed
        (body, ""),                                             # no signature
        (body, "t=abc,v1=xyz"),                                 # a garbled header
        (b"\xff\xfe not json", signature),                      # garbage
    ]
    for raw, header in forgeries:
        with pytest.raises(ForgedEvent) as forged:
            provider.parse_event(raw, header)
        assert forged.value.code == "forged_event"
    other_secret = StripeProvider(secret_key=SECRET_KEY, publishable_key=PUBLISHABLE_KEY,
                                  webhook_secret="whsec_someone_else", api_base=localstripe.url)
    with pytest.raises(ForgedEvent):
        other_secret.parse_event(body, signature)
    later = stripe_at(localstripe, clock=lambda: clock.now() + timedelta(minutes=6))
    with pytest.raises(ForgedEvent, match="a replay"):
        later.parse_event(body, signature)                      # replayed six minutes on


def test_a_localstripe_that_cannot_start_is_an_error_not_a_skip(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tests.support.localstripe.sys.executable", "/bin/false")
    with pytest.raises(RuntimeError, match="localstripe exited with 1"):
        harness.start_localstripe(wait=10)


def test_bad_arguments_are_refused_before_the_provider_is_asked(
        localstripe: LocalStripe) -> None:
    provider = stripe_at(localstripe)
    before = intents_at(localstripe)
    for amount, key, currency in ((0, "k1", "USD"), (-100, "k2", "USD"), (True, "k3", "USD"),
                                  (100, "", "USD"), (100, "k" * 241, "USD"),
                                  (100, "k4", "dollars")):
        with pytest.raises(ProviderError) as refused:
            provider.create_intent(amount, currency, idempotency_key=key, metadata={})
        assert refused.value.code == "bad_request"
    with pytest.raises(ProviderError, match="metadata"):
        provider.create_intent(100, "USD", idempotency_key="k5", metadata={"x" * 41: "1"})
    with pytest.raises(ProviderError, match="not a pi_"):
        provider.retrieve("../v1/customers")
    assert intents_at(localstripe) == before


def test_an_unknown_payment_and_wrong_keys_are_clear_and_keep_the_key_secret(
        localstripe: LocalStripe) -> None:
    with pytest.raises(ProviderError) as missing:
        stripe_at(localstripe).retrieve("pi_doesnotexist")
    assert missing.value.code == "provider_rejected"
    secret = "rk_test_a_restricted_key_localstripe_refuses"
    wrong = StripeProvider(secret_key=secret, publishable_key=PUBLISHABLE_KEY,
                           webhook_secret=WEBHOOK_SECRET, api_base=localstripe.url,
                           max_network_retries=0)
    with pytest.raises(ProviderError) as refused:
        wrong.create_intent(100, "USD", idempotency_key="k", metadata={})
    assert refused.value.code == "provider_auth"
    assert secret not in str(refused.value) and "rk_" not in str(refused.value)
    assert secret not in repr(wrong)


def test_the_provider_being_down_is_provider_unavailable() -> None:
    secret = "sk_test_never_shown_in_a_message"
    provider = StripeProvider(secret_key=secret, publishable_key=PUBLISHABLE_KEY,
                              webhook_secret=WEBHOOK_SECRET,
                              api_base=f"http://127.0.0.1:{free_port()}",
                              max_network_retries=0, timeout_seconds=2)
    with pytest.raises(ProviderError) as down:
        provider.create_intent(100, "USD", idempotency_key="k", metadata={})
    assert down.value.code == "provider_unavailable"
    assert "Cannot reach the payment provider" in str(down.value)
    assert secret not in str(down.value)


class Recorder:
    """A stand-in for Stripe that records each request's headers and answers with the
    status and body the test sets (localstripe ignores idempotency keys)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.status = 200
        self.answer: dict[str, object] = {}


@pytest.fixture
def recorder() -> Iterator[tuple[Recorder, str]]:
    record = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            record.requests.append((self.path, body, dict(self.headers.items())))
            payload = json.dumps(record.answer).encode()
            self.send_response(record.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield record, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


PI = {"id": "pi_recorded", "object": "payment_intent", "amount": 700, "currency": "usd",
      "status": "requires_payment_method", "client_secret": "pi_recorded_secret_1",
      "metadata": {"order": "9"}, "last_payment_error": None}


def test_each_attempt_sends_its_idempotency_key_and_a_retry_reuses_it(
        recorder: tuple[Recorder, str]) -> None:
    record, url = recorder
    record.answer = PI
    provider = StripeProvider(secret_key=SECRET_KEY, publishable_key=PUBLISHABLE_KEY,
                              webhook_secret=WEBHOOK_SECRET, api_base=url,
                              max_network_retries=0)
    provider.create_intent(700, "USD", idempotency_key="order-9-attempt-1",
                           metadata={"order": "9"})
    provider.create_intent(700, "USD", idempotency_key="order-9-attempt-2",
                           metadata={"order": "9"})
    keys = [headers.get("Idempotency-Key") for _, _, headers in record.requests]
    assert keys == ["order-9-attempt-1", "order-9-attempt-2"]
    path, body, _ = record.requests[0]
    assert path == "/v1/payment_intents"
    assert "amount=700" in body and "currency=usd" in body and "metadata[order]=9" in body

    # a 500 the first time: the client retries the same attempt with the same key
    record.requests.clear()
    retrying = StripeProvider(secret_key=SECRET_KEY, publishable_key=PUBLISHABLE_KEY,
                              webhook_secret=WEBHOOK_SECRET, api_base=url,
                              max_network_retries=1)
    record.status = 500
    record.answer = {"error": {"type": "api_error", "message": "boom"}}
    with pytest.raises(ProviderError) as failing:
        retrying.create_intent(700, "USD", idempotency_key="order-9-attempt-3", metadata={})
    assert failing.value.code == "provider_unavailable"
    assert [h.get("Idempotency-Key") for _, _, h in record.requests] == [
        "order-9-attempt-3", "order-9-attempt-3"]


def test_provider_errors_map_to_codes(recorder: tuple[Recorder, str]) -> None:
    record, url = recorder
    provider = StripeProvider(secret_key=SECRET_KEY, publishable_key=PUBLISHABLE_KEY,
                              webhook_secret=WEBHOOK_SECRET, api_base=url,
                              max_network_retries=0)
    cases = [
        (402, {"type": "card_error", "code": "card_declined",
               "message": "Your card has insufficient funds."}, "card_declined",
         "Your card has insufficient funds."),
        (429, {"type": "rate_limit_error", "message": "Too many requests"},
         "provider_unavailable", "busy"),
        (400, {"type": "idempotency_error", "message": "Keys for idempotent requests can "
               "only be used with the same parameters"}, "provider_rejected", "same parameters"),
        (401, {"type": "invalid_request_error",
               "message": f"Invalid API Key provided: {SECRET_KEY}"}, "provider_auth", "keys"),
    ]
    for status, error, code, words in cases:
        record.status, record.answer = status, {"error": error}
        with pytest.raises(ProviderError) as raised:
            provider.retrieve("pi_recorded")
        assert raised.value.code == code, error
        assert words in str(raised.value)
        assert SECRET_KEY not in str(raised.value)


# the [payments] config

STRIPE_TABLE = {"provider": "stripe", "secret_key": "sk_test_abc123456",
                "publishable_key": "pk_test_abc123456", "webhook_secret": "whsec_abc123456"}


def test_no_payments_table_means_no_provider() -> None:
    assert provider_from_config(Config()) is None
    assert provider_from_config(parse_config({"payments": {}})) is None


def test_a_stripe_table_makes_a_provider_in_the_venue_currency() -> None:
    config = parse_config({"venue": {"currency": "EUR"}, "payments": dict(STRIPE_TABLE)})
    provider = provider_from_config(config)
    assert isinstance(provider, StripeProvider)
    assert (provider.name, provider.publishable_key) == ("stripe", "pk_test_abc123456")
    assert provider.js_url == "https://js.stripe.com/v3/"
    assert provider.currency == "EUR"
    assert "sk_test_abc123456" not in repr(config) and "whsec_abc" not in repr(config)
    local = parse_config({"payments": {**STRIPE_TABLE, "api_base": "http://127.0.0.1:8420",
                                       "js_url": "http://127.0.0.1:8420/js.stripe.com/v3/",
                                       "currency": "CAD"}})
    provider = provider_from_config(local)
    assert isinstance(provider, StripeProvider)
    assert provider.js_url == "http://127.0.0.1:8420/js.stripe.com/v3/"
    assert provider.currency == "CAD"


@pytest.mark.parametrize(("change", "words"), [
    ({"secret": "sk_test_x"}, "unknown key 'secret'"),
    ({"provider": "paypal"}, "provider must be one of stripe, not 'paypal'"),
    ({"webhook_secret": ""}, "webhook_secret is missing"),
    ({"secret_key": "pk_test_abc123456"}, "secret_key must be a key that starts with sk_"),
    ({"publishable_key": "sk_test_abc123456"}, "publishable_key must be a key that starts"),
    ({"publishable_key": "pk_live_abc123456"}, "both be test keys or both live keys"),
    ({"api_base": "http://stripe.example.com"}, "api_base must be an https:// URL"),
    ({"js_url": "javascript:alert(1)"}, "js_url must be an https:// URL"),
    ({"currency": "usd"}, "currency must be a 3-letter ISO code"),
    ({"secret_key": 12}, "'secret_key' must be a string"),
    ({"provider": ""}, "secret_key is set but no provider is"),
])
def test_a_bad_payments_table_is_a_clear_error(change: dict[str, object], words: str) -> None:
    with pytest.raises(ConfigError) as bad:
        parse_config({"payments": {**STRIPE_TABLE, **change}}, source=Path("box.toml"))
    message = str(bad.value)
    assert message.startswith("box.toml: [payments]") and words in message
    for secret in ("sk_test_abc123456", "whsec_abc123456"):
        assert secret not in message


def test_a_config_file_with_secret_keys_must_be_private(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[payments]\n" + "".join(f'{k} = "{v}"\n' for k, v in STRIPE_TABLE.items()))
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_config(path)
    path.chmod(0o600)
    assert load_config(path).payments.provider == "stripe"


def test_the_example_config_loads_and_configures_no_provider() -> None:
    example = Path(__file__).resolve().parents[2] / "config.toml"
    assert provider_from_config(load_config(example)) is None
    assert "[payments]" in example.read_text()


def test_a_webhook_signed_at_the_pinned_clock_verifies() -> None:
    """The timestamp is judged against the provider's clock, never the machine's."""
    from tests.support.fake_card_provider import FakeCardProvider

    fake = FakeCardProvider()
    intent = fake.create_intent(100, "USD", idempotency_key="a", metadata={})
    body = fake.event_body("payment_intent.succeeded", intent.id)
    assert clock.now() == FIXED_NOW
    assert fake.parse_event(body, fake.sign(body)).intent_id == intent.id
    with pytest.raises(ForgedEvent):
        fake.parse_event(body, fake.sign(body, at=FIXED_NOW - timedelta(minutes=10)))
