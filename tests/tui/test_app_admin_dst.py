"""Issue 24 in the window app: the performances admin screen's times go through core's
check (core.times.local_time). A start the venue's clocks skip brings the form back with
the refusal and makes nothing; a start they repeat asks which of the two is meant and
stores that one; the copy and on-sale dialogs ask the same. The clock changes are found
from the pinned instant, never written down."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from core.config import Config
from core.store.db import Database
from core.venue import performances
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.support.dates import clock_change_time
from tests.tui.test_app_admin import type_line
from tests.tui.test_app_admin_events import choose_event, journaled, open_performances
from tui.screens.admin_base import FormModal
from tui.screens.sell_dialogs import Choose


def _typed(naive: datetime) -> str:
    return naive.strftime("%Y-%m-%d %H:%M")


async def test_a_start_the_clocks_skip_is_refused_and_nothing_is_made(
        demo_db: Database, tmp_path: Path) -> None:
    zone = Config().zone
    skipped = clock_change_time(zone, forward=True)
    before = performances.list_performances(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        await open_performances(pilot)
        await choose_event(pilot, new=False)
        await pilot.press("enter")                       # the venue, as filled in
        for value in (_typed(skipped), "", "", ""):
            await type_line(pilot, value)
        assert isinstance(app.screen, FormModal)         # back, with what was wrong
        problem = text_of(app, "#form-problem")
        assert f"Starts: {_typed(skipped)} does not exist in {zone}" in problem
        assert app.screen.focused is app.screen.query_one("#f-starts")
        await pilot.press("escape")
        await pilot.pause()
        assert "No performance was made" in text_of(app, "#info")
    assert performances.list_performances(demo_db) == before


async def test_a_start_the_clocks_repeat_asks_which_and_stores_that_one(
        demo_db: Database, tmp_path: Path) -> None:
    zone = Config().zone
    repeated = clock_change_time(zone, forward=False)
    second = repeated.replace(tzinfo=zone, fold=1)     # the later one, after the change
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        screen = await open_performances(pilot)
        await choose_event(pilot, new=False)
        await pilot.press("enter")
        for value in (_typed(repeated), "", "", ""):
            await type_line(pilot, value)
        assert isinstance(app.screen, Choose)            # which one?
        assert "happens twice" in app.screen.title_text
        labels = [label for _, label in app.screen.options]
        assert "the first" in labels[0] and "the second" in labels[1]
        assert "-0400" in labels[0] and "-0500" in labels[1]
        await pilot.press("down", "enter")               # the second
        await pilot.pause()
        assert app.screen is screen
        made = screen.selected
        assert made is not None
    perf = performances.get_performance(demo_db, made.id)
    assert perf.starts_at.astimezone(UTC) == second.astimezone(UTC)
    assert journaled(demo_db, "performance.create")[-1] == f"performance:{perf.id}"


async def test_dismissing_the_question_brings_the_form_back(demo_db: Database,
                                                            tmp_path: Path) -> None:
    zone = Config().zone
    repeated = clock_change_time(zone, forward=False)
    before = performances.list_performances(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        await open_performances(pilot)
        await choose_event(pilot, new=False)
        await pilot.press("enter")
        for value in (_typed(repeated), "", "", ""):
            await type_line(pilot, value)
        assert isinstance(app.screen, Choose)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        assert "Starts: that time happens twice" in text_of(app, "#form-problem")
        assert app.screen.query_one("#f-starts").value == _typed(repeated)  # type: ignore[attr-defined]
    assert performances.list_performances(demo_db) == before


async def test_copy_and_on_sale_check_the_time_too(demo_db: Database,
                                                   tmp_path: Path) -> None:
    zone = Config().zone
    skipped, repeated = (clock_change_time(zone, forward=True),
                         clock_change_time(zone, forward=False))
    first = repeated.replace(tzinfo=zone, fold=0)
    before = performances.list_performances(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        screen = await open_performances(pilot)
        shown = screen.selected
        assert shown is not None
        await pilot.press("c")                           # copy to a skipped time
        await pilot.pause()
        await type_line(pilot, _typed(skipped))
        assert app.screen is screen
        assert "does not exist" in text_of(app, "#info")
        assert performances.list_performances(demo_db) == before
        await pilot.press("o")                           # on sale until a repeated time
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        await type_line(pilot, "")
        await type_line(pilot, _typed(repeated))
        assert isinstance(app.screen, Choose)
        await pilot.press("enter")                       # the first
        await pilot.pause()
        assert app.screen is screen
    changed = performances.get_performance(demo_db, shown.id)
    assert changed.off_sale_at is not None
    assert changed.off_sale_at.astimezone(UTC) == first.astimezone(UTC)
