"""Selling at the window, from the keyboard: each test presses keys as a seller would,
then checks the database and the screen."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from core.money import format_cents
from core.store.db import Database
from tests.support.app_helpers import Clock, make_app, screen_text, sign_in, text_of
from tui.app import BoxOfficeApp
from tui.screens.login import LockScreen
from tui.screens.overview import SellOverviewScreen
from tui.screens.payment import PaymentModal, SaleDone
from tui.screens.sell import SellScreen
from tui.widgets.cart import CartLines, CartPanel
from tui.widgets.overview import OverviewMap
from tui.widgets.seatmap import SeatMap


def orders_of(db: Database) -> list[tuple]:  # type: ignore[type-arg]
    return db.execute("SELECT id, number, status, total_cents, delivery FROM orders "
                      "ORDER BY id").fetchall()


def payments_of(db: Database, order_id: int) -> list[tuple]:  # type: ignore[type-arg]
    return db.execute("SELECT tender, amount_cents, tendered_cents, change_cents, card_brand, "
                      "card_last4, shift_id FROM payments WHERE order_id = ? ORDER BY id",
                      [order_id]).fetchall()


def cart_panel(app: BoxOfficeApp) -> CartPanel:
    return app.screen.query_one(CartPanel)


async def open_hall(pilot: Pilot[None]) -> SellScreen:
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SellScreen)
    return pilot.app.screen


async def pay_cash(pilot: Pilot[None], handed: str) -> None:
    await pilot.press("p")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PaymentModal)
    await pilot.press("c", "ctrl+u", *handed, "enter")
    await pilot.pause()


async def confirm_and_print(pilot: Pilot[None]) -> None:
    await pilot.press("enter")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_reserved_sale_from_the_map_to_printed_tickets(
    demo_db: Database, tmp_path: Path,
) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot)
        screen = await open_hall(pilot)
        seat_map = screen.query_one(SeatMap)
        first = seat_map.seat
        await pilot.press("space", "right", "space")
        await pilot.pause()
        view = cart_panel(app).view
        assert view is not None and view.ticket_count == 2
        assert seat_map.states[first.key][0] == "mine"
        assert "Cart  2 tickets  seats held 10:00" in text_of(app, "#cart-head")
        # space on a seat of the cart takes it out again, and back in
        await pilot.press("space")
        await pilot.pause()
        assert cart_panel(app).view.ticket_count == 1
        await pilot.press("space")
        await pilot.pause()
        total = cart_panel(app).view.total_cents
        await pay_cash(pilot, "500")
        modal = app.screen
        assert isinstance(modal, PaymentModal) and modal.due == 0
        assert "CHANGE DUE" in text_of(app, "#payment-status")
        await confirm_and_print(pilot)
        assert isinstance(app.screen, SaleDone)
        [(order_id, number, status, order_total, delivery)] = orders_of(demo_db)
        assert (status, order_total, delivery) == ("complete", total, "print")
        [(tender, amount, handed, change, *_rest, shift_id)] = payments_of(demo_db, order_id)
        assert (tender, amount, handed, change) == ("cash", total, 50000, 50000 - total)
        assert shift_id is not None
        assert number in text_of(app, "#done-text")
        printed = demo_db.execute("SELECT count(*) FROM tickets WHERE order_id = ? AND "
                                  "printed_at IS NOT NULL", [order_id]).fetchone()[0]
        assert printed == 2
        assert len(list((tmp_path / "prints").glob("*-ticket-*.png"))) == 2
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SellScreen)
        assert cart_panel(app).view is None          # the next sale starts empty
        assert seat_map.states[first.key][0] == "sold"


async def test_best_available_then_a_card(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await open_hall(pilot)
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("ctrl+u", "3", "enter", "A", "enter", "enter")
        await pilot.pause()
        view = cart_panel(app).view
        assert view is not None and view.ticket_count == 3
        assert {line.zone for line in view.lines} == {"A"}
        assert len({line.row for line in view.lines}) == 1       # together, one row
        assert "Best available:" in text_of(app, "#info")
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("d", *"mc", "enter", *"1234", "enter", *"OK123", "enter", "enter")
        await pilot.pause()
        await confirm_and_print(pilot)
        [(order_id, *_rest)] = orders_of(demo_db)
        [(tender, amount, _, _, brand, last4, _)] = payments_of(demo_db, order_id)
        assert (tender, brand, last4, amount) == ("card", "MASTERCARD", "1234",
                                                   view.total_cents)


async def test_a_card_number_typed_into_a_card_field_is_refused(
    demo_db: Database, tmp_path: Path,
) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await open_hall(pilot)
        await pilot.press("space", "p")
        await pilot.pause()
        await pilot.press("d", *"visa", "enter", *"4242", "enter",
                          *"4242424242424242", "enter", "enter")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, PaymentModal) and modal.tenders == []
        assert "card number" in text_of(app, "#payment-hint")
        assert orders_of(demo_db) == []


async def test_general_admission_on_the_stadium_field(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SellOverviewScreen)
        assert app.screen.query_one(OverviewMap).select("FIELD")
        await pilot.press("enter")
        await pilot.pause()
        assert "2,500 of 2,500 left" in str(app.screen.query_one(Static).content)
        # one Enter a field: the area (filled in), how many, the price type
        await pilot.press("enter", "ctrl+u", "4", "enter", "enter")
        await pilot.pause()
        view = cart_panel(app).view
        assert view is not None and view.ticket_count == 4
        assert "FIELD GA x4" in str(app.screen.query_one(CartLines).get_row_at(0)[0])
        await pay_cash(pilot, str(view.total_cents / 100))
        await confirm_and_print(pilot)
        [(order_id, _, status, *_rest)] = orders_of(demo_db)
        assert status == "complete"
        tickets = demo_db.execute("SELECT count(*) FROM tickets WHERE order_id = ? AND "
                                  "seat_id IS NULL", [order_id]).fetchone()[0]
        assert tickets == 4


async def test_split_tender_card_then_cash_with_change(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await open_hall(pilot)
        await pilot.press("space")
        await pilot.pause()
        total = cart_panel(app).view.total_cents
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("d", *"visa", "enter", *"4242", "enter", *"AB12C", "enter",
                          "ctrl+u", *"50", "enter")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, PaymentModal) and modal.due == total - 5000
        await pilot.press("c", "ctrl+u", *"200", "enter")
        await pilot.pause()
        change = 20000 - (total - 5000)
        assert f"{change // 100}.{change % 100:02d}" in text_of(app, "#payment-status")
        await confirm_and_print(pilot)
        [(order_id, *_rest)] = orders_of(demo_db)
        rows = payments_of(demo_db, order_id)
        assert [(r[0], r[1]) for r in rows] == [("card", 5000), ("cash", total - 5000)]
        assert rows[1][2:4] == (20000, change)


async def test_price_type_changes_per_line(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await open_hall(pilot)
        await pilot.press("space", "right", "space")
        await pilot.pause()
        adult = cart_panel(app).view.lines[0].each_cents
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("down", "enter")        # the second price type: CHILD
        await pilot.pause()
        lines = cart_panel(app).view.lines
        assert [line.price_type for line in lines] == ["CHILD", "ADULT"]
        assert lines[0].each_cents < adult
        stored = demo_db.execute("SELECT t.code FROM cart_items i JOIN price_types t ON "
                                 "t.id = i.price_type_id ORDER BY i.id").fetchall()
        assert [row[0] for row in stored] == ["CHILD", "ADULT"]


async def test_a_comp_by_a_seller_needs_a_supervisor(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await open_hall(pilot)
        await pilot.press("space", "p")
        await pilot.pause()
        await pilot.press("m", *"press night", "enter")
        await pilot.pause()
        await pilot.press("enter")             # confirm: sam may not comp
        await pilot.pause()
        assert type(app.screen).__name__ == "SupervisorOverride"
        await pilot.press(*"cora", "enter", *"3333", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        [(_, _, status, _, _)] = orders_of(demo_db)
        assert status == "complete"
        approved = demo_db.execute("SELECT count(*) FROM journal WHERE action = "
                                   "'override.approved'").fetchone()[0]
        assert approved == 1


async def test_idle_lock_keeps_the_cart_and_the_pin_resumes(
    demo_db: Database, tmp_path: Path,
) -> None:
    clock = Clock()
    app = make_app(demo_db, tmp_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        screen = await open_hall(pilot)
        await pilot.press("space")
        await pilot.pause()
        cart_id = app.sale.cart_id
        clock.advance(minutes=4)
        await pilot.pause(1.3)
        assert not isinstance(app.screen, LockScreen)
        clock.advance(minutes=1, seconds=1)          # idle_lock_minutes = 5
        await pilot.pause(1.3)
        assert isinstance(app.screen, LockScreen)
        await pilot.press("space")                   # locked: no key reaches the map
        await pilot.press(*"9999", "enter")          # a wrong PIN
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        assert "tries left" in text_of(app, "#pin-message")
        await pilot.press(*"1111", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert app.sale.cart_id == cart_id
        assert cart_panel(app).view.ticket_count == 1
        status = demo_db.execute("SELECT status FROM carts WHERE id = ?",
                                 [cart_id]).fetchone()[0]
        assert status == "open"


async def test_switch_seller_keeps_the_screen_and_the_cart(
    demo_db: Database, tmp_path: Path,
) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        screen = await open_hall(pilot)
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await pilot.press("shift+tab")
        await pilot.press(*["backspace"] * 3, *"cora", "enter", *"3333", "enter")
        await pilot.pause()
        # cora has no shift yet: she counts her float, then carries on the same sale
        await pilot.press("enter", "enter", "enter", "enter", "enter", "enter", "enter",
                          "enter", "enter", "enter")
        await pilot.pause()
        assert app.user is not None and app.user.username == "cora"
        assert app.screen is screen and cart_panel(app).view.ticket_count == 1


async def test_a_coordinator_paints_a_hold_and_releases_it(
    demo_db: Database, tmp_path: Path,
) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "cora", "3333")
        screen = await open_hall(pilot)
        seat = screen.query_one(SeatMap).seat
        await pilot.press("h")
        await pilot.pause()
        await pilot.press("enter")            # the first hold code
        await pilot.pause()
        assert "PAINTING HOLD" in text_of(app, "#heading")
        await pilot.press("space")
        await pilot.pause()
        held = demo_db.execute("SELECT count(*) FROM seat_claims WHERE state = 'held'"
                               ).fetchone()[0]
        assert held >= 1 and screen.query_one(SeatMap).states[seat.key][0] == "held"
        await pilot.press("space", "escape")
        await pilot.pause()
        assert seat.key not in screen.query_one(SeatMap).states
        assert "PAINTING" not in text_of(app, "#heading")


async def test_a_seller_has_no_hold_or_kill_keys(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await sign_in(pilot)
        screen = await open_hall(pilot)
        keys = {b.binding.action for b in screen.active_bindings.values() if b.enabled}
        assert "hold" not in keys and "kill" not in keys
        assert "pay" not in keys                       # nothing in the cart yet
        await pilot.press("space")
        await pilot.pause()
        keys = {b.binding.action for b in screen.active_bindings.values() if b.enabled}
        assert "pay" in keys


async def test_the_shift_closes_blind_then_prints_its_z_report(
    demo_db: Database, tmp_path: Path,
) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        float_cents = demo_db.execute("SELECT float_cents FROM shifts s JOIN users u ON "
                                      "u.id = s.user_id WHERE u.username = 'sam'").fetchone()[0]
        assert float_cents == 8000                  # the demo's shift for sam
        await open_hall(pilot)
        await pilot.press("space")
        await pilot.pause()
        total = cart_panel(app).view.total_cents
        await pay_cash(pilot, str(total / 100))
        await confirm_and_print(pilot)
        await pilot.press("enter", "f2")
        await pilot.pause()
        assert type(app.screen).__name__ == "ShiftScreen"
        shown = text_of(app, "#shift-report")
        assert "expected amounts show once the drawer is counted" in shown
        # blind: the sales by tender show, what the drawer should hold does not
        assert f"{total // 100}.{total % 100:02d}" in shown and "Expected" not in shown
        await pilot.press("c")
        await pilot.pause()
        # the count: the demo float (80.00) as 4 x 20.00, and the sale's cash in cents,
        # 10.00 short
        fields = list(app.screen.query("Input"))
        for field in fields:
            if field.id == "d2000":
                await pilot.press("backspace", "4")
            if field.id == "d1":
                await pilot.press("backspace", *str(total - 1000))
            await pilot.press("enter")
        await pilot.pause()
        # the review: the count summed up, nothing submitted until Enter again
        review = text_of(app, "#count-total")
        assert "Enter again submits" in review
        assert f"Total {format_cents(8000 + total - 1000)}" in review
        assert demo_db.execute("SELECT status FROM shifts ORDER BY id").fetchone()[0] == "open"
        await pilot.press("enter")
        await pilot.pause()
        # a dollar short is over the tolerance: a coordinator signs it off with a note
        assert demo_db.execute("SELECT status FROM shifts ORDER BY id").fetchone()[0] == "counted"
        assert type(app.screen).__name__ == "AskText"
        assert "-10.00 is above the tolerance" in str(app.screen.query_one(".message",
                                                                          Static).content)
        await pilot.press(*"coin miscount", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "SupervisorOverride"
        await pilot.press(*"cora", "enter", *"3333", "enter")
        await pilot.pause()
        # the over/short on screen, and the Z only when the seller says so
        assert type(app.screen).__name__ == "Confirm"
        question = str(app.screen.query(".message").first(Static).content)
        assert "Over/short -10.00" in question and "cash: over/short -10.00" in question
        await pilot.press("y")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        row = demo_db.execute("SELECT s.status, z.z_number FROM shifts s LEFT JOIN z_reports z "
                             "ON z.shift_id = s.id ORDER BY s.id").fetchone()
        assert row[0] == "closed" and row[1] == 1
        info_line = text_of(app, "#info")
        assert "Z report 1" in info_line
        if demo_db.engine == "postgresql":
            assert "database server keeps the backups" in info_line
        else:
            assert "Backed up to" in info_line
            # the whole path is on screen at 80x24: no "Printed" toast over it
            backup = next(tmp_path.rglob("*z_close*.db"))
            assert backup.name in screen_text(app).replace("\n", "")
        # the automatic backup at Z close (on PostgreSQL the server's)
        assert bool(list(tmp_path.rglob("*z_close*.db"))) == (demo_db.engine == "sqlite")
        assert list((tmp_path / "prints").glob("*-z-1.png"))


async def test_a_seller_without_a_shift_counts_a_float(demo_db: Database, tmp_path: Path) -> None:
    from core.people.accounts import create_user
    from core.people.users import get_user

    create_user(demo_db, get_user(demo_db, "ada"), "sue", "Sue Seller", "seller", "5555")
    app = make_app(demo_db, tmp_path, station="window-2")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sue", "5555", float_twenties=5)
        row = demo_db.execute("SELECT s.status, s.float_cents FROM shifts s JOIN users u ON "
                              "u.id = s.user_id WHERE u.username = 'sue'").fetchone()
        assert row == ("open", 10000)
