"""Customers: create and edit with validation, find them from what a seller types, their
order history, and the will-call list with pick-up."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import BoxOfficeError, NotFound
from core.people.accounts import create_first_admin, create_user
from core.people.models import User
from core.people.permissions import PermissionDenied
from core.people.users import get_user
from core.sales.customer_orders import mark_picked_up, order_history, will_call
from core.sales.customers import (
    FLAGS,
    Customer,
    add_note,
    create_customer,
    get_customer,
    search_customers,
    set_flags,
    update_customer,
)
from core.store import journal
from core.store.db import Database, connect, insert
from core.store.schema import open_database
from core.venue.performances import create_event, create_performance
from core.venue.venues import import_seatmap
from tests.support import postgres
from tests.support.dates import day_at, stamp, typed

TINY_HALL = """\
format = 1
[venue]
code = "TINY"
name = "Tiny Hall"
[zones]
A = { name = "Stalls", color = "yellow" }
[[section]]
code = "STALLS"
name = "Stalls"
rows = '''
A: AAAAAA
'''
"""


@dataclass(frozen=True)
class House:
    seller: User
    gate: User
    first_night: int            # performance ids
    second_night: int
    section_id: int
    seats: tuple[int, ...]


def build_house(db: Database) -> House:
    ada = create_first_admin(db, "ada", "Ada Admin", "4444")
    venue_id = import_seatmap(db, ada, TINY_HALL, "tiny.toml").venue_id
    event_id = create_event(db, ada, "The Seagull")
    first = create_performance(db, ada, event_id, venue_id,
                               day_at(11, "19:00"))
    second = create_performance(db, ada, event_id, venue_id,
                                day_at(12, "19:00"))
    section_id = db.execute("SELECT id FROM sections WHERE code = 'STALLS'").fetchone()[0]
    seats = tuple(row[0] for row in db.execute(
        "SELECT id FROM seats WHERE section_id = ? ORDER BY number", [section_id]))
    return House(create_user(db, ada, "sam", "Sam Seller", "seller", "1234"),
                 create_user(db, ada, "gil", "Gil Gate", "gate", "1234"),
                 first, second, section_id, seats)


@pytest.fixture(scope="module")
def house_template(empty_template: str | None) -> Iterator[tuple[Database | str, House]]:
    """Built once: hashing two PINs takes longer than everything a test then does. On
    PostgreSQL a template database (its name), copied per test."""
    if empty_template is not None:
        name = f"bo_t_{postgres.worker()}_house"
        built = open_database(postgres.create_database(name, empty_template))
        house = build_house(built)
        built.close()
        yield name, house
        return
    template = open_database(":memory:")
    yield template, build_house(template)
    template.close()


@pytest.fixture
def db(house_template: tuple[Database | str, House]
       ) -> Iterator[Database]:
    """A fresh migrated database per test: a copy of the template, house included."""
    template, _ = house_template
    if isinstance(template, str):
        name, url = postgres.copy_of(template)
        database = open_database(url)
        yield database
        database.close()
        postgres.drop_database(name)
        return
    database = connect(":memory:")
    template.conn.backup(database.conn)
    yield database
    database.close()


@pytest.fixture
def house(house_template: tuple[Database, House]) -> House:
    """A tiny hall, one event on two nights, a seller and a gate user (already in `db`)."""
    return house_template[1]


def add_order(db: Database, house: House, number: str, *,
              customer: Customer | None, created_at: str,
              tickets: list[tuple[int, int, str]], delivery: str = "print",
              status: str = "complete", picked_up_at: str | None = None) -> int:
    """An order with tickets (performance id, seat index, ticket status), by plain SQL:
    selling is not built yet."""
    order_id = insert(
        db, "INSERT INTO orders (number, customer_id, user_id, station, channel, status, "
        "total_cents, delivery, picked_up_at, created_at) "
        "VALUES (?, ?, ?, 'W1', 'window', ?, ?, ?, ?, ?)",
        [number, customer.id if customer else None, house.seller.id, status,
         4500 * len(tickets), delivery, picked_up_at, created_at])
    adult = db.execute("SELECT id FROM price_types WHERE code = 'ADULT'").fetchone()[0]
    for index, (performance_id, seat, ticket_status) in enumerate(tickets):
        db.execute(
            "INSERT INTO tickets (order_id, performance_id, section_id, seat_id, "
            "price_type_id, serial, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [order_id, performance_id, house.section_id, house.seats[seat], adult,
             f"{number}-{index}", ticket_status, created_at])
    assert order_id is not None
    return order_id


def journal_rows(db: Database, action: str) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    return [(actor, subject, json.loads(data)) for actor, subject, data in db.execute(
        "SELECT actor, subject, data FROM journal WHERE action = ? ORDER BY id", [action])]


def names(found: list[Customer]) -> list[str]:
    return [customer.name for customer in found]


@pytest.fixture
def people(db: Database, house: House) -> dict[str, Customer]:
    seller = house.seller
    return {
        "jane": create_customer(db, seller, "Jane Smith", phone="+1 (555) 012-3456",
                                email="jane@example.com"),
        "zoe": create_customer(db, seller, "Zoë Müller", phone="030 2468 1357",
                               email="zm@theatre.de"),
        "bob": create_customer(db, seller, "Bob Jones", phone="555.987.6543",
                               email="smithy@mail.org"),
    }


# -- create, validate, permissions -----------------------------------------------------

def test_create_stores_a_normalised_phone_and_journals_id_and_name_only(
        db: Database, house: House) -> None:
    customer = create_customer(db, house.seller, "  Jane   Smith ", phone="+1 (555) 012-3456",
                               email=" jane@example.com ", notes="prefers aisle; PIN 9999",
                               flags=["vip", "accessibility"])
    assert customer == get_customer(db, customer.id)
    assert customer.name == "Jane Smith"
    assert customer.phone == "+15550123456"
    assert customer.email == "jane@example.com"
    assert customer.flags == {"vip", "accessibility"}
    assert customer.created_at.tzinfo is not None
    assert journal_rows(db, "customer.create") == [
        ("sam", f"customer:{customer.id}", {"name": "Jane Smith"})]
    assert journal.verify(db).ok


@pytest.mark.parametrize(("field", "value", "code"), [
    ("name", "   ", "bad_name"),
    ("phone", "555-CALL-NOW", "bad_phone"),
    ("phone", "555 0123 ext 4", "bad_phone"),
    ("phone", "+1+555 0123", "bad_phone"),
    ("phone", "12", "bad_phone"),
    ("phone", "1" * 16, "bad_phone"),
    ("email", "jane.example.com", "bad_email"),
    ("email", "jane@@example.com", "bad_email"),
    ("email", "jane@example", "bad_email"),
    ("email", "jane@example.", "bad_email"),
    ("email", "@example.com", "bad_email"),
    ("email", "jane doe@example.com", "bad_email"),
    ("flags", ["vip", "platinum"], "bad_flag"),
])
def test_bad_input_is_refused_with_its_code_and_nothing_is_written(
        db: Database, house: House, field: str, value: object,
        code: str) -> None:
    fields: dict[str, object] = {"name": "Jane Smith", field: value}
    name = fields.pop("name")
    journal_before = db.execute("SELECT COUNT(*) FROM journal").fetchone()[0]
    with pytest.raises(BoxOfficeError) as caught:
        create_customer(db, house.seller, name, **fields)  # type: ignore[arg-type]
    assert caught.value.code == code
    assert db.execute("SELECT COUNT(*) FROM customers").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == journal_before


def test_flags_are_validated_replaced_and_journaled(
        db: Database, house: House) -> None:
    customer = create_customer(db, house.seller, "Jane Smith")
    assert customer.flags == frozenset()
    with pytest.raises(BoxOfficeError) as caught:
        set_flags(db, house.seller, customer.id, ["banned", "gold"])
    assert caught.value.code == "bad_flag"
    assert set_flags(db, house.seller, customer.id, ["banned"]).flags == {"banned"}
    assert get_customer(db, customer.id).flags == {"banned"}
    assert set_flags(db, house.seller, customer.id, FLAGS).flags == set(FLAGS)
    assert [data["flags"] for _, _, data in journal_rows(db, "customer.flags")] == [
        ["banned"], sorted(FLAGS)]
    assert journal.verify(db).ok


def test_a_gate_user_may_not_edit_customers_or_hand_out_will_call(
        db: Database, house: House) -> None:
    customer = create_customer(db, house.seller, "Jane Smith")
    order_id = add_order(db, house, "W-1", customer=customer, delivery="will_call",
                         created_at=stamp(day_at(-19, "10:00")),
                         tickets=[(house.first_night, 0, "live")])
    attempts = [
        lambda: create_customer(db, house.gate, "Gil's friend"),
        lambda: update_customer(db, house.gate, customer.id, name="Someone Else"),
        lambda: add_note(db, house.gate, customer.id, "let me in"),
        lambda: set_flags(db, house.gate, customer.id, ["vip"]),
        lambda: mark_picked_up(db, house.gate, order_id),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as caught:
            attempt()
        assert caught.value.code == "permission_denied"
    assert get_customer(db, customer.id) == customer
    assert will_call(db, house.first_night)[0].order_id == order_id


def test_unknown_ids_raise_not_found(db: Database, house: House) -> None:
    for attempt in [lambda: get_customer(db, 999),
                    lambda: update_customer(db, house.seller, 999, name="X"),
                    lambda: add_note(db, house.seller, 999, "hello"),
                    lambda: set_flags(db, house.seller, 999, ["vip"]),
                    lambda: order_history(db, 999),
                    lambda: will_call(db, 999),
                    lambda: mark_picked_up(db, house.seller, 999)]:
        with pytest.raises(NotFound):
            attempt()


# -- edit and notes --------------------------------------------------------------------

def test_update_changes_only_what_is_given_and_journals_field_names(
        db: Database, house: House) -> None:
    customer = create_customer(db, house.seller, "Jane Smith", phone="555 0123",
                               email="jane@example.com", notes="secret")
    updated = update_customer(db, house.seller, customer.id, name="Jane Doe",
                              phone="(555) 0199", notes="still secret")
    assert (updated.name, updated.phone, updated.email, updated.notes) == (
        "Jane Doe", "5550199", "jane@example.com", "still secret")
    # Saving the form again unchanged writes nothing.
    assert update_customer(db, house.seller, customer.id, name="Jane Doe") == updated
    rows = journal_rows(db, "customer.update")
    assert rows == [("sam", f"customer:{customer.id}",
                     {"fields": ["name", "notes", "phone"], "name": "Jane Doe"})]
    assert "secret" not in json.dumps(rows) and "0199" not in json.dumps(rows)


def test_notes_are_appended_as_dated_lines_with_the_sellers_name(
        db: Database, house: House) -> None:
    customer = create_customer(db, house.seller, "Jane Smith")
    first, second = day_at(0, "17:05"), day_at(1, "09:30")
    add_note(db, house.seller, customer.id, "needs a booster seat", now=first)
    noted = add_note(db, house.seller, customer.id, "called back:\nwill collect Friday",
                     now=second)
    assert noted.notes.splitlines() == [
        f"{typed(first)} UTC sam: needs a booster seat",
        f"{typed(second)} UTC sam: called back: will collect Friday"]
    with pytest.raises(BoxOfficeError) as caught:
        add_note(db, house.seller, customer.id, "  \n ")
    assert caught.value.code == "bad_note"
    rows = journal_rows(db, "customer.note")
    assert len(rows) == 2 and "booster" not in json.dumps(rows)
    assert journal.verify(db).ok


# -- search ----------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "expected"), [
    ("smi", ["Jane Smith", "Bob Jones"]),       # a name beats an email ('smithy@')
    ("Smith", ["Jane Smith", "Bob Jones"]),
    ("jan smi", ["Jane Smith"]),
    ("SMITH JANE", ["Jane Smith"]),
    ("muller", ["Zoë Müller"]),                 # diacritics do not matter
    ("zoë", ["Zoë Müller"]),
    ("jo", ["Bob Jones"]),
])
def test_search_finds_names_by_prefix(db: Database, people: dict[str, Customer],
                                      query: str, expected: list[str]) -> None:
    assert names(search_customers(db, query)) == expected


@pytest.mark.parametrize("query", [
    "555 01", "(555) 012", "555-0123", "555.012.3456", "+1 555 012 3456", "15550123456",
    "0123456", "3456",
])
def test_search_finds_a_phone_by_its_digits_in_any_shape(
        db: Database, people: dict[str, Customer], query: str) -> None:
    assert names(search_customers(db, query)) == ["Jane Smith"]


def test_a_phone_search_with_a_name_narrows_it(
        db: Database, people: dict[str, Customer]) -> None:
    assert names(search_customers(db, "555")) == ["Bob Jones", "Jane Smith"]
    assert names(search_customers(db, "jones 555")) == ["Bob Jones"]
    assert search_customers(db, "jones 0123") == []


@pytest.mark.parametrize(("query", "expected"), [
    ("jane@example.com", ["Jane Smith"]),
    ("jane@", ["Jane Smith"]),
    ("example.com", ["Jane Smith"]),
    ("zm@theatre", ["Zoë Müller"]),
    ("mail.org", ["Bob Jones"]),
])
def test_search_finds_emails(db: Database, people: dict[str, Customer],
                             query: str, expected: list[str]) -> None:
    assert names(search_customers(db, query)) == expected


def test_search_follows_edits_and_limits(
        db: Database, house: House, people: dict[str, Customer]) -> None:
    update_customer(db, house.seller, people["jane"].id, name="Jane Doe",
                    phone="+44 20 7946 0000", email="jd@example.net")
    assert names(search_customers(db, "smith")) == ["Bob Jones"]   # by email only now
    assert names(search_customers(db, "doe")) == ["Jane Doe"]
    assert search_customers(db, "555 012") == []
    assert names(search_customers(db, "7946")) == ["Jane Doe"]
    assert search_customers(db, "example.com") == []
    assert names(search_customers(db, "example.net")) == ["Jane Doe"]
    assert len(search_customers(db, "555", limit=1)) == 1
    assert search_customers(db, "555", limit=0) == []


GARBAGE = ['', '   ', '"', '""', '"smi', 'smi"', 'sm"ith', "'", "*", "smi*", "-smith",
           "NOT smith", "AND", "OR", "smith OR jones", "smith AND", "NEAR(smith jones)",
           "NEAR", "(", "(smith", ")", "name:smith", "{name}: smith", "^smith", "+", "-",
           "--", "@", "@@", ".", "%", "_", "\\", "\x00", "smith\x00jones", "\ud800",
           "💥", "ß", "\u0301", "name : ", "* OR *", '"" AND ""', "555 (", "++1"]


@pytest.mark.parametrize("query", GARBAGE)
def test_garbage_and_fts_operators_never_raise(
        db: Database, people: dict[str, Customer], query: str) -> None:
    found = search_customers(db, query)
    assert all(isinstance(customer, Customer) for customer in found)


@pytest.mark.parametrize("query", ['"smi', "smi*", "-smith", "(smith", "^smith", "smith)"])
def test_operators_around_a_name_are_ignored(
        db: Database, people: dict[str, Customer], query: str) -> None:
    assert names(search_customers(db, query))[0] == "Jane Smith"


FTS_SYNTAX = st.sampled_from(['"', "*", "-", "+", "(", ")", ":", "^", "{", "}", "AND", "OR",
                              "NOT", "NEAR", "NEAR/2", ",", "@", ".", "smi", "555", "jane",
                              " "])


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.one_of(st.text(), st.lists(FTS_SYNTAX, max_size=12).map("".join),
                       st.lists(FTS_SYNTAX, max_size=12).map(" ".join)))
def test_no_typed_text_makes_search_raise(
        db: Database, people: dict[str, Customer], query: str) -> None:
    assert len(search_customers(db, query, limit=5)) <= 5


# -- order history and will-call -------------------------------------------------------

def test_order_history_is_newest_first_with_counts_and_performances(
        db: Database, house: House, people: dict[str, Customer]) -> None:
    jane = people["jane"]
    add_order(db, house, "W-100", customer=jane, created_at=stamp(day_at(-50, "12:00")),
              tickets=[(house.first_night, 0, "live"), (house.first_night, 1, "refunded")])
    add_order(db, house, "W-300", customer=jane, created_at=stamp(day_at(-5, "18:30")),
              tickets=[(house.second_night, 2, "live"), (house.first_night, 3, "live")],
              delivery="will_call")
    add_order(db, house, "W-200", customer=jane, created_at=stamp(day_at(-18, "09:00")),
              tickets=[], status="voided")
    add_order(db, house, "W-999", customer=people["bob"],
              created_at=stamp(day_at(0, "09:00")), tickets=[(house.second_night, 4, "live")])
    history = order_history(db, jane.id)
    assert [order.number for order in history] == ["W-300", "W-200", "W-100"]
    latest, voided, first = history
    assert latest.created_at == day_at(-5, "18:30")
    assert (latest.tickets, latest.live_tickets, latest.delivery) == (2, 2, "will_call")
    assert [p.performance_id for p in latest.performances] == [house.first_night,
                                                                house.second_night]
    assert latest.performances[0].event_name == "The Seagull"
    assert (voided.status, voided.tickets, voided.performances) == ("voided", 0, ())
    assert (first.tickets, first.live_tickets, first.total_cents) == (2, 1, 9000)
    assert order_history(db, people["zoe"].id) == []


def test_will_call_lists_waiting_orders_by_name_with_live_ticket_counts(
        db: Database, house: House, people: dict[str, Customer]) -> None:
    jane, zoe, bob = people["jane"], people["zoe"], people["bob"]
    set_flags(db, house.seller, zoe.id, ["accessibility"])
    night = house.first_night
    at = stamp(day_at(-10, "10:00"))
    add_order(db, house, "W-1", customer=zoe, created_at=at, delivery="will_call",
              tickets=[(night, 0, "live"), (night, 1, "live"), (night, 2, "refunded")])
    add_order(db, house, "W-2", customer=bob, created_at=at, delivery="will_call",
              status="deposit", tickets=[(night, 3, "live"), (house.second_night, 3, "live")])
    add_order(db, house, "W-3", customer=jane, created_at=at, delivery="print",
              tickets=[(night, 4, "live")])
    add_order(db, house, "W-4", customer=jane, created_at=at, delivery="will_call",
              tickets=[(night, 5, "refunded")])
    add_order(db, house, "W-5", customer=jane, created_at=at, delivery="will_call",
              tickets=[(house.second_night, 0, "live")])
    add_order(db, house, "W-6", customer=jane, created_at=at, delivery="will_call",
              picked_up_at=at, tickets=[(night, 5, "live")])
    waiting = will_call(db, night)
    assert [(entry.customer_name, entry.order_number, entry.tickets) for entry in waiting] == [
        ("Bob Jones", "W-2", 1), ("Zoë Müller", "W-1", 2)]
    bob_entry, zoe_entry = waiting
    assert bob_entry.order_status == "deposit" and bob_entry.phone == "5559876543"
    assert zoe_entry.flags == {"accessibility"} and zoe_entry.customer_id == zoe.id
    assert [entry.order_number for entry in will_call(db, house.second_night)] == [
        "W-2", "W-5"]


def test_an_order_is_picked_up_once(db: Database, house: House,
                                    people: dict[str, Customer]) -> None:
    night = house.first_night
    order_id = add_order(db, house, "W-1", customer=people["zoe"], delivery="will_call",
                         created_at=stamp(day_at(-10, "10:00")), tickets=[(night, 0, "live")])
    printed = add_order(db, house, "W-2", customer=people["bob"], delivery="print",
                        created_at=stamp(day_at(-10, "10:00")), tickets=[(night, 1, "live")])
    pickup = day_at(11, "18:40") + timedelta(seconds=12)
    when = mark_picked_up(db, house.seller, order_id, now=pickup + timedelta(microseconds=345))
    assert when == pickup
    assert will_call(db, night) == []
    assert order_history(db, people["zoe"].id)[0].picked_up_at == when
    with pytest.raises(BoxOfficeError) as caught:
        mark_picked_up(db, house.seller, order_id)
    assert caught.value.code == "already_picked_up"
    with pytest.raises(BoxOfficeError) as caught:
        mark_picked_up(db, house.seller, printed)
    assert caught.value.code == "not_will_call"
    assert journal_rows(db, "order.picked_up") == [
        ("sam", f"order:{order_id}", {"number": "W-1"})]
    assert journal.verify(db).ok


def test_a_card_number_typed_into_a_customer_field_is_refused(db: Database) -> None:
    from core.money import TenderError

    seller = get_user(db, "sam")
    for field in ("name", "phone", "email", "notes"):
        with pytest.raises(TenderError) as caught:
            create_customer(db, seller,
                            **{"name": "Ann Lee", field: "4111 1111 1111 1111"})  # type: ignore[arg-type]
        assert caught.value.code == "card_number"
    assert db.execute("SELECT count(*) FROM customers").fetchone()[0] == 0
