"""A card payment whose terminal answer was lost, settled from the order screen: found with
'pending' in order lookup, a seller needs a supervisor, declined frees the seats and
approved issues the tickets."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from core.sales import carts, checkout
from core.sales.orders import get_order
from core.sales.tenders import Tender
from core.store.db import Database
from core.venue import inventory
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import STATION, cart_with, hall_performance, seat, user
from tui.screens.dialogs import AskText, SupervisorOverride
from tui.screens.order_detail import OrderDetailScreen


def lost_answer(db: Database, label: str) -> int:
    sam, show = user(db, "sam"), hall_performance(db)
    cart_id = cart_with(db, sam, show, [label], FIXED_NOW)
    total = carts.view_cart(db, cart_id).total_cents
    return checkout.checkout(db, sam, cart_id, [Tender(
        "card", total, card_brand="VISA", card_last4="0005", status="unknown")],
        station=STATION, now=FIXED_NOW).id


async def open_pending(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+o")
    await pilot.pause()
    await pilot.press(*"pending", "enter")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, OrderDetailScreen)


async def test_a_seller_settles_a_decline_with_a_supervisor(demo_db: Database,
                                                            tmp_path: Path) -> None:
    order_id = lost_answer(demo_db, "ORCH-J-103")
    show = hall_performance(demo_db)
    assert seat(demo_db, show, "ORCH-J-103") in inventory.seat_states(demo_db, show, FIXED_NOW)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        await open_pending(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AskText)
        await pilot.press(*"declined", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SupervisorOverride)
        await pilot.press(*"cora", "tab", *"3333", "enter")
        await pilot.pause()
        assert isinstance(app.screen, OrderDetailScreen)
        assert "CANCELLED" in text_of(app, "#heading").upper()
    assert get_order(demo_db, order_id).status == "cancelled"
    assert seat(demo_db, show, "ORCH-J-103") not in inventory.seat_states(demo_db, show,
                                                                          FIXED_NOW)


async def test_a_coordinator_settles_an_approval(demo_db: Database, tmp_path: Path) -> None:
    order_id = lost_answer(demo_db, "ORCH-J-104")
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await open_pending(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"A1B2C3", "enter")
        await pilot.pause()
        assert isinstance(app.screen, OrderDetailScreen)
    order = get_order(demo_db, order_id)
    assert order.status == "complete" and len(order.tickets) == 1
    assert order.payments[0].approval_code == "A1B2C3"


async def test_the_close_out_names_pending_payments_before_the_count(
        demo_db: Database, tmp_path: Path) -> None:
    from tui.screens.shift_count import CountModal

    lost_answer(demo_db, "ORCH-J-105")
    number = get_order(demo_db, 1).number
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("c")                        # count & close
        await pilot.pause()
        assert not isinstance(app.screen, CountModal)
        notes = [str(note.message) for note in app._notifications]
        assert any("settle the card payment" in note and number in note for note in notes)
