"""Snapshots of the window at 80x24 (an SSH window) and 160x48 (a big screen).

Regenerate after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at the report before committing.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from core.store.db import Database
from tests.support.app_helpers import make_app, sign_in
from tests.support.fixture_types import SnapCompare

SIZES = pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])


async def signed_in(pilot: Pilot[None]) -> None:
    await sign_in(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


async def selling_two_seats(pilot: Pilot[None]) -> None:
    await signed_in(pilot)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("down", "space", "right", "space", "right")
    await pilot.pause()


@SIZES
def test_sell_screen_with_two_seats_in_the_cart(snap_compare: SnapCompare, demo_db: Database,
                                                size: tuple[int, int]) -> None:
    assert snap_compare(make_app(demo_db), terminal_size=size, run_before=selling_two_seats)


def test_sell_screen_with_a_ticket_and_items_80x24(
    snap_compare: SnapCompare, demo_db: Database,
) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await signed_in(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("down", "space", "i")
        await pilot.pause()
        await pilot.press(*"popc", "enter")
        await pilot.pause()
        await pilot.press("ctrl+u", "2", "enter")
        await pilot.pause()
        await pilot.press(*"SCARF", "enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()

    assert snap_compare(make_app(demo_db), terminal_size=(80, 24), run_before=run_before)


@SIZES
def test_stadium_overview(snap_compare: SnapCompare, demo_db: Database,
                          size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await signed_in(pilot)
        await pilot.press("down", "down", "enter")
        await pilot.pause()

    assert snap_compare(make_app(demo_db), terminal_size=size, run_before=run_before)


def test_payment_modal_split_tender_80x24(snap_compare: SnapCompare, demo_db: Database) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await selling_two_seats(pilot)
        await pilot.press("p", "d", *"visa", "enter", *"4242", "enter", *"AB12C", "enter",
                          "ctrl+u", *"100", "enter", "c", "ctrl+u", *"300", "enter")
        await pilot.pause()

    assert snap_compare(make_app(demo_db), terminal_size=(80, 24), run_before=run_before)


def test_performance_list_80x24(snap_compare: SnapCompare, demo_db: Database) -> None:
    assert snap_compare(make_app(demo_db), terminal_size=(80, 24), run_before=signed_in)


def test_sign_in_80x24(snap_compare: SnapCompare, demo_db: Database) -> None:
    assert snap_compare(make_app(demo_db), terminal_size=(80, 24))
