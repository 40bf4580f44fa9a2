"""Duplicate customers: finding the likely ones, and merging two into one.

Every box office collects duplicates: the same patron typed in at the window, on the
phone and at a group sale. Likely duplicates share an email (any case), a phone number,
or a name that reads the same once case, accents and punctuation are set aside. Merging
moves everything of the other record (orders, groups, consignment batches, cases) to the
kept one, adds its notes and flags, fills the kept record's empty phone or email from it,
and marks it merged: it keeps its row, so old slips and the journal still name it, but
searches no longer find it. The merge is journaled with both ids and what moved.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from core.errors import BoxOfficeError, NotFound
from core.people.models import User
from core.people.permissions import authorize
from core.sales.customers import Customer, get_customer, parse_flags
from core.store import journal
from core.store.db import Database, write

# what points at a customer, and is moved by a merge
_MOVED = ("orders", "groups", "consignments", "cases", "subscriptions", "flex_passes")


@dataclass(frozen=True)
class Duplicate:
    first: Customer                 # the older record: the one to keep, by default
    second: Customer
    reasons: tuple[str, ...]        # "same email", "same phone", "same name"


def name_key(name: str) -> str:
    """A name as compared for duplicates: no case, no accents, letters and digits only."""
    plain = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in word if c.isalnum())
                    for word in plain.split() if any(c.isalnum() for c in word))


def _live(db: Database) -> list[Customer]:
    ids = [row[0] for row in db.execute(
        "SELECT id FROM customers WHERE merged_into IS NULL ORDER BY id")]
    return [get_customer(db, customer_id) for customer_id in ids]


def find_duplicates(db: Database, actor: User, *, limit: int = 200) -> list[Duplicate]:
    """Pairs of customers that are likely the same patron, the strongest first (more
    reasons), then the oldest. Needs `customer_edit`."""
    authorize(db, actor, "customer_edit")
    by_key: dict[tuple[str, str], list[Customer]] = {}
    for customer in _live(db):
        for reason, key in (("same email", customer.email.casefold()),
                            ("same phone", customer.phone),
                            ("same name", name_key(customer.name))):
            if key:
                by_key.setdefault((reason, key), []).append(customer)
    pairs: dict[tuple[int, int], tuple[Customer, Customer, list[str]]] = {}
    for (reason, _), found in by_key.items():
        for i, first in enumerate(found):
            for second in found[i + 1:]:
                entry = pairs.setdefault((first.id, second.id), (first, second, []))
                entry[2].append(reason)
    ranked = sorted(pairs.values(), key=lambda p: (-len(p[2]), p[0].id, p[1].id))
    return [Duplicate(a, b, tuple(sorted(reasons))) for a, b, reasons in ranked[:limit]]


def merge_customers(db: Database, actor: User, keep_id: int, other_id: int, *,
                    now: datetime) -> Customer:
    """Merge `other_id` into `keep_id` (see the module docstring). Needs
    `customer_edit`. Raises BoxOfficeError `same_customer`, `already_merged`, NotFound."""
    authorize(db, actor, "customer_edit")
    if keep_id == other_id:
        raise BoxOfficeError("a customer cannot be merged into itself", code="same_customer")
    with write(db):
        for customer_id in (keep_id, other_id):
            row = db.execute("SELECT merged_into FROM customers WHERE id = ?",
                             [customer_id]).fetchone()
            if row is None:
                raise NotFound(f"there is no customer {customer_id}")
            if row[0] is not None:
                raise BoxOfficeError(f"customer {customer_id} was already merged into "
                                     f"customer {row[0]}", code="already_merged")
        keep, other = get_customer(db, keep_id), get_customer(db, other_id)
        moved: dict[str, int] = {}
        for table in _MOVED:
            # table names come from the fixed tuple above, never from the caller
            cursor = db.execute(f"UPDATE {table} SET customer_id = ? WHERE customer_id = ?",
                                [keep_id, other_id])
            moved[table] = cursor.rowcount
        notes = "\n".join(part for part in (
            keep.notes.rstrip("\n"),
            f"merged from customer {other.id} ({other.name})",
            other.notes.rstrip("\n")) if part)
        flags = ",".join(sorted(parse_flags(",".join(sorted(keep.flags | other.flags)))))
        db.execute("UPDATE customers SET notes = ?, flags = ?, phone = ?, email = ? "
                   "WHERE id = ?", [notes, flags, keep.phone or other.phone,
                                    keep.email or other.email, keep_id])
        db.execute("UPDATE customers SET merged_into = ? WHERE id = ?", [keep_id, other_id])
        journal.append(db, actor=actor.username, action="customer.merge",
                       subject=f"customer:{keep_id}",
                       data={"merged": other_id, "moved": moved}, at=now)
        return get_customer(db, keep_id)
