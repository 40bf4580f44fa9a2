"""Consent, a customer's data on request, and being forgotten with the accounts intact."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest

from core.errors import BoxOfficeError
from core.report_model import Scope, to_json
from core.reports import catalogue
from core.sales import cases, customers
from core.sales.customer_data import anonymise_customer, export_customer, set_consent
from core.store import journal
from core.store.db import Database
from tests.support.constants import FIXED_NOW
from tests.support.order_helpers import customer, sell
from tests.support.selling_helpers import hall_performance, user

ZONE = ZoneInfo("America/New_York")


def test_consent_is_recorded_and_asked(demo_db: Database) -> None:
    who = customer(demo_db, "Ann Lee", email="ann@example.org")
    assert who.consent == "none" and not who.may_contact("email")
    sam = user(demo_db, "sam")
    who = set_consent(demo_db, sam, who.id, "email, mail", now=FIXED_NOW)
    assert who.consent == "mail,email" and who.may_contact("email") and who.may_contact("mail")
    who = set_consent(demo_db, sam, who.id, "none", now=FIXED_NOW)
    assert not who.may_contact("mail")
    with pytest.raises(BoxOfficeError) as bad:
        set_consent(demo_db, sam, who.id, "carrier pigeon", now=FIXED_NOW)
    assert bad.value.code == "bad_consent"
    assert customers.get_customer(demo_db, who.id).consent == "none"


def test_an_export_holds_everything_about_them(demo_db: Database) -> None:
    who = customer(demo_db, "Ann Lee", phone="5550123", email="ann@example.org")
    order = sell(demo_db, ["ORCH-B-101"], who=who)
    sam = user(demo_db, "sam")
    cases.open_case(demo_db, sam, kind="inquiry", channel="phone", category="Access",
                    description="Step-free entrance?", customer_id=who.id, now=FIXED_NOW)
    data = export_customer(demo_db, sam, who.id, now=FIXED_NOW)
    json.dumps(data)                                   # plain data, all of it
    assert data["customer"]["email"] == "ann@example.org"
    assert [o["number"] for o in data["orders"]] == [order.number]
    assert data["orders"][0]["tickets"][0]["seat"].endswith("B-101")
    assert data["cases"][0]["description"] == "Step-free entrance?"


def test_forgotten_but_the_accounts_do_not_change(demo_db: Database) -> None:
    who = customer(demo_db, "Ann Lee", phone="5550123", email="ann@example.org")
    order = sell(demo_db, ["ORCH-B-101", "ORCH-B-102"], who=who)
    sam = user(demo_db, "sam")
    case = cases.open_case(demo_db, sam, kind="complaint", channel="phone",
                           category="Staff", description="Ann Lee was shouted at",
                           customer_id=who.id, now=FIXED_NOW)
    cases.add_note(demo_db, sam, case.id, "Ann's number is 555 0123", now=FIXED_NOW)
    cora = user(demo_db, "cora")
    scope = Scope(zone=ZONE, now=FIXED_NOW, performance_id=hall_performance(demo_db))
    before = [to_json(catalogue.build_report(demo_db, cora, name, scope))
              for name in ("settlement", "sales")]
    gone = anonymise_customer(demo_db, sam, who.id, now=FIXED_NOW)
    assert (gone.name, gone.phone, gone.email, gone.notes) == (
        f"Anonymised customer {who.id}", "", "", "")
    assert customers.search_customers(demo_db, "Ann") == []
    assert customers.search_customers(demo_db, "5550123") == []
    wiped = cases.get_case(demo_db, sam, case.id)
    assert wiped.description == "(anonymised)" and wiped.notes[0].text == "(anonymised)"
    # the order is still theirs, whole; the reports read the same to the cent
    assert demo_db.execute("SELECT customer_id FROM orders WHERE id = ?",
                           [order.id]).fetchone()[0] == who.id
    after = [to_json(catalogue.build_report(demo_db, cora, name, scope))
             for name in ("settlement", "sales")]
    assert after == before
    assert journal.verify(demo_db).ok
    with pytest.raises(BoxOfficeError) as again:
        anonymise_customer(demo_db, sam, who.id, now=FIXED_NOW)
    assert again.value.code == "already_anonymised"
