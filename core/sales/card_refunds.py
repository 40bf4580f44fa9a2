"""Refunding an order paid online by card: the money goes back to the patron's card
through the provider, never out of a window's drawer (core.sales.aftersale hands such a
refund here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from core.people.models import User
from core.people.permissions import Override, authorize
from core.sales.card_checkout import PaymentFailed
from core.sales.card_provider import CardProvider, ProviderError
from core.sales.models import Order
from core.sales.online import STATION, web_account
from core.sales.orders import OrderError, get_order, refresh_total, require_reason, retire_tickets
from core.sales.payments import insert_payment
from core.sales.tenders import Tender
from core.sales.web_drawer import web_shift
from core.store import journal
from core.store.db import Database, write


def paid_online(db: Database, order_id: int) -> bool:
    """Whether the order's money came through the card provider (its refunds go back the
    same way, never from a window's drawer)."""
    return db.execute("SELECT 1 FROM payment_attempts WHERE order_id = ? AND status = "
                      "'succeeded'", [order_id]).fetchone() is not None


def refund_online(db: Database, actor: User, order_id: int, provider: CardProvider, *,
                  reason: str, now: datetime, zone: ZoneInfo,
                  ticket_ids: Sequence[int] | None = None,
                  override: Override | None = None) -> Order:
    """Refund tickets of an order paid online: the money goes back to the patron's card
    through the provider first (its idempotency key names the tickets, so trying again
    never refunds twice), then the tickets are retired, their codes revoked, the seats
    back on sale, and the refund recorded in the web drawer. Needs `refund`. Raises
    PaymentFailed `refund_failed` (nothing changed), OrderError."""
    require_reason(reason)
    approver = authorize(db, actor, "refund", override=override)
    order = get_order(db, order_id)
    live = [t for t in order.tickets if t.status == "live"]
    chosen = [t for t in live if ticket_ids is None or t.id in set(ticket_ids)]
    if not chosen or (ticket_ids is not None and len(chosen) != len(set(ticket_ids))):
        raise OrderError("choose live tickets of this order to refund", code="not_live")
    value = sum(t.base_cents + t.fee_cents + t.tax_cents for t in chosen)
    row = db.execute("SELECT id, intent_id, payment_id FROM payment_attempts WHERE "
                     "order_id = ? AND status = 'succeeded' ORDER BY id DESC LIMIT 1",
                     [order_id]).fetchone()
    if row is None:
        raise OrderError("this order was not paid online", code="not_online")
    attempt_id, intent_id, payment_id = row
    amount = max(0, min(value, order.paid_cents))
    key = f"refund-{order.number}-" + "-".join(str(t.id) for t in sorted(
        chosen, key=lambda t: t.id))
    refund_id = ""
    if amount:
        try:
            refund_id = provider.refund(intent_id, amount, idempotency_key=key[:200])
        except ProviderError as error:
            raise PaymentFailed(f"the card provider did not refund it: {error.message}; "
                                "nothing was changed", code="refund_failed") from error
    account = web_account(db)
    with write(db):
        retire_tickets(db, order_id, [t.id for t in chosen], "refunded", reason, now,
                       actor=actor.username)
        if amount:
            web_shift(db, now, zone)
            insert_payment(db, account, order_id, Tender(
                "card", amount, approval_code=refund_id, terminal_ref=refund_id,
                reason=reason), station=STATION, now=now, amount_cents=-amount,
                refund_of=payment_id)
        refresh_total(db, order_id)
        journal.append(db, actor=actor.username, action="order.refund",
                       subject=f"order:{order_id}",
                       data={"tickets": [t.id for t in chosen], "amount_cents": amount,
                             "to": "card online", "refund": refund_id, "attempt": attempt_id,
                             "reason": reason, "approved_by": approver})
        return get_order(db, order_id)
