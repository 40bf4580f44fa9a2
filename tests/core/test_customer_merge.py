"""Duplicate customers: found by email, phone or a name that reads the same; merged with
their orders, groups, cases, notes and flags; the merged one no longer found."""

from __future__ import annotations

import pytest

from core.errors import BoxOfficeError
from core.people.permissions import PermissionDenied
from core.sales import cases, customers, groups
from core.sales.customer_merge import find_duplicates, merge_customers, name_key
from core.store import journal
from core.store.db import Database
from tests.support.constants import FIXED_NOW
from tests.support.order_helpers import customer, sell
from tests.support.selling_helpers import user


def test_names_read_the_same_without_case_accents_or_punctuation() -> None:
    assert name_key("  José  O'Brien ") == name_key("jose obrien") == "jose obrien"
    assert name_key("Ann Lee") != name_key("Anne Lee")


def test_likely_duplicates_strongest_first(demo_db: Database) -> None:
    a = customer(demo_db, "Wilhelmina Ortiz", phone="555 0100", email="W.Ortiz@example.org")
    b = customer(demo_db, "wilhelmina ortiz", email="w.ortiz@EXAMPLE.org")
    c = customer(demo_db, "Bill Ortiz", phone="(555) 0100")
    customer(demo_db, "Someone Else", phone="555 0199")
    found = find_duplicates(demo_db, user(demo_db, "sam"))
    pairs = [((d.first.id, d.second.id), d.reasons) for d in found]
    assert pairs[0] == ((a.id, b.id), ("same email", "same name"))
    assert ((a.id, c.id), ("same phone",)) in pairs
    assert all(b.id not in ids or a.id in ids for ids, _ in pairs)


def test_a_merge_moves_everything_and_hides_the_other(demo_db: Database) -> None:
    sam = user(demo_db, "sam")
    keep = customer(demo_db, "Wilhelmina Ortiz", email="w@example.org")
    other = customer(demo_db, "Wilhelmina Ortiz", phone="5550100", flags=("vip",))
    customers.add_note(demo_db, sam, other.id, "prefers aisle seats", now=FIXED_NOW)
    kept_order = sell(demo_db, ["ORCH-B-101"], who=keep)
    moved_order = sell(demo_db, ["ORCH-B-102"], who=other)
    group = groups.create_group(demo_db, user(demo_db, "cora"), "Ortiz family",
                                customer_id=other.id, now=FIXED_NOW)
    case = cases.open_case(demo_db, sam, kind="request", channel="phone",
                           category="Seating", description="Aisle please",
                           customer_id=other.id, now=FIXED_NOW)
    # a season subscription on each record
    from core.sales import carts, subscriptions
    from core.sales.tenders import Tender
    from tests.support.selling_helpers import HOLD, STATION
    from tests.support.subscription_helpers import hall_series

    _, package = hall_series(demo_db)
    for who, seat_name in ((keep, "ORCH-A-101"), (other, "ORCH-A-102")):
        cart_id = carts.open_cart(demo_db, sam, STATION, FIXED_NOW, HOLD)
        cart = subscriptions.add_package_seats(demo_db, sam, cart_id, package.id, seat_name,
                                               "ADULT", FIXED_NOW, HOLD)
        subscriptions.sell_subscription(demo_db, sam, cart_id,
                                        [Tender("cash", cart.total_cents)],
                                        customer_id=who.id, station=STATION, now=FIXED_NOW)
    merged = merge_customers(demo_db, sam, keep.id, other.id, now=FIXED_NOW)
    assert (merged.phone, merged.email) == ("5550100", "w@example.org")
    assert merged.flags == frozenset({"vip"})
    assert "merged from customer" in merged.notes and "prefers aisle seats" in merged.notes
    owners = {row[0] for row in demo_db.execute(
        "SELECT customer_id FROM orders WHERE id IN (?, ?)", [kept_order.id, moved_order.id])}
    assert owners == {keep.id}
    assert demo_db.execute("SELECT customer_id FROM groups WHERE id = ?",
                           [group.id]).fetchone()[0] == keep.id
    assert cases.get_case(demo_db, sam, case.id).customer_id == keep.id
    assert {row[0] for row in demo_db.execute("SELECT customer_id FROM subscriptions")} == {
        keep.id}
    # the merged record is not found any more; the kept one is, by either's phone
    assert [c.id for c in customers.search_customers(demo_db, "Wilhelmina")] == [keep.id]
    assert [c.id for c in customers.search_customers(demo_db, "5550100")] == [keep.id]
    assert find_duplicates(demo_db, sam) == []
    entry = demo_db.execute("SELECT data FROM journal WHERE action = 'customer.merge'"
                            ).fetchone()[0]
    assert f'"merged":{other.id}' in entry and '"orders":2' in entry   # a sale and a season
    assert '"subscriptions":1' in entry
    assert journal.verify(demo_db).ok


def test_a_merge_that_cannot_be_changes_nothing(demo_db: Database) -> None:
    sam = user(demo_db, "sam")
    a = customer(demo_db, "Ann Lee")
    b = customer(demo_db, "Ann Lee")
    with pytest.raises(BoxOfficeError) as same:
        merge_customers(demo_db, sam, a.id, a.id, now=FIXED_NOW)
    assert same.value.code == "same_customer"
    with pytest.raises(PermissionDenied):
        merge_customers(demo_db, user(demo_db, "gia"), a.id, b.id, now=FIXED_NOW)
    merge_customers(demo_db, sam, a.id, b.id, now=FIXED_NOW)
    with pytest.raises(BoxOfficeError) as again:
        merge_customers(demo_db, sam, a.id, b.id, now=FIXED_NOW)
    assert again.value.code == "already_merged"
    assert demo_db.execute("SELECT count(*) FROM journal WHERE action = 'customer.merge'"
                           ).fetchone()[0] == 1
