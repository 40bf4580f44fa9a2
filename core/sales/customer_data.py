"""What a customer agreed to and asked for: contact consent, a copy of their data, and
being forgotten.

Consent (none, mail, email, or both) is recorded on the customer and every mailing asks
`Customer.may_contact` first. An export gathers everything the box office holds about one
customer (details, orders with their tickets and payments, cases with their notes) as
plain data for a JSON file. Anonymising keeps the orders (the accounts, settlements and
Z reports must not change) but replaces the name, clears phone, email, notes and flags,
and wipes the words of their cases; the journal never held contact details, so it is
untouched.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.errors import BoxOfficeError, NotFound
from core.people.models import User
from core.people.permissions import authorize
from core.sales import cases, orders
from core.sales.customers import Customer, get_customer
from core.store import journal
from core.store.db import Database, write
from core.times import stamp

CONSENTS = ("none", "mail", "email", "mail,email")
ANONYMISED = "(anonymised)"


def set_consent(db: Database, actor: User, customer_id: int, consent: str, *,
                now: datetime) -> Customer:
    """Record what the customer agreed to be contacted by. Needs `customer_edit`.
    Raises BoxOfficeError `bad_consent`, NotFound."""
    authorize(db, actor, "customer_edit")
    parts = {part.strip().lower() for part in consent.split(",") if part.strip()} - {"none"}
    wanted = ",".join(way for way in ("mail", "email") if way in parts) or "none"
    if parts - {"mail", "email"}:
        wanted = consent
    if wanted not in CONSENTS:
        raise BoxOfficeError(f"consent is none, mail, email or mail,email, not '{consent}'",
                             code="bad_consent")
    with write(db):
        get_customer(db, customer_id)
        db.execute("UPDATE customers SET consent = ? WHERE id = ?", [wanted, customer_id])
        journal.append(db, actor=actor.username, action="customer.consent",
                       subject=f"customer:{customer_id}", data={"consent": wanted}, at=now)
    return get_customer(db, customer_id)


def export_customer(db: Database, actor: User, customer_id: int, *,
                    now: datetime) -> dict[str, Any]:
    """Everything held about one customer, as plain data. Needs `customer_edit` (and
    `cases` to include the cases' words). Journaled (who exported whom)."""
    authorize(db, actor, "customer_edit")
    customer = get_customer(db, customer_id)
    order_ids = [row[0] for row in db.execute(
        "SELECT id FROM orders WHERE customer_id = ? ORDER BY id", [customer_id])]
    their_orders = []
    for order_id in order_ids:
        order = orders.get_order(db, order_id)
        their_orders.append({
            "number": order.number, "status": order.status, "channel": order.channel,
            "created_at": order.created_at.isoformat(),
            "tickets": [{"seat": t.label, "price_type": t.price_type, "status": t.status}
                        for t in order.tickets],
            "payments": [{"tender": p.tender, "amount_cents": p.amount_cents}
                         for p in order.payments]})
    try:
        their_cases = [{"id": c.id, "kind": c.kind, "category": c.category,
                        "description": c.description, "status": c.status,
                        "disposition": c.disposition,
                        "notes": [n.text for n in cases.get_case(db, actor, c.id).notes]}
                       for c in cases.list_cases(db, actor, open_only=False,
                                                 customer_id=customer_id)]
    except BoxOfficeError:
        their_cases = []            # no `cases` permission: the words stay out
    with write(db):
        journal.append(db, actor=actor.username, action="customer.export",
                       subject=f"customer:{customer_id}", data={}, at=now)
    return {"customer": {"id": customer.id, "name": customer.name, "phone": customer.phone,
                         "email": customer.email, "notes": customer.notes,
                         "flags": sorted(customer.flags), "consent": customer.consent,
                         "created_at": customer.created_at.isoformat()},
            "orders": their_orders, "cases": their_cases, "exported_at": stamp(now)}


def anonymise_customer(db: Database, actor: User, customer_id: int, *,
                       now: datetime) -> Customer:
    """Forget a customer who asked: their details and their cases' words go, their
    orders stay (for the accounts). Final. Needs `customer_edit`. Raises NotFound,
    BoxOfficeError `already_anonymised`."""
    authorize(db, actor, "customer_edit")
    with write(db):
        row = db.execute("SELECT anonymised_at FROM customers WHERE id = ?",
                         [customer_id]).fetchone()
        if row is None:
            raise NotFound(f"there is no customer {customer_id}")
        if row[0] is not None:
            raise BoxOfficeError(f"customer {customer_id} was anonymised on {row[0][:10]}",
                                 code="already_anonymised")
        db.execute("UPDATE customers SET name = ?, phone = '', email = '', notes = '', "
                   "flags = '', consent = 'none', anonymised_at = ? WHERE id = ?",
                   [f"Anonymised customer {customer_id}", stamp(now), customer_id])
        wiped = db.execute(
            "UPDATE cases SET description = ?, disposition = CASE WHEN disposition IS NULL "
            "THEN NULL ELSE ? END WHERE customer_id = ?",
            [ANONYMISED, ANONYMISED, customer_id]).rowcount
        db.execute("UPDATE case_notes SET text = ? WHERE case_id IN "
                   "(SELECT id FROM cases WHERE customer_id = ?)", [ANONYMISED, customer_id])
        journal.append(db, actor=actor.username, action="customer.anonymise",
                       subject=f"customer:{customer_id}", data={"cases": wiped}, at=now)
    return get_customer(db, customer_id)
