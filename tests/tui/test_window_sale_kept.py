"""A sale is never lost: the hold while money is taken (and behind the idle lock), Ctrl+Q
with a cart, a seller's open cart coming back at sign-in, a supervisor asked before the
seller types anything, an empty PIN that is not a try."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from core.sales import carts, orders
from core.store.db import Database
from core.times import stamp
from tests.support.app_helpers import Clock, make_app, settled_text, sign_in, text_of
from tests.support.constants import FIXED_NOW
from tests.support.order_helpers import sell
from tests.support.selling_helpers import HOLD, STATION, cart_with, hall_performance, seat, user
from tests.tui.test_app_orders import look_up
from tests.tui.test_app_selling import open_hall, pay_cash
from tui.screens.dialogs import AskText, Confirm, SupervisorOverride
from tui.screens.login import LockScreen
from tui.screens.payment import PaymentModal, SaleDone


def cart_row(db: Database, cart_id: int | None) -> tuple[str, str]:
    status, expires_at = db.execute("SELECT status, expires_at FROM carts WHERE id = ?",
                                    [cart_id]).fetchone()
    return str(status), str(expires_at)


async def test_the_hold_lasts_while_money_is_taken_even_behind_the_idle_lock(
        demo_db: Database, tmp_path: Path) -> None:
    clock = Clock()
    app = make_app(demo_db, tmp_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await open_hall(pilot)
        await pilot.press("space")
        await pilot.pause()
        cart_id = app.sale.cart_id
        assert cart_id is not None
        await pay_cash(pilot, "500")
        assert isinstance(app.screen, PaymentModal)
        assert "Seats held 10:00" in text_of(app, "#payment-hold")
        # the seller counts the cash for 9 minutes, then the window idle-locks: the
        # hold is pushed out every 30 s, so it never runs out under the lock
        for _ in range(16):
            clock.advance(minutes=1)
            await pilot.pause(1.1)
        assert isinstance(app.screen, LockScreen)
        status, expires = cart_row(demo_db, cart_id)
        assert status == "open" and expires > stamp(clock())
        # ... but never past the hard ceiling: 20 minutes after the payment opened
        assert expires <= stamp(FIXED_NOW + timedelta(minutes=20))
        await pilot.press(*"1111", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PaymentModal)
        assert "Seats held" in text_of(app, "#payment-hold")
        await pilot.press("enter")                     # confirm: the sale goes through
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SaleDone)
        assert cart_row(demo_db, cart_id)[0] == "ordered"


async def test_a_hold_that_ran_out_under_the_lock_is_said_at_unlock(
        demo_db: Database, tmp_path: Path) -> None:
    clock = Clock()
    app = make_app(demo_db, tmp_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await open_hall(pilot)
        await pilot.press("space", "ctrl+l")
        await pilot.pause()
        clock.advance(minutes=11)                      # the cart's hold is 10 minutes
        await pilot.pause(1.1)
        await pilot.press(*"1111", "enter")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("hold ran out while the window was locked" in m for m in said), said


async def test_ctrl_q_with_a_cart_asks_and_puts_the_seats_back(
        demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await open_hall(pilot)
        await pilot.press("space")
        await pilot.pause()
        cart_id = app.sale.cart_id
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert "1 ticket" in str(app.screen.question)
        await pilot.press("n")                         # no: the sale stays
        await pilot.pause()
        assert app.is_running and cart_row(demo_db, cart_id)[0] == "open"
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert cart_row(demo_db, cart_id)[0] == "cancelled"
    claims = demo_db.execute("SELECT count(*) FROM seat_claims WHERE cart_id = ?",
                             [cart_id]).fetchone()[0]
    assert claims == 0


async def test_a_seller_signing_in_again_gets_their_open_cart_back(
        demo_db: Database, tmp_path: Path) -> None:
    sam = user(demo_db, "sam")
    # the window closed without ending the sale (a dropped SSH session)
    cart_id = cart_with(demo_db, sam, hall_performance(demo_db), ["ORCH-B-101"], FIXED_NOW)
    other = carts.open_cart(demo_db, sam, "window-2", FIXED_NOW, HOLD)   # another window's
    carts.add_seats(demo_db, sam, other, hall_performance(demo_db),
                    [seat(demo_db, hall_performance(demo_db), "ORCH-B-102")], "ADULT",
                    FIXED_NOW, HOLD)
    app = make_app(demo_db, tmp_path, station=STATION)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        assert app.sale.cart_id == cart_id
        await open_hall(pilot)
        assert "1 ticket" in text_of(app, "#cart-head")
        # the line itself, not only the count and the totals (a resumed cart's table
        # kept the height it had empty until the next change)
        assert "ORCH B-101" in await settled_text(pilot)


async def test_an_empty_pin_on_the_lock_screen_is_not_a_try(
        demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        for _ in range(6):
            await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        assert "Type your PIN" in text_of(app, "#pin-message")
        failed = demo_db.execute("SELECT failed_logins, locked FROM users WHERE username = "
                                 "'sam'").fetchone()
        assert tuple(failed) == (0, 0)
        await pilot.press(*"1111", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, LockScreen)


async def test_the_supervisor_is_asked_first_and_a_wrong_pin_asks_again(
        demo_db: Database, tmp_path: Path) -> None:
    order = sell(demo_db, ["ORCH-C-101"])
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await look_up(pilot, order.number)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, SupervisorOverride)     # before the reason
        await pilot.press(*"cora", "enter", *"9999", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SupervisorOverride)     # asked again, not thrown away
        assert "wrong" in str(app.screen.refused)
        await pilot.press(*"cora", "enter", *"3333", "enter")
        await pilot.pause()
        assert isinstance(app.screen, AskText)                # now the reason
        await pilot.press(*"customer ill", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        after = orders.get_order(demo_db, order.id)
        assert [t.status for t in after.tickets] == ["refunded"]


async def test_the_exchange_line_names_the_order_number(
        demo_db: Database, tmp_path: Path) -> None:
    order = sell(demo_db, ["ORCH-C-102"])
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await look_up(pilot, order.number)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"another night", "enter")
        await pilot.pause()
        await open_hall(pilot)
        assert f"of order {order.number};" in text_of(app, "#cart-totals")


async def test_the_key_typed_right_after_the_pin_reaches_the_map(
        demo_db: Database, tmp_path: Path) -> None:
    from core.people.accounts import create_user
    from core.till import shifts
    from tui.screens.shift import OpenShiftModal

    create_user(demo_db, user(demo_db, "ada"), "sue", "Sue Seller", "seller", "5555")
    clock = Clock()
    app = make_app(demo_db, tmp_path, clock=clock, station="window-9")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sue", "5555", float_twenties=None)   # the float put off
        assert shifts.current_shift(demo_db, user(demo_db, "sue").id) is None
        await open_hall(pilot)
        clock.advance(minutes=5, seconds=2)          # the idle lock
        await pilot.pause(1.3)
        assert isinstance(app.screen, LockScreen)
        await pilot.press(*"5555", "enter", "space")
        await pilot.pause()
        # no float dialog came back over the map to swallow the Space
        assert not isinstance(app.screen, OpenShiftModal)
        view = app.sale.view(demo_db)
        assert view is not None and view.ticket_count == 1


async def test_another_seller_at_the_lock_lands_on_the_list_with_the_cart(
        demo_db: Database, tmp_path: Path) -> None:
    from tui.screens.performances import PerformancesScreen

    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await open_hall(pilot)
        await pilot.press("space")
        await pilot.pause()
        cart_id = app.sale.cart_id
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("shift+tab", "ctrl+u", *"cora", "enter", *"3333", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PerformancesScreen)
        assert [type(s).__name__ for s in app.screen_stack][1:] == ["PerformancesScreen"]
        assert app.sale.cart_id == cart_id and app.seller.username == "cora"
