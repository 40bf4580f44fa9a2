"""Finding an order from what a customer brings: number, name, phone, serial, ticket code."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.gate import keys
from core.gate.codes import Signer, TokenRejected
from core.sales import aftersale, lookup, orders
from core.sales.lookup import OrderLookupError
from core.store.db import Database
from tests.support.order_helpers import NOW, customer, sell
from tests.support.selling_helpers import user

# The demo database and a signer for its ticket codes.
Shop = tuple[Database, Signer]


@pytest.fixture
def shop(demo_db: Database, tmp_path: Path) -> Shop:
    keys.ensure_signing_key(demo_db, tmp_path / "keys")
    return demo_db, keys.load_signer(demo_db, tmp_path / "keys")


def test_by_number_then_phone_digits_in_any_shape(shop: Shop) -> None:
    db, _ = shop
    ana = customer(db, "Ana Ruiz", phone="+1 (555) 019-9123")
    first = sell(db, ["ORCH-A-101"], who=ana)
    second = sell(db, ["ORCH-A-102"], who=ana)
    sell(db, ["ORCH-A-103"])
    found = lookup.find_orders(db, first.number)
    assert [m.number for m in found] == [first.number]
    assert found[0].matched == "order number" and found[0].customer_name == "Ana Ruiz"
    by_phone = lookup.find_orders(db, "555 0199")
    assert [m.order_id for m in by_phone] == [second.id, first.id]   # newest first
    assert {m.matched for m in by_phone} == {"customer"}
    assert [m.order_id for m in lookup.find_orders(db, "ruiz")] == [second.id, first.id]
    assert lookup.find_orders(db, "nobody here") == []
    assert lookup.find_orders(db, "   ") == []


def test_a_ticket_code_finds_its_order_by_the_decoded_ticket(shop: Shop) -> None:
    db, signer = shop
    order = sell(db, ["ORCH-B-101", "ORCH-B-102"])
    ticket = order.tickets[1]
    code = orders.ticket_code(signer, ticket)
    (match,) = lookup.find_orders(db, f"  {code.lower()}\n")
    assert (match.order_id, match.ticket_id) == (order.id, ticket.id)
    assert "REPLACED" not in match.matched
    (by_serial,) = lookup.find_orders(db, ticket.serial.lower())
    assert by_serial.ticket_id == ticket.id
    # after a reprint the old copy still finds the order, marked as replaced
    aftersale.reprint(db, user(db, "cora"), ticket.id, reason="torn", now=NOW)
    (old,) = lookup.find_orders(db, code)
    assert old.order_id == order.id and "REPLACED" in old.matched


def test_garbage_and_forged_codes_are_refused_with_a_reason(shop: Shop) -> None:
    db, signer = shop
    order = sell(db, ["ORCH-C-101"])
    with pytest.raises(TokenRejected) as garbage:
        lookup.find_orders(db, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert garbage.value.code == "malformed" and "not one of our ticket codes" in str(
        garbage.value)
    code = orders.ticket_code(signer, order.tickets[0])
    forged = code[:40] + ("A" if code[40] != "A" else "B") + code[41:]
    with pytest.raises(TokenRejected) as bad:
        lookup.find_orders(db, forged)
    assert bad.value.code == "bad_signature"
    missing = signer.sign(999_999, order.tickets[0].performance_id, 1)
    with pytest.raises(OrderLookupError) as unknown:
        lookup.find_orders(db, missing)
    assert unknown.value.code == "unknown_ticket"


def test_order_detail_has_customer_seller_and_will_call(shop: Shop) -> None:
    db, _ = shop
    ana = customer(db, "Ana Ruiz", flags=("vip",))
    order = sell(db, ["ORCH-D-101"], who=ana, delivery="will_call")
    detail = lookup.order_detail(db, order.id)
    assert detail.customer == ana and detail.seller == "Sam Seller"
    assert detail.will_call_waiting
    assert [p.event_name for p in detail.performances.values()] == ["The Marriage of Figaro"]
    assert lookup.order_counts(db, [ana.id, 12345]) == {ana.id: 1}
