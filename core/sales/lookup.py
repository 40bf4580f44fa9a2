"""Finding an order at the window from whatever the customer brings: an order number, a
name, a phone number, an email, a ticket's serial, or the ticket itself (its code typed,
or read by a handheld scanner that types it and Enter).

A ticket code is decoded and its signature verified before anything is looked up, and
the lookup uses the decoded ticket id, never the raw string (docs/gate.md). A replaced
(revoked) copy still finds its order, marked so, because that is exactly the copy a
customer brings back to the window.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from core.errors import BoxOfficeError
from core.gate import codes
from core.gate import keys as gate_keys
from core.sales import customers, models, orders
from core.sales.customers import Customer
from core.store.db import Database

LIMIT = 50
# Long runs of letters and digits are codes (a name or phone has spaces, or is shorter);
# the shortest honest code is 122 characters, but a misread one may be any length.
_CODE = re.compile(r"[A-Za-z0-9]{24,}")
_SERIAL = re.compile(r"[Tt]\d{8}")
_DIGITS = re.compile(r"\d+")


class OrderLookupError(BoxOfficeError):
    code = "lookup"


@dataclass(frozen=True)
class OrderMatch:
    """One order found, with what the results list shows and why it matched."""

    order_id: int
    number: str
    status: str
    created_at: datetime            # aware, UTC
    total_cents: int
    delivery: str
    picked_up_at: datetime | None
    customer_name: str              # '' for an order without a customer
    customer_phone: str
    customer_flags: frozenset[str]
    tickets: int
    live_tickets: int
    matched: str                    # "order number", "ticket T00000003", "customer", ...
    ticket_id: int | None = None    # the ticket the code or serial named
    items: int = 0                  # concessions and merchandise sold on it
    kept_items: int = 0             # of which not refunded or voided


@dataclass(frozen=True)
class Performance:
    id: int
    event_name: str
    starts_at: datetime             # aware, UTC


@dataclass(frozen=True)
class OrderDetail:
    """Everything the order screen shows about one order."""

    order: models.Order
    customer: Customer | None
    picked_up_at: datetime | None
    seller: str                     # who sold it (display name)
    station: str
    performances: Mapping[int, Performance]

    @property
    def will_call_waiting(self) -> bool:
        return (self.order.delivery == "will_call" and self.picked_up_at is None
                and self.order.status not in ("voided", "cancelled")
                and any(t.status == "live" for t in self.order.tickets))


class _RevokedInDatabase:
    """`revoked` for verify_token, asking the database about one ticket at a time
    instead of loading every revocation."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, tuple) or len(item) != 2:
            return False
        return self.db.execute("SELECT 1 FROM revocations WHERE ticket_id = ? AND "
                               "generation = ?", list(item)).fetchone() is not None


def _utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _when(text: str | None) -> datetime | None:
    return _utc(text) if text else None


def _flags(text: str) -> frozenset[str]:
    return frozenset(flag for flag in text.split(",") if flag)


def _matches(db: Database, where: str, params: list[object], matched: str,
             ticket_id: int | None = None) -> list[OrderMatch]:
    rows = db.execute(
        "SELECT o.id, o.number, o.status, o.created_at, o.total_cents, o.delivery, "
        "o.picked_up_at, coalesce(c.name, ''), coalesce(c.phone, ''), "
        "coalesce(c.flags, ''), (SELECT count(*) FROM tickets t WHERE t.order_id = o.id), "
        "(SELECT count(*) FROM tickets t WHERE t.order_id = o.id AND t.status = 'live'), "
        "(SELECT coalesce(sum(g.quantity), 0) FROM order_goods g WHERE g.order_id = o.id), "
        "(SELECT coalesce(sum(g.quantity - g.returned), 0) FROM order_goods g WHERE "
        "g.order_id = o.id) "
        f"FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE {where} "
        f"ORDER BY o.created_at DESC, o.id DESC LIMIT {LIMIT}", params)
    return [OrderMatch(r[0], r[1], r[2], _utc(r[3]), r[4], r[5], _when(r[6]),
                       r[7], r[8], _flags(r[9]), r[10], r[11], matched,
                       ticket_id, r[12], r[13]) for r in rows]


def _by_ticket(db: Database, ticket_id: int, matched: str) -> list[OrderMatch]:
    return _matches(db, "o.id = (SELECT order_id FROM tickets WHERE id = ?)", [ticket_id],
                    matched, ticket_id)


def _by_code(db: Database, text: str,
             keys: Mapping[int, Ed25519PublicKey] | None,
             revoked: Container[tuple[int, int]] | None) -> list[OrderMatch]:
    verdict = codes.verify_token(text, gate_keys.public_keys(db) if keys is None else keys,
                                  _RevokedInDatabase(db) if revoked is None else revoked)
    record = verdict.record
    if record is None:      # malformed, forged or foreign: nothing in it can be trusted
        verdict.require()   # raises TokenRejected with the reason as its code
        raise AssertionError("a rejected code without a reason")
    what = f"ticket code (copy {record.generation})"
    if verdict.reason == codes.REVOKED:
        what += ", a REPLACED copy: its code no longer admits"
    found = _by_ticket(db, record.ticket_id, what)
    if not found:
        raise OrderLookupError("The code is genuine but its ticket is not in this database.",
                               code="unknown_ticket")
    return found


def _by_customers(db: Database, found: Iterable[Customer]) -> list[OrderMatch]:
    ids = [customer.id for customer in found]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    return _matches(db, f"o.customer_id IN ({marks})", list(ids), "customer")


def find_orders(db: Database, query: str, *,
                keys: Mapping[int, Ed25519PublicKey] | None = None,
                revoked: Container[tuple[int, int]] | None = None) -> list[OrderMatch]:
    """The orders a seller means by `query`, most likely first; [] when none match.

    - a long run of letters and digits is a ticket code: verified with `keys` (default:
      the database's unretired public keys) and `revoked` (default: the revocations
      table), then its order found by the decoded ticket id;
    - `T00000003` is a ticket serial;
    - digits are an order number, and also phone digits (the order comes first);
    - `pending` lists the orders whose card payment waits for the terminal's answer;
    - anything else is a customer's name, phone or email (core.customers search).

    Raises TokenRejected with a readable message for a code that is not ours
    (`malformed`, `bad_signature`, `unknown_key`), OrderLookupError `unknown_ticket` for
    a genuine code whose ticket is not in this database.
    """
    text = query.strip()
    if not text:
        return []
    if _CODE.fullmatch(text) and not _SERIAL.fullmatch(text):
        return _by_code(db, text, keys, revoked)
    if _SERIAL.fullmatch(text):
        row = db.execute("SELECT id FROM tickets WHERE serial = ?", [text.upper()]).fetchone()
        return [] if row is None else _by_ticket(db, row[0], f"ticket {text.upper()}")
    found: list[OrderMatch] = []
    if text.lower() == "pending":
        found = _matches(db, "o.status = 'pending'", [], "card answer pending")
    if _DIGITS.fullmatch(text):
        found = _matches(db, "o.number = ?", [text], "order number")
    seen = {match.order_id for match in found}
    found += [match for match in _by_customers(db, customers.search_customers(db, text))
              if match.order_id not in seen]
    return found[:LIMIT]


def order_detail(db: Database, order_id: int) -> OrderDetail:
    """The order with its customer, seller, will-call state and performances.
    Raises NotFound `unknown_order`."""
    order = orders.get_order(db, order_id)
    row = db.execute("SELECT o.picked_up_at, o.station, u.display_name FROM orders o "
                     "JOIN users u ON u.id = o.user_id WHERE o.id = ?", [order_id]).fetchone()
    customer = (customers.get_customer(db, order.customer_id)
                if order.customer_id is not None else None)
    shows = {r[0]: Performance(r[0], r[1], _utc(r[2])) for r in db.execute(
        "SELECT DISTINCT p.id, e.name, p.starts_at FROM tickets t "
        "JOIN performances p ON p.id = t.performance_id JOIN events e ON e.id = p.event_id "
        "WHERE t.order_id = ?", [order_id])}
    return OrderDetail(order, customer, _when(row[0]), row[2], row[1], shows)


def order_counts(db: Database, customer_ids: Iterable[int]) -> dict[int, int]:
    """How many orders each customer has (customers without one are left out)."""
    ids = list(customer_ids)
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {row[0]: row[1] for row in db.execute(
        f"SELECT customer_id, count(*) FROM orders WHERE customer_id IN ({marks}) "
        "GROUP BY customer_id", ids)}
