"""Consignment in the window, from the keyboard at 80x24: a batch issued to an outside
seller, settled with the seats that came back (their codes refused at the gate at once)
and the rest on account, then the account collected; bad input changes nothing."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from core.gate import checkin
from core.money import format_cents
from core.sales import consignment
from core.sales.orders import ticket_code
from core.store.db import Database
from tests.support.app_helpers import fill, make_app, sign_in, text_of
from tests.support.constants import ZONE
from tests.support.dates import day_at
from tests.support.selling_helpers import hall_performance, user
from tui.app import BoxOfficeApp
from tui.commands import window_commands
from tui.screens.admin_base import FormModal
from tui.screens.consignment import ConsignmentScreen
from tui.screens.dialogs import Confirm


async def open_consignment(pilot: Pilot[None], app: BoxOfficeApp) -> None:
    next(c for c in window_commands(app, app.screen)
         if c.title.startswith("Consignment")).callback()
    await pilot.pause()
    assert isinstance(app.screen, ConsignmentScreen)


def states(db: Database) -> list[tuple[str, str, int, int]]:
    return [(line.batch.number, line.state, line.live_tickets, line.on_account_cents)
            for line in consignment.list_consignments(db)]


async def test_a_batch_from_issue_to_paid(demo_db: Database, tmp_path: Path) -> None:
    show = hall_performance(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await open_consignment(pilot, app)
        assert "No batch yet" in text_of(app, "#info")
        # seats that do not read: the form comes back, nothing is issued
        await pilot.press("n")
        await pilot.pause()
        await fill(pilot, str(show), "Rotary Club", "the back rows")
        assert isinstance(app.screen, FormModal)
        assert "cannot read seat" in text_of(app, "#form-problem")
        await fill(pilot, str(show), "Rotary Club", "ORCH-T-101..104")
        assert isinstance(app.screen, Confirm)              # print now?
        await pilot.press("n")
        await pilot.pause()
        assert "4 ticket(s) issued to Rotary Club" in text_of(app, "#info")
        batch = consignment.list_consignments(demo_db)[0].batch
        codes = {(t.row, t.number): ticket_code(app.signer(), t) for t in batch.tickets}
        # settled: two came back, the two sold go on account
        await pilot.press("s")
        await pilot.pause()
        await fill(pilot, "ORCH-T-103..104", "account", "")
        assert "2 back on sale" in text_of(app, "#info")
        assert states(demo_db)[0][:3] == (batch.number, "ON ACCOUNT", 2)
        owed = states(demo_db)[0][3]
        # the account, collected in cash
        await pilot.press("c")
        await pilot.pause()
        await fill(pilot, format_cents(owed), "cash", "")
        assert "collected in cash" in text_of(app, "#info")
    assert states(demo_db) == [(batch.number, "PAID", 2, 0)] and owed > 0
    gate = checkin.open_gate(demo_db, user(demo_db, "gia"), show, "North", zone=ZONE)
    at = day_at(1, "19:00", ZONE)
    assert checkin.scan(demo_db, gate, codes[("T", 103)], now=at).code != "ADMIT"
    assert checkin.scan(demo_db, gate, codes[("T", 101)], now=at).code == "ADMIT"


async def test_printed_at_issue(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await open_consignment(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        await fill(pilot, str(hall_performance(demo_db)), "Lions Club", "ORCH-U-101")
        await pilot.press("y")
        await pilot.pause()
        await pilot.pause(0.5)
    batch = consignment.list_consignments(demo_db)[0].batch
    assert all(t.printed for t in consignment.get_consignment(demo_db, batch.id).tickets)


async def test_a_seller_may_not_issue(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        await open_consignment(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ConsignmentScreen)
        assert "needs the 'consign' permission" in text_of(app, "#info")
    assert consignment.list_consignments(demo_db) == []
