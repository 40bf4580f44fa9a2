"""Regressions for bugs an independent review of the money and gate paths found."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core.gate import checkin
from core.people.permissions import Override, PermissionDenied
from core.sales import aftersale, carts, checkout, consignment, orders
from core.sales.orders import OrderError
from core.sales.tenders import Tender
from core.seatmap import SeatMapInvalid
from core.venue import performances, venues
from core.venue.inventory import SeatUnavailable
from tests.support.constants import FIXED_NOW, REPO, ZONE
from tests.support.selling_helpers import HOLD, STATION, cart_with, hall_performance, seat, user

NOW = FIXED_NOW


def test_voiding_a_comp_pays_no_cash(demo_db) -> None:  # type: ignore[no-untyped-def]
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, cora, show, ["ORCH-A-101"], NOW)
    total = carts.view_cart(demo_db, cart_id).total_cents
    order = checkout.checkout(demo_db, cora, cart_id, [Tender("comp", total, reason="critic")],
                            station=STATION, now=NOW)
    voided = aftersale.void(demo_db, cora, order.id, reason="mistake", station=STATION, now=NOW,
                         zone=ZONE)
    assert [(p.tender, p.amount_cents) for p in voided.payments] == [("comp", total),
                                                                     ("comp", -total)]


def test_a_consignment_paid_on_account_refunds_on_account_not_in_cash(demo_db) -> None:  # type: ignore[no-untyped-def]
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    batch = consignment.issue(demo_db, cora, show, [seat(demo_db, show, "ORCH-B-101")],
                              "Hotel", station=STATION, now=NOW)
    order = orders.get_order(demo_db, batch.order_id)
    consignment.settle(demo_db, cora, batch.id, sold_ticket_ids=[order.tickets[0].id],
                       returned_ticket_ids=[], station=STATION, now=NOW,
                       tenders=[Tender("account", order.value_cents)])
    refunded = aftersale.refund(demo_db, cora, order.id, reason="hotel returned it",
                             station=STATION, now=NOW, to="cash")
    assert [p.tender for p in refunded.payments if p.amount_cents < 0] == ["account"]


def test_a_pending_order_cannot_be_voided_and_a_late_approval_is_paid_back(demo_db) -> None:  # type: ignore[no-untyped-def]
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, cora, show, ["ORCH-C-101"], NOW)
    total = carts.view_cart(demo_db, cart_id).total_cents
    first = Tender("card", 5000, card_brand="VISA", card_last4="0001", status="unknown")
    second = Tender("card", total - 5000, card_brand="VISA", card_last4="0002",
                    status="unknown")
    order = checkout.checkout(demo_db, cora, cart_id, [first, second], station=STATION, now=NOW)
    with pytest.raises(OrderError) as caught:
        aftersale.void(demo_db, cora, order.id, reason="walked away", station=STATION, now=NOW,
                    zone=ZONE)
    assert caught.value.code == "pending"
    one, two = order.payments
    checkout.resolve_card_payment(demo_db, cora, one.id, approved=False, approval_code=None,
                                station=STATION, now=NOW, hold=HOLD)
    late = checkout.resolve_card_payment(demo_db, cora, two.id, approved=True,
                                       approval_code="AB12", station=STATION, now=NOW,
                                       hold=HOLD)
    assert late.status == "cancelled" and late.paid_cents == 0   # charged, then paid back


def test_a_cheaper_exchange_on_an_unpaid_consignment_pays_no_cash(demo_db) -> None:  # type: ignore[no-untyped-def]
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    batch = consignment.issue(demo_db, cora, show, [seat(demo_db, show, "ORCH-D-101")],
                              "Hotel", station=STATION, now=NOW)
    order = orders.get_order(demo_db, batch.order_id)
    cheaper = cart_with(demo_db, cora, show, ["ORCH-D-102"], NOW, price_type="CHILD")
    swapped = aftersale.exchange(demo_db, cora, order.id, [order.tickets[0].id], cheaper, [],
                              reason="swap", station=STATION, now=NOW)
    assert [p for p in swapped.payments if p.amount_cents < 0] == []


def test_an_exchange_into_a_comp_needs_the_comp_permission(demo_db) -> None:  # type: ignore[no-untyped-def]
    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    # this house lets sellers exchange, but not comp
    demo_db.execute("INSERT INTO role_permissions (role, permission) VALUES "
                    "('seller', 'exchange')")
    order = checkout.checkout(demo_db, sam, cart_with(demo_db, sam, show, ["ORCH-E-101"], NOW),
                            [Tender("cash", 13824)], station=STATION, now=NOW)
    comp_cart = cart_with(demo_db, sam, show, ["ORCH-E-102"], NOW, price_type="COMP")
    with pytest.raises(PermissionDenied) as caught:
        aftersale.exchange(demo_db, sam, order.id, [order.tickets[0].id], comp_cart, [],
                        reason="upgrade", station=STATION, now=NOW)
    assert "comp" in caught.value.message
    swapped = aftersale.exchange(demo_db, sam, order.id, [order.tickets[0].id], comp_cart, [],
                              reason="upgrade", station=STATION, now=NOW,
                              override=Override("cora", "3333"))
    assert swapped.tickets[-1].flags & checkout.FLAG_COMP
    approvals = demo_db.execute("SELECT count(*) FROM journal WHERE action = "
                                "'override.approved' AND subject = 'permission:comp'")
    assert approvals.fetchone()[0] == 1


def test_a_reused_nonce_never_replays_an_admit_for_another_ticket(demo_db) -> None:  # type: ignore[no-untyped-def]
    from core.config import ticket_key_dir
    from core.gate import keys
    from core.store.schema import database_id

    sam, gia = user(demo_db, "sam"), user(demo_db, "gia")
    match = 3
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    cart = carts.add_area_places(demo_db, sam, cart_id, match, "FIELD", 2, "ADULT", NOW, HOLD)
    order = checkout.checkout(demo_db, sam, cart_id, [Tender("cash", cart.total_cents)],
                            station=STATION, now=NOW)
    path = Path(demo_db.execute("PRAGMA database_list").fetchone()[2])
    from core.config import Config

    key_dir = ticket_key_dir(Config(), path, database_id(demo_db))
    keys.ensure_signing_key(demo_db, key_dir)
    signer = keys.load_signer(demo_db, key_dir)
    first, second = (orders.ticket_code(signer, t) for t in order.tickets)
    at = performances.get_performance(demo_db, match).starts_at - timedelta(minutes=30)
    gate = checkin.open_gate(demo_db, gia, match, "North")
    assert checkin.scan(demo_db, gate, first, now=at, nonce="dev-1").word == "ADMIT"
    reused = checkin.scan(demo_db, gate, second, now=at, nonce="dev-1")
    assert not reused.admitted and reused.reason == "nonce_reused"
    assert checkin.scan(demo_db, gate, first, now=at, nonce="dev-1").replayed


def test_an_edited_map_may_not_drop_a_sold_seat(demo_db) -> None:  # type: ignore[no-untyped-def]
    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    checkout.checkout(demo_db, sam, cart_with(demo_db, sam, show, ["BOX-F-A-1"], NOW),
                    [Tender("cash", 16524)], station=STATION, now=NOW)
    text = (REPO / "seatmaps" / "aldridge-hall.toml").read_text()
    edited = text.replace('code = "BOX-F"', 'code = "BOX-G"')
    with pytest.raises(SeatMapInvalid, match="BOX-F A-1"):
        venues.import_seatmap(demo_db, user(demo_db, "ada"), edited, "hall.toml")
    with pytest.raises(SeatUnavailable):   # still sold, still there
        cart_with(demo_db, sam, show, ["BOX-F-A-1"], NOW)


def test_prices_cannot_change_under_a_pending_card_answer(demo_db) -> None:  # type: ignore[no-untyped-def]
    from core.config import PricingConfig
    from core.errors import BoxOfficeError
    from core.venue import pricing

    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, cora, show, ["ORCH-F-101"], NOW)
    total = carts.view_cart(demo_db, cart_id).total_cents
    lost = Tender("card", total, card_brand="VISA", card_last4="0001", status="unknown")
    order = checkout.checkout(demo_db, cora, cart_id, [lost], station=STATION, now=NOW)
    with pytest.raises(BoxOfficeError) as caught:
        pricing.set_price(demo_db, cora, show, "A", "ADULT", 20000, defaults=PricingConfig())
    assert caught.value.code == "pending_orders"
    done = checkout.resolve_card_payment(demo_db, cora, order.payments[0].id, approved=True,
                                       approval_code="OK1", station=STATION, now=NOW,
                                       hold=HOLD)
    assert done.status == "complete" and done.balance_cents == 0
    pricing.set_price(demo_db, cora, show, "A", "ADULT", 20000, defaults=PricingConfig())
