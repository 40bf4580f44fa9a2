"""The sale's dialogs say what core will accept, and take one Enter a field."""

from __future__ import annotations

from pathlib import Path

from core.store.db import Database
from core.venue.best_available import MAX_QUANTITY
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.tui.test_app_selling import open_hall
from tui.screens.sell_dialogs import BestAvailableForm


async def test_best_available_says_its_real_limit(demo_db: Database,
                                                  tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await open_hall(pilot)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BestAvailableForm)
        await pilot.press("ctrl+u", "6", "0", "enter", "enter", "enter")
        await pilot.pause()
        # refused in the dialog, with the limit core keeps, and the quantity focused
        assert isinstance(app.screen, BestAvailableForm)
        assert f"from 1 to {MAX_QUANTITY}." in text_of(app, "#hint")
        assert app.screen.focused is not None and app.screen.focused.id == "quantity"
        await pilot.press("ctrl+u", *str(MAX_QUANTITY), "enter", "enter", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, BestAvailableForm)
        view = app.sale.view(demo_db)
        assert view is not None and view.ticket_count == MAX_QUANTITY


async def test_counts_and_amounts_are_refused_on_their_field(demo_db: Database,
                                                            tmp_path: Path) -> None:
    from textual.widgets import Input

    from tests.support.app_helpers import make_app, sign_in, text_of
    from tui.screens.shift import OpenShiftModal
    from tui.screens.shift_count import CountModal

    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        # the float: a letter is taken out at once and said so; focus stays on the field
        app.push_screen(OpenShiftModal())
        await pilot.pause()
        await pilot.press("ctrl+u", "2", "x")
        await pilot.pause()
        first = app.screen.query(Input).first()
        assert first.value == "2" and app.screen.focused is first
        assert "not one" in text_of(app, "#count-total")
        app.pop_screen()
        await pilot.pause()
        # the close: 'abc' in Checks is refused on Enter, on the field itself
        app.push_screen(CountModal((2000, 100)))
        await pilot.pause()
        await pilot.press("enter", "enter")                # the two counts
        await pilot.press("ctrl+u", *"abc", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CountModal)
        assert app.screen.focused is app.screen.query_one("#checks", Input)
        assert "is not an amount" in text_of(app, "#count-total")


async def test_the_close_sums_as_it_goes_reviews_then_asks_before_the_z(
        demo_db: Database, tmp_path: Path) -> None:
    from tui.screens.dialogs import Confirm
    from tui.screens.shift_count import CountModal

    def status() -> str:
        return str(demo_db.execute("SELECT status FROM shifts ORDER BY id").fetchone()[0])

    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")         # the demo's shift: an 80.00 float
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CountModal)
        fields = [field.id for field in app.screen.query("Input")]
        for field in fields:
            if field == "d2000":
                await pilot.press("ctrl+u", "4")
                await pilot.pause()
                # the running total follows each key
                assert "Total 80.00" in text_of(app, "#count-total")
            await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CountModal)    # the review, not yet the count
        assert "Enter again submits" in text_of(app, "#count-total")
        # back to a field and on again: the review comes again before anything is final
        await pilot.press("shift+tab", "ctrl+u", "0", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CountModal) and status() == "open"
        assert "So far" in text_of(app, "#count-total")
        await pilot.press("enter")
        await pilot.pause()
        assert "Enter again submits" in text_of(app, "#count-total") and status() == "open"
        await pilot.press("enter")
        await pilot.pause()
        # the count is in; the over/short shows and the Z waits for a yes
        assert status() == "counted"
        assert isinstance(app.screen, Confirm)
        assert "Over/short 0.00" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert status() == "counted"
        assert "not closed" in text_of(app, "#info")
        await pilot.press("c")                        # resumes: the same question
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert status() == "closed"


async def test_a_coordinator_closes_another_sellers_shift_from_the_window(
        demo_db: Database, tmp_path: Path) -> None:
    from textual.widgets import DataTable

    from tui.screens.dialogs import Confirm
    from tui.screens.shift_close import AllShiftsScreen, ShiftScreen
    from tui.screens.shift_count import CountModal

    def sams_shift() -> tuple[int, str]:
        row = demo_db.execute("SELECT s.id, s.status FROM shifts s JOIN users u ON "
                              "u.id = s.user_id WHERE u.username = 'sam'").fetchone()
        return int(row[0]), str(row[1])

    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await pilot.press("escape")                  # no float of her own: not now
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ShiftScreen)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AllShiftsScreen)
        table = app.screen.query_one(DataTable)
        shift_id, status = sams_shift()
        assert status == "open"
        assert [str(cell) for cell in table.get_row(str(shift_id))][:4] == [
            str(shift_id), "sam", "window-1", "open"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ShiftScreen) and app.screen.shift_id == shift_id
        assert f"Shift {shift_id}" in text_of(app, "#heading")
        assert "sam" in text_of(app, "#heading")
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CountModal)
        for field in [field.id for field in app.screen.query("Input")]:
            if field == "d2000":
                await pilot.press("ctrl+u", "4")     # sam's 80.00 float, all there
            await pilot.press("enter")
        await pilot.press("enter")                   # past the review
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert sams_shift()[1] == "closed"
        closed_by = demo_db.execute("SELECT actor FROM journal WHERE action = "
                                    "'shift.close'").fetchone()[0]
        assert closed_by == "cora"
        await pilot.press("escape")                  # back to the list, without it now
        await pilot.pause()
        assert isinstance(app.screen, AllShiftsScreen)
        shown = [table.get_row_at(row)[0] for row in range(table.row_count)]
        assert str(shift_id) not in shown


async def test_a_seller_has_no_list_of_every_shift(demo_db: Database,
                                                  tmp_path: Path) -> None:
    from tui.screens.shift_close import ShiftScreen

    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ShiftScreen)
        await pilot.press("a")
        await pilot.pause()
        assert type(app.screen) is ShiftScreen and app.screen.shift_id is None
