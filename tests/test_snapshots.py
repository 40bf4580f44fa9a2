"""Snapshots of the seat map at 80x24 (an SSH window) and 160x48 (a big screen).

Regenerate after an intended change with `pytest tests/test_snapshots.py --snapshot-update`
and look at the report before committing.
"""

from __future__ import annotations

import pytest

from core.config import Config
from tests.conftest import FIXED_NOW
from tui.app import BoxOfficeApp


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_hall_seat_map(snap_compare, demo_db, size) -> None:  # type: ignore[no-untyped-def]
    app = BoxOfficeApp(demo_db, Config(), clock=lambda: FIXED_NOW)
    assert snap_compare(app, terminal_size=size, press=["enter", "down", "right"])


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_stadium_overview(snap_compare, demo_db, size) -> None:  # type: ignore[no-untyped-def]
    app = BoxOfficeApp(demo_db, Config(), clock=lambda: FIXED_NOW)
    assert snap_compare(app, terminal_size=size, press=["down", "down", "enter"])


def test_performance_list_80x24(snap_compare, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = BoxOfficeApp(demo_db, Config(), clock=lambda: FIXED_NOW)
    # a key press first, as a seller would: it also hides the mouse hover highlight
    assert snap_compare(app, terminal_size=(80, 24), press=["down", "up"])
