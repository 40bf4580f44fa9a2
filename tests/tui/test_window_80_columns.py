"""At 80 columns the sale screens show every key they offer and the whole seat legend,
wrapped over rows rather than cut off at the edge."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text

from core.store.db import Database
from tests.support.app_helpers import make_app, screen_text, sign_in
from tests.support.constants import FIXED_NOW
from tests.tui.test_app_selling import open_hall
from tui.widgets.keyline import KeyLine
from tui.widgets.pieces import Pieces, wrap_pieces


def test_pieces_wrap_whole_never_split() -> None:
    pieces = [Text("A Premium"), Text("E Restricted View"), Text("w wheelchair")]
    rows = [row.plain for row in wrap_pieces(pieces, 30)]
    assert rows == ["A Premium  E Restricted View", "w wheelchair"]
    assert all(len(row) <= 30 for row in rows)


async def test_the_map_at_80_columns_shows_every_key_and_the_whole_legend(
        demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        screen = await open_hall(pilot)
        await pilot.press("space")          # a seat in the cart: Pay, Type, Will-call...
        await pilot.pause()
        await pilot.pause()
        keys = screen.query_one(KeyLine)
        shown = screen_text(app)
        for key in ("t Type", "w Will-call", "p Pay", "x Cancel sale", "esc Back",
                    "^p palette"):
            assert key in keys.plain
            assert key in shown, f"{key!r} is not on the screen"
        legend = screen.query_one("#legend", Pieces)
        for meaning in ("x sold", "- killed", "w wheelchair", "E Restricted View"):
            assert meaning in legend.plain
            assert meaning in shown, f"{meaning!r} is not on the screen"
        assert keys.region.height <= 3 and legend.region.height <= 3
        assert keys.region.bottom == 24     # docked at the bottom, nothing under it


async def test_heat_shows_the_states_and_each_zones_sell_through(
        demo_db: Database, tmp_path: Path) -> None:
    from core.sales import checkout
    from core.sales.tenders import Tender
    from tests.support.selling_helpers import STATION, cart_with, hall_performance, user
    from tui.widgets.seatmap import SeatMap

    show = hall_performance(demo_db)
    comp = cart_with(demo_db, user(demo_db, "sam"), show, ["ORCH-F-109"], FIXED_NOW,
                     price_type="COMP")
    checkout.checkout(demo_db, user(demo_db, "cora"), comp,
                      [Tender("comp", 0, reason="press")], station=STATION, now=FIXED_NOW)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        screen = await open_hall(pilot)
        seat_map = screen.query_one(SeatMap)
        assert seat_map.states[("ORCH", "F", 109)][0] == "sold"
        await pilot.press("v")
        await pilot.pause()
        assert seat_map.heat
        assert seat_map.states[("ORCH", "F", 109)][0] == "comp"
        legend = screen.query_one("#legend", Pieces).plain
        assert "c comp" in legend and "x sold" in legend
        assert "A Premium 0%" in legend or "A Premium 1%" in legend
        assert "Heat" in screen_text(app)
        await pilot.press("v")
        await pilot.pause()
        assert not seat_map.heat and "E Restricted View" in screen.query_one(
            "#legend", Pieces).plain
