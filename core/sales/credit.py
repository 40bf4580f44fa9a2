"""A customer's account credit: money the house keeps for them after a refund to credit,
spent later as a tender.

There is no stored balance that could drift: the balance is read from the customer's
`credit` payments (a refund to credit is a negative one, spending it a positive one),
each of which has its `money` journal entry of the same amount; `credit_from_journal`
reads the same figure from the journal alone, and the tests hold the two equal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from core.errors import BoxOfficeError
from core.money import format_cents
from core.people.models import User
from core.people.permissions import authorize
from core.sales.customers import get_customer
from core.store.db import Database


class CreditError(BoxOfficeError):
    code = "credit"


@dataclass(frozen=True)
class CreditMove:
    at: datetime
    order_number: str
    amount_cents: int       # + credit given (a refund to credit), - credit spent
    reason: str


def credit_balance(db: Database, customer_id: int) -> int:
    """What the customer has in account credit now, in cents."""
    return -int(db.execute(
        "SELECT coalesce(sum(p.amount_cents), 0) FROM payments p JOIN orders o ON "
        "o.id = p.order_id WHERE p.tender = 'credit' AND p.status = 'approved' AND "
        "o.customer_id = ?", [customer_id]).fetchone()[0])


def credit_from_journal(db: Database, customer_id: int) -> int:
    """The same balance read from the journal's money entries alone."""
    orders = {f"order:{row[0]}" for row in db.execute(
        "SELECT id FROM orders WHERE customer_id = ?", [customer_id])}
    total = 0
    for subject, data in db.execute("SELECT subject, data FROM journal WHERE "
                                    "action = 'money'"):
        if subject in orders:
            entry = json.loads(data)
            if entry.get("tender") == "credit":
                total -= int(entry["amount_cents"])
    return total


def credit_history(db: Database, actor: User, customer_id: int) -> list[CreditMove]:
    """Every credit given and spent, oldest first. Needs `customer_edit`. Raises NotFound
    for an unknown customer."""
    authorize(db, actor, "customer_edit")
    get_customer(db, customer_id)
    return [CreditMove(datetime.fromisoformat(at), number, -amount, reason or "")
            for at, number, amount, reason in db.execute(
                "SELECT p.created_at, o.number, p.amount_cents, p.reason FROM payments p "
                "JOIN orders o ON o.id = p.order_id WHERE p.tender = 'credit' AND "
                "p.status = 'approved' AND o.customer_id = ? ORDER BY p.id",
                [customer_id])]


def check_credit(db: Database, customer_id: int | None, amount_cents: int) -> None:
    """Inside a write: the customer has at least this much credit to spend. Raises
    CreditError `no_customer` (credit belongs to a customer on the order),
    `not_enough_credit`."""
    if customer_id is None:
        raise CreditError("account credit is the customer's: choose the customer first",
                          code="no_customer")
    balance = credit_balance(db, customer_id)
    if amount_cents > balance:
        raise CreditError(f"the customer has {format_cents(balance)} in credit, not "
                          f"{format_cents(amount_cents)}", code="not_enough_credit")
