"""The coordinator's worklist (group balances past due, card payments waiting for the
terminal's answer, consignment batches out) and the will-call list: built by core, shown
in the window's reports (F3) and by `boxoffice report`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import OptionList

from core.report_model import ReportError, Scope
from core.reports import catalogue
from core.sales import carts, checkout, consignment, groups
from core.sales.tenders import Tender
from core.store.db import Database
from tests.support.app_helpers import make_app, open_report, sign_in, text_of
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.fixture_types import Cli
from tests.support.selling_helpers import STATION, cart_with, hall_performance, seat, user

NOW = FIXED_NOW


def waiting_on_someone(db: Database) -> dict[str, str]:
    """A group order a week past its due date, a card payment whose answer was lost, a
    consignment batch and a will-call order; returns their order numbers."""
    cora, sam = user(db, "cora"), user(db, "sam")
    show = hall_performance(db)
    week_ago = NOW - timedelta(days=8)
    group = groups.create_group(db, cora, "St Anne's School", now=week_ago)
    block = [seat(db, show, f"ORCH-S-{n}") for n in (101, 102)]
    groups.hold_block(db, cora, group.id, show, block, week_ago)
    late = groups.group_order(db, cora, group.id, show, block,
                              [Tender("cash", 5000, tendered_cents=5000)],
                              balance_due=(week_ago + timedelta(days=1)).date(),
                              station="window-1-cora", now=week_ago, zone=ZONE)
    cart_id = cart_with(db, sam, show, ["ORCH-A-101"], NOW)
    total = carts.view_cart(db, cart_id).total_cents
    lost = checkout.checkout(db, sam, cart_id, [Tender(
        "card", total, card_brand="VISA", card_last4="0005", status="unknown")],
        station=STATION, now=NOW - timedelta(minutes=20))
    batch = consignment.issue(db, cora, show, [seat(db, show, "ORCH-T-101")], "Rotary Club",
                              station="window-1-cora", now=NOW)
    cart_id = cart_with(db, sam, show, ["ORCH-A-102"], NOW)
    total = carts.view_cart(db, cart_id).total_cents
    pickup = checkout.checkout(db, sam, cart_id, [Tender("cash", total)], station=STATION,
                               now=NOW, delivery="will_call")
    return {"late": late.number, "lost": lost.number, "batch": batch.number,
            "pickup": pickup.number}


def test_the_worklist_names_what_waits(demo_db: Database) -> None:
    numbers = waiting_on_someone(demo_db)
    report = catalogue.build_report(demo_db, user(demo_db, "cora"), "worklist",
                                    Scope(zone=ZONE, now=NOW))
    assert report.fact("Overdue balances") == 1
    late = report.table("Group balances overdue").rows[0]
    assert (late[0], late[1], late[3]) == (numbers["late"], "St Anne's School", 7)
    value, balance = late[4], late[6]
    assert isinstance(value, int) and balance == value - 5000
    waiting = report.table("Card payments waiting for the terminal's answer").rows
    assert [(row[0], row[2], row[5]) for row in waiting] == [(numbers["lost"], "sam", 20)]
    batches = report.table("Consignment batches outstanding").rows
    assert [(row[1], row[2], row[4]) for row in batches] == [
        (numbers["batch"], "Rotary Club", 1)]
    assert report.notes


def test_the_will_call_list_is_per_performance(demo_db: Database) -> None:
    numbers = waiting_on_someone(demo_db)
    cora, show = user(demo_db, "cora"), hall_performance(demo_db)
    with pytest.raises(ReportError) as caught:
        catalogue.build_report(demo_db, cora, "will-call", Scope(zone=ZONE, now=NOW))
    assert caught.value.code == "performance_required"
    report = catalogue.build_report(demo_db, cora, "will-call",
                                    Scope(zone=ZONE, now=NOW, performance_id=show))
    assert [row[2] for row in report.table("Waiting to be picked up").rows] == [
        numbers["pickup"]]


def test_a_seller_may_not_read_the_worklist(cli: Cli) -> None:
    code, output = cli("report", "worklist", "--user", "sam", "--pin", "1111")
    assert code == 1 and "permission" in output


def test_the_cli_prints_the_worklist(cli: Cli, demo_path: Path) -> None:
    from core.store.schema import open_database

    db = open_database(demo_path)
    numbers = waiting_on_someone(db)
    db.close()
    code, output = cli("report", "worklist", "--user", "cora", "--pin", "3333")
    assert code == 0, output
    assert numbers["late"] in output and numbers["lost"] in output
    assert "Rotary Club" in output


async def test_the_window_lists_the_worklist_under_reports(demo_db: Database,
                                                           tmp_path: Path) -> None:
    numbers = waiting_on_someone(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await pilot.press("f3")
        await pilot.pause()
        names = app.screen.query_one("#report-names", OptionList)
        index = next(i for i in range(names.option_count)
                     if names.get_option_at_index(i).id == "worklist")
        names.highlighted = index
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")                      # covers: everything
        await pilot.pause()
        shown = text_of(app, "#report-text")
        assert "Worklist" in shown and numbers["late"] in shown and numbers["lost"] in shown


async def test_the_pace_report_draws_its_chart_in_the_window(demo_db: Database,
                                                             tmp_path: Path) -> None:
    from textual_plotext import PlotextPlot

    from tests.support.selling_helpers import hall_performance

    show = hall_performance(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await open_report(pilot, "pace", f"p{show}")
        assert "Sales pace" in text_of(app, "#report-text")
        plot = app.screen.query_one("#report-chart", PlotextPlot)
        assert plot.display
        # back, and a report without a chart hides the plot
        await pilot.press("escape", "escape")
        await pilot.pause()
        await open_report(pilot, "worklist")
        assert not app.screen.query_one("#report-chart", PlotextPlot).display


async def test_a_report_kept_as_an_extract_from_the_window(demo_db: Database,
                                                           tmp_path: Path) -> None:
    from core.reports import extracts
    from tests.support.selling_helpers import hall_performance, user

    show = hall_performance(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await open_report(pilot, "sell-through", f"p{show}")
        await pilot.press("k")
        await pilot.pause()
        await pilot.press(*"hall-fill", "enter")
        await pilot.pause()
        assert "Kept as 'hall-fill'" in text_of(app, "#info")
    [kept] = extracts.list_extracts(demo_db, user(demo_db, "cora"))
    assert (kept.name, kept.report, kept.performance_id, kept.format) == (
        "hall-fill", "sell-through", show, "csv")


async def test_what_if_from_the_pricing_report(demo_db: Database, tmp_path: Path) -> None:
    from tests.support.selling_helpers import hall_performance
    from tui.screens.admin_base import FormModal

    show = hall_performance(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await open_report(pilot, "pricing", f"p{show}")
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        for value in ("A", "ADULT", "abc"):
            await pilot.press("ctrl+u", *value, "enter")
            await pilot.pause()
        assert isinstance(app.screen, FormModal)            # 'abc' is not a price
        await pilot.press("ctrl+u", *"99.00", "enter")
        await pilot.pause()
        said = text_of(app, "#info")
        assert "A ADULT:" in said and "at 99.00" in said and "no elasticity" in said


async def test_s_saves_the_report_as_csv_beside_the_database(demo_db: Database,
                                                             tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await open_report(pilot, "worklist")
        await pilot.press("s")
        await pilot.pause()
        said = text_of(app, "#info")
    assert said.startswith("Saved ")
    saved = Path(said.removeprefix("Saved "))
    assert saved.parent.name == "reports" and saved.parent.parent == app.database_path().parent
    assert "Group balances overdue" in saved.read_text()


async def test_the_pace_compares_with_hand_chosen_performances(demo_db: Database,
                                                               tmp_path: Path,
                                                               cli: Cli) -> None:
    from core.venue import performances
    from tests.support.constants import FIXED_NOW
    from tests.support.selling_helpers import hall_performance, user

    show = hall_performance(demo_db)
    past = performances.copy_performance(demo_db, user(demo_db, "cora"), show,
                                         FIXED_NOW - timedelta(days=20))
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await open_report(pilot, "pace", f"p{show} with {past}")
        shown = text_of(app, "#report-text")
        assert "1, chosen by hand" in shown
    code, said = cli("report", "pace", "--performance", str(show), "--compare", str(show),
                     "--user", "cora", "--pin", "3333")
    assert code == 1 and "taken place" in said
    code, said = cli("report", "pace", "--performance", str(show), "--compare", "x,y",
                     "--user", "cora", "--pin", "3333")
    assert code == 1 and "not performance numbers" in said
