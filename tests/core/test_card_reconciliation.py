"""Card reconciliation: the processor's CSV read by the config's mapping, matched on
amount, time, last 4 and approval code; the rest becomes a worklist."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.config import CardReconciliationConfig
from core.money import TenderError
from core.sales import carts, checkout
from core.sales.models import Order
from core.sales.tenders import Tender
from core.store.db import Database
from core.till import cards
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.selling_helpers import STATION, cart_with, hall_performance, user

NOW = FIXED_NOW
RULES = CardReconciliationConfig()


def card_sale(db: Database, label: str, last4: str, approval: str, at: datetime) -> Order:
    cora = user(db, "cora")
    cart_id = cart_with(db, cora, hall_performance(db), [label], at)
    total = carts.view_cart(db, cart_id).total_cents
    return checkout.checkout(db, cora, cart_id, [Tender(
        "card", total, card_brand="VISA", card_last4=last4, approval_code=approval)],
        station=STATION, now=at)


def local(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime("%Y-%m-%d %H:%M:%S")


def test_rows_match_by_amount_time_last4_and_approval(demo_db: Database) -> None:
    db = demo_db
    a = card_sale(db, "ORCH-A-101", "4242", "AAA1", NOW)
    b = card_sale(db, "ORCH-A-102", "4242", "BBB2", NOW + timedelta(minutes=2))
    lost = card_sale(db, "ORCH-A-103", "1881", "CCC3", NOW + timedelta(minutes=3))
    late = NOW + timedelta(hours=3)        # outside the tolerance: no match
    text = ("Transaction Time,Amount,Card Last 4,Approval Code,Reference\n"
            f"{local(NOW + timedelta(minutes=2))},138.24,4242,BBB2,R1\n"   # b, not a
            f"{local(NOW + timedelta(minutes=1))},138.24,4242,,R2\n"       # a, by time
            f"{local(late)},138.24,1881,CCC3,R3\n"
            f"{local(NOW)},-20.00,9999,Q1,R4\n")
    result = cards.import_settlement(db, user(db, "cora"), text, source_name="day.csv",
                                     rules=RULES, zone=ZONE, now=NOW)
    assert (result.rows, result.matched, result.unmatched_rows) == (4, 2, 2)
    matched = dict(db.execute("SELECT reference, payment_id FROM card_settlement_rows "
                              "WHERE payment_id IS NOT NULL"))
    assert matched == {"R1": b.payments[0].id, "R2": a.payments[0].id}
    items = cards.worklist(db)
    assert sorted((d.side, d.amount_cents) for d in items) == [
        ("boxoffice", 13824), ("processor", -2000), ("processor", 13824)]
    assert next(d for d in items if d.side == "boxoffice").payment_id == lost.payments[0].id
    item = items[0]
    noted = cards.annotate(db, user(db, "cora"), item.id, note="called the processor",
                           now=NOW)
    assert "called the processor" in noted.notes and noted.status == "open"
    done = cards.resolve(db, user(db, "cora"), item.id, resolution="refund of another day",
                         now=NOW)
    assert done.status == "resolved" and len(cards.worklist(db)) == 2
    with pytest.raises(cards.CardReconciliationError) as again:
        cards.resolve(db, user(db, "cora"), item.id, resolution="x", now=NOW)
    assert again.value.code == "already_resolved"


def test_the_column_mapping_comes_from_config_and_bad_files_are_refused(demo_db: Database) -> None:
    db = demo_db
    card_sale(db, "ORCH-A-101", "4242", "AAA1", NOW)
    rules = CardReconciliationConfig(amount_column="amt", time_column="when",
                                     last4_column="pan4", approval_column="auth",
                                     reference_column="", time_format="%d/%m/%Y %H:%M",
                                     amount_unit="cents", delimiter=";")
    text = f"when;amt;pan4;auth\n{NOW.astimezone(ZONE):%d/%m/%Y %H:%M};13824;4242;AAA1\n"
    result = cards.import_settlement(db, user(db, "cora"), text, source_name="x.csv",
                                     rules=rules, zone=ZONE, now=NOW)
    assert result.matched == 1 and cards.worklist(db) == []
    with pytest.raises(cards.CardReconciliationError, match="no column 'Amount'"):
        cards.parse_settlement("when,amt\n", RULES, ZONE)
    with pytest.raises(TenderError) as pan:
        cards.parse_settlement("Transaction Time,Amount,Card Last 4,Approval Code,Reference\n"
                               f"{NOW:%Y-%m-%d %H:%M:%S},1.00,4111111111111111,A,B\n", RULES, ZONE)
    assert pan.value.code == "card_number"
    with pytest.raises(cards.CardReconciliationError) as half:
        cards.parse_settlement("Transaction Time,Amount,Card Last 4,Approval Code,Reference\n"
                               f"{NOW:%Y-%m-%d %H:%M:%S},1.005,4242,A,B\n", RULES, ZONE)
    assert half.value.code == "bad_csv"
