"""Group sales in the window (F7), from the keyboard at 80x24: a group and its contact, a
block held for it, seats sold from the block with a deposit and a due date, the balance
taken in two payments, the unsold seats released; late balances counted; bad input and a
seller refused change nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from core.sales import groups
from core.sales.tenders import Tender
from core.store.db import Database
from tests.support.app_helpers import Clock, fill, make_app, sign_in, text_of
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.selling_helpers import hall_performance, seat, user
from tui.screens.admin_base import FormModal
from tui.screens.groups import GroupsScreen


async def test_a_group_from_block_to_paid_balance(demo_db: Database, tmp_path: Path) -> None:
    show = hall_performance(demo_db)
    clock = Clock()
    app = make_app(demo_db, tmp_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, GroupsScreen)
        await pilot.press("n")
        await pilot.pause()
        await fill(pilot, "St Anne's School", "Mary Teacher", "555 010 7000", "")
        assert "hold code is GRP1" in text_of(app, "#info")
        # the block: ten seats in row S
        await pilot.press("b")
        await pilot.pause()
        await fill(pilot, str(show), "ORCH-S-101..110")
        assert "10 seat(s) held for St Anne's School under GRP1" in text_of(app, "#info")
        # sell eight of them with a deposit; a bad date first brings the form back
        due = (FIXED_NOW + timedelta(days=14)).astimezone(ZONE).date()
        await pilot.press("s")
        await pilot.pause()
        await fill(pilot, str(show), "ORCH-S-101..108", "200", "cash", "", "next month")
        assert isinstance(app.screen, FormModal)
        assert "is not a date" in text_of(app, "#form-problem")
        await fill(pilot, str(show), "ORCH-S-101..108", "200", "cash", "", due.isoformat())
        order = groups.group_orders(demo_db, 1)[0]
        assert order.status == "deposit" and order.paid_cents == 20000
        assert f"due by {due.isoformat()}" in text_of(app, "#info")
        owed = order.balance_cents
        # the balance in two payments
        await pilot.press("p")
        await pilot.pause()
        await fill(pilot, order.number, "100", "check", "1042")
        assert "still due" in text_of(app, "#info")
        await pilot.press("p")
        await pilot.pause()
        rest = f"{(owed - 10000) // 100}.{(owed - 10000) % 100:02d}"
        await fill(pilot, order.number, rest, "cash", "")
        assert "paid in full" in text_of(app, "#info")
        # the two seats nobody bought go back on sale
        await pilot.press("r")
        await pilot.pause()
        await fill(pilot, str(show))
        assert "2 seat(s) of St Anne's School's block back on sale" in text_of(app, "#info")
    assert groups.get_group(demo_db, 1).name == "St Anne's School"
    assert groups.group_orders(demo_db, 1)[0].status == "complete"
    assert groups.held_in_block(demo_db, 1, show) == []


async def test_a_late_balance_shows_on_the_groups_screen(demo_db: Database,
                                                         tmp_path: Path) -> None:
    show = hall_performance(demo_db)
    clock = Clock()
    app = make_app(demo_db, tmp_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await pilot.press("f7")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await fill(pilot, "Rotary Club", "Rita Rotary", "", "")
        await pilot.press("b")
        await pilot.pause()
        await fill(pilot, str(show), "ORCH-T-101..102")
        await pilot.press("s")
        await pilot.pause()
        await fill(pilot, str(show), "", "50", "cash", "", "")   # the whole block, due today
        assert groups.group_orders(demo_db, 1)[0].status == "deposit"
        clock.advance(days=2)
        await pilot.press("escape", "f7")
        await pilot.pause()
        assert "1 balance(s) past due: Rotary Club" in text_of(app, "#overdue")


async def test_a_seller_may_not_run_group_sales(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        await pilot.press("f7")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, GroupsScreen)
        assert "needs the 'group_sales' permission" in text_of(app, "#info")
    assert groups.list_groups(demo_db) == []


async def test_the_coordinators_start_screen_counts_late_balances(demo_db: Database,
                                                                  tmp_path: Path) -> None:
    cora, show = user(demo_db, "cora"), hall_performance(demo_db)
    week_ago = FIXED_NOW - timedelta(days=7)
    group = groups.create_group(demo_db, cora, "Book Club", now=week_ago)
    block = [seat(demo_db, show, "ORCH-S-101")]
    groups.hold_block(demo_db, cora, group.id, show, block, week_ago)
    groups.group_order(demo_db, cora, group.id, show, block, [Tender("cash", 1000)],
                       balance_due=week_ago.date(), station="window-1-cora", now=week_ago,
                       zone=ZONE)
    for name, pin, shown in (("cora", "3333", True), ("sam", "1111", False)):
        app = make_app(demo_db, tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, name, pin)
            line = text_of(app, "#low-stock")
            assert ("1 group balance(s) past due (F7)" in line) is shown
