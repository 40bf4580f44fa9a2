"""New events and new performances from the performances admin screen (F4, Performances):
`e` makes an event, `n` schedules a performance of an event picked from the list or of a
new one. Bad input brings the form back with what was wrong, and nothing is made."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from core.config import Config
from core.store.db import Database
from core.venue import performances
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.support.dates import day_at, typed
from tests.tui.test_app_admin import open_section, type_line
from tui.screens.admin_base import FormModal
from tui.screens.admin_events import PerformancesAdminScreen
from tui.screens.sell_dialogs import Choose


def journaled(db: Database, action: str) -> list[str]:
    """The subjects of the journal's entries of `action`, oldest first."""
    return [row[0] for row in db.execute(
        "SELECT subject FROM journal WHERE action = ? ORDER BY id", [action])]


async def open_performances(pilot: Pilot[None]) -> PerformancesAdminScreen:
    await open_section(pilot, "performances")
    screen = pilot.app.screen
    assert isinstance(screen, PerformancesAdminScreen)
    return screen


async def choose_event(pilot: Pilot[None], new: bool) -> None:
    """n, then the event of the highlighted performance (marked in the list) or (new)
    '+ a new event', the list's first line, where it starts."""
    await pilot.press("n")
    await pilot.pause()
    picker = pilot.app.screen
    assert isinstance(picker, Choose)
    if not new:
        marked = [label for _, label in picker.options].index(
            next(label for _, label in picker.options if label.endswith("< highlighted")))
        await pilot.press(*["down"] * marked)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, FormModal)


async def test_a_new_performance_of_an_existing_event(demo_db: Database,
                                                      tmp_path: Path) -> None:
    zone = Config().zone
    first = performances.list_performances(demo_db)[0]
    before = {perf.id for perf in performances.list_performances(demo_db)}
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        screen = await open_performances(pilot)
        await choose_event(pilot, new=False)
        await pilot.press("enter")                       # the venue, as filled in
        starts, doors, on_sale = (day_at(86, "19:30", zone), day_at(86, "18:45", zone),
                                  day_at(46, "10:00", zone))
        for value in (typed(starts), typed(doors), typed(on_sale), ""):
            await type_line(pilot, value)
        assert app.screen is screen
        assert "It has no prices yet" in text_of(app, "#info")
        made = screen.selected
        assert made is not None and made.id not in before   # the cursor is on it
    perf = performances.get_performance(demo_db, made.id)
    assert (perf.event_id, perf.venue_code) == (first.event_id, first.venue_code)
    assert (perf.starts_at, perf.doors_at, perf.on_sale_at) == (starts, doors, on_sale)
    assert perf.off_sale_at is None
    assert journaled(demo_db, "performance.create")[-1] == f"performance:{perf.id}"
    assert journaled(demo_db, "performance.on_sale")[-1] == f"performance:{perf.id}"


async def test_a_new_performance_of_a_new_event(demo_db: Database,
                                                tmp_path: Path) -> None:
    zone = Config().zone
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        await open_performances(pilot)
        await choose_event(pilot, new=True)
        for value in ("Tosca", "Harbor City Opera", "harbor", typed(day_at(101, "20:00", zone)),
                      "", "", ""):
            await type_line(pilot, value)
        assert "Performance" in text_of(app, "#info") and "Tosca at HARBOR" in text_of(
            app, "#info")
    tosca = [event for event in performances.list_events(demo_db) if event.name == "Tosca"]
    assert len(tosca) == 1 and tosca[0].producer == "Harbor City Opera"
    made = [perf for perf in performances.list_performances(demo_db)
            if perf.event_id == tosca[0].id]
    assert len(made) == 1
    assert made[0].venue_code == "HARBOR"
    assert made[0].starts_at == day_at(101, "20:00", zone)
    assert made[0].on_sale_at is None and made[0].off_sale_at is None
    assert journaled(demo_db, "event.create")[-1] == f"event:{tosca[0].id}"


async def test_bad_input_brings_the_form_back_and_makes_nothing(
        demo_db: Database, tmp_path: Path) -> None:
    events = performances.list_events(demo_db)
    perfs = performances.list_performances(demo_db)
    made_before = journaled(demo_db, "event.create") + journaled(demo_db, "performance.create")
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        await open_performances(pilot)
        await choose_event(pilot, new=True)
        for value in ("Tosca", "", "ALDRIDGE", "next tuesday", "", "", ""):
            await type_line(pilot, value)
        # the form is back, with what was typed and what was wrong with it
        assert isinstance(app.screen, FormModal)
        problem = text_of(app, "#form-problem")
        assert "Starts: 'next tuesday' is not a time such as 2026-12-31 19:30" in problem
        assert app.screen.query_one("#f-name").value == "Tosca"   # type: ignore[attr-defined]
        # the focus is on the field that was wrong, so the next keys fix it
        assert app.screen.focused is app.screen.query_one("#f-starts")
        # fixed time, unknown venue: back again
        await pilot.press("shift+tab")                   # back to the venue
        await type_line(pilot, "NOWHERE")
        await type_line(pilot, typed(day_at(101, "20:00")))
        for _ in range(3):
            await pilot.press("enter")
        await pilot.pause()
        assert "there is no venue 'NOWHERE'" in text_of(app, "#form-problem")
        # a good venue, but an on-sale window that ends before it starts: the core refuses
        # it after the event and the performance were made, and both are rolled back
        await pilot.press("enter", "enter")
        await type_line(pilot, "ALDRIDGE")
        await pilot.press("enter", "enter")
        await type_line(pilot, typed(day_at(73, "10:00")))
        await type_line(pilot, typed(day_at(42, "10:00")))
        assert "off-sale time must be after" in text_of(app, "#form-problem")
        assert [event.name for event in performances.list_events(demo_db)] == [
            event.name for event in events]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PerformancesAdminScreen)
        assert "No performance was made" in text_of(app, "#info")
    assert performances.list_events(demo_db) == events
    assert performances.list_performances(demo_db) == perfs
    assert journaled(demo_db, "event.create") + journaled(
        demo_db, "performance.create") == made_before


async def test_a_new_event(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        await open_performances(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        await type_line(pilot, "La Boheme")
        await type_line(pilot, "")
        assert "La Boheme, made" in text_of(app, "#info")
        # the new event is offered when a performance is scheduled
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, Choose)
        assert any("La Boheme" in label for _, label in app.screen.options)
    made = [event for event in performances.list_events(demo_db) if event.name == "La Boheme"]
    assert len(made) == 1 and made[0].performances == 0
    assert journaled(demo_db, "event.create")[-1] == f"event:{made[0].id}"


async def test_a_seller_may_not_make_events_or_performances(demo_db: Database,
                                                            tmp_path: Path) -> None:
    events = performances.list_events(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        screen = await open_performances(pilot)
        for key in ("n", "e"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen                   # no picker, no form
            assert "needs the 'event_setup' permission" in text_of(app, "#info")
    assert performances.list_events(demo_db) == events


async def test_the_event_picker_starts_at_its_top_so_down_down_is_the_second_event(
        demo_db: Database, tmp_path: Path) -> None:
    listed = performances.list_events(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        screen = await open_performances(pilot)
        await pilot.press("end")                     # the cursor on the last performance
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, Choose)
        await pilot.press("down", "down", "enter")   # past '+ a new event': the second
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        assert listed[1].name in app.screen.title_text
        app.screen.dismiss(None)
        await pilot.pause()
        assert app.screen is screen
