"""Account credit: a refund kept as the customer's credit, spent later as a tender; the
balance is read from the payments and equals what the journal alone says; it never goes
below zero, belongs to a customer, and comes back when an order paid with it is refunded."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from core.migrations import migrations
from core.sales import aftersale, carts, checkout, credit
from core.sales.credit import CreditError
from core.sales.orders import OrderError
from core.sales.tenders import Tender
from core.store.db import Database, connect, integrity_errors, write
from core.store.schema import migrate
from core.till import shifts
from tests.support.constants import FIXED_NOW
from tests.support.order_helpers import customer, sell
from tests.support.selling_helpers import STATION, cart_with, hall_performance, user


def test_a_refund_to_credit_is_spent_later_and_comes_back(demo_db: Database) -> None:
    cora, sam = user(demo_db, "cora"), user(demo_db, "sam")
    rosa = customer(demo_db, "Rosa Diaz")
    order = sell(demo_db, ["ORCH-F-107", "ORCH-F-108"], who=rosa)
    refunded = aftersale.refund(demo_db, cora, order.id, reason="moved abroad",
                                station=STATION, now=FIXED_NOW, to="credit")
    assert refunded.paid_cents == 0
    assert credit.credit_balance(demo_db, rosa.id) == 27648
    assert credit.credit_from_journal(demo_db, rosa.id) == 27648
    show = hall_performance(demo_db)
    # more than the credit, or with no customer: refused, nothing sold
    for customer_id, amount in ((rosa.id, 27649 * 2), (None, 100)):
        cart_id = cart_with(demo_db, sam, show, ["ORCH-G-107", "ORCH-G-108", "ORCH-G-109",
                                                 "ORCH-G-110"], FIXED_NOW)
        with pytest.raises(CreditError):
            checkout.checkout(demo_db, sam, cart_id, [Tender("credit", amount)],
                              station=STATION, now=FIXED_NOW, customer_id=customer_id)
        carts.cancel_cart(demo_db, sam, cart_id, FIXED_NOW)
    cart_id = cart_with(demo_db, sam, show, ["ORCH-G-107"], FIXED_NOW)
    price = 13824
    spent = checkout.checkout(demo_db, sam, cart_id, [Tender("credit", price)],
                              station=STATION, now=FIXED_NOW, customer_id=rosa.id)
    assert spent.status == "complete"
    assert credit.credit_balance(demo_db, rosa.id) == 27648 - price
    # refunding what credit paid for gives the credit back, never cash
    aftersale.refund(demo_db, cora, spent.id, reason="wrong date", station=STATION,
                     now=FIXED_NOW)
    assert credit.credit_balance(demo_db, rosa.id) == 27648
    assert credit.credit_from_journal(demo_db, rosa.id) == 27648
    moves = credit.credit_history(demo_db, cora, rosa.id)
    assert [m.amount_cents for m in moves] == [27648, -price, price]
    # the drawer's cash did not move for any of it
    sams = shifts.current_shift(demo_db, sam.id)
    assert sams is not None
    figures = {t.tender: t for t in shifts.x_report(demo_db, sams.id, FIXED_NOW).figures.tenders}
    assert "credit" in figures


def test_credit_needs_a_customer_on_the_order(demo_db: Database) -> None:
    order = sell(demo_db, ["ORCH-F-107"])
    with pytest.raises(OrderError) as refused:
        aftersale.refund(demo_db, user(demo_db, "cora"), order.id, reason="x",
                         station=STATION, now=FIXED_NOW, to="credit")
    assert refused.value.code == "no_customer"


def test_an_older_database_takes_credit_payments_after_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = connect(path)
    with write(db):
        migrations.apply(sqlite_utils.Database(db.conn), stop_before="0017_account_credit")
    db.close()
    db = connect(path)
    assert "0017_account_credit" in migrate(db)
    sql = db.execute("SELECT sql FROM sqlite_schema WHERE name = 'payments'").fetchone()[0]
    assert "'credit'" in sql
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with pytest.raises(integrity_errors()):
        db.execute("INSERT INTO payments (order_id, tender, amount_cents, status, user_id, "
                   "station, created_at) VALUES (1, 'voucher', 1, 'approved', 1, 'w', 'x')")
