"""The price grid (F4, Performances, g): base, fee and tax of each zone x price type, shown
(v switches which; the line under the grid has all three) and edited in one form. Tax is
typed as a percentage and kept in basis points."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from core.config import Config, PricingConfig
from core.errors import BoxOfficeError
from core.store.db import Database
from core.venue import performances, pricing
from core.venue.pricing import Price
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.tui.test_app_admin import open_section, type_line
from tui.screens.admin_base import FormModal
from tui.screens.admin_prices import PriceGridScreen, parse_tax


def price_sets(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM journal WHERE action = 'price.set'"
                          ).fetchone()[0])


def first_cell(db: Database) -> tuple[int, str, str, Price]:
    """The first performance, and the price of the grid's first cell (where the cursor
    starts)."""
    perf = performances.list_performances(db)[0]
    grid = pricing.price_grid(db, perf.id)
    zone, price_type = grid.zones[0][0], grid.price_types[0][0]
    price = grid.get(zone, price_type)
    assert price is not None
    return perf.id, zone, price_type, price


async def open_grid(pilot: Pilot[None]) -> PriceGridScreen:
    await open_section(pilot, "performances")
    await pilot.press("g")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, PriceGridScreen)
    return screen


def cell_text(screen: PriceGridScreen, zone: str, price_type: str) -> str:
    return str(screen.query_one("#price-grid", DataTable).get_cell(zone, price_type))


async def test_base_fee_and_tax_are_edited_in_one_form(demo_db: Database,
                                                       tmp_path: Path) -> None:
    perf_id, zone, price_type, _ = first_cell(demo_db)
    sets = price_sets(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        screen = await open_grid(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        assert app.screen.query_one("#f-tax").value == "8.00"  # type: ignore[attr-defined]
        for value in ("99.50", "4.25", "8.87"):
            await type_line(pilot, value)
        assert app.screen is screen
        # 99.50 + 4.25 = 103.75; 8.87 % of it is 9.20
        assert (f"{zone} {price_type}: base 99.50 + fee 4.25 + tax 8.87% (9.20) = 112.95"
                in text_of(app, "#info"))
    price = pricing.price_grid(demo_db, perf_id).get(zone, price_type)
    assert price is not None
    assert (price.base_cents, price.fee_cents, price.tax_basis_points) == (9950, 425, 887)
    assert price_sets(demo_db) == sets + 1


async def test_a_blank_fee_and_tax_take_the_configured_defaults(
        demo_db: Database, tmp_path: Path) -> None:
    perf_id, zone, price_type, before = first_cell(demo_db)
    config = Config(pricing=PricingConfig(fee_cents=150, tax_basis_points=625))
    app = make_app(demo_db, tmp_path, config=config)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        await open_grid(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")                        # the base as it was
        await type_line(pilot, "")
        await type_line(pilot, "")
    price = pricing.price_grid(demo_db, perf_id).get(zone, price_type)
    assert price is not None
    assert (price.base_cents, price.fee_cents, price.tax_basis_points) == (
        before.base_cents, 150, 625)


async def test_bad_fee_or_tax_brings_the_form_back_and_changes_nothing(
        demo_db: Database, tmp_path: Path) -> None:
    perf_id, zone, price_type, before = first_cell(demo_db)
    sets = price_sets(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        screen = await open_grid(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await type_line(pilot, "130")
        await type_line(pilot, "three")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        assert "Fee: 'three' is not an amount" in text_of(app, "#form-problem")
        assert app.screen.query_one("#f-base").value == "130"  # type: ignore[attr-defined]
        assert app.screen.focused is app.screen.query_one("#f-fee")   # where it was wrong
        await type_line(pilot, "3.00")
        await type_line(pilot, "8.255")
        assert isinstance(app.screen, FormModal)
        assert "Tax: '8.255' is not a tax such as 8.25" in text_of(app, "#form-problem")
        assert app.screen.focused is app.screen.query_one("#f-tax")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert "Not changed" in text_of(app, "#info")
    assert pricing.price_grid(demo_db, perf_id).get(zone, price_type) == before
    assert price_sets(demo_db) == sets


async def test_v_shows_fee_tax_and_total_and_the_detail_line_all_three(
        demo_db: Database, tmp_path: Path) -> None:
    _, zone, price_type, price = first_cell(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        screen = await open_grid(pilot)
        assert cell_text(screen, zone, price_type) == "125.00"
        assert "base 125.00 + fee 3.00 + tax 8.00% (10.24) = 138.24" in text_of(
            app, "#price-detail")
        shown = []
        for _ in range(4):
            await pilot.press("v")
            await pilot.pause()
            shown.append(cell_text(screen, zone, price_type))
        assert shown == ["3.00", "8.00%", "138.24", "125.00"]
        await pilot.press("right")
        await pilot.pause()
        assert text_of(app, "#price-detail").startswith(f"{zone} x CHILD: base 62.50")
    assert (price.base_cents, price.fee_cents, price.tax_basis_points) == (12500, 300, 800)


async def test_a_blank_base_removes_the_price(demo_db: Database,
                                              tmp_path: Path) -> None:
    perf_id, zone, price_type, _ = first_cell(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        screen = await open_grid(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await type_line(pilot, "")
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert f"{zone} {price_type}: no price" in text_of(app, "#info")
        assert cell_text(screen, zone, price_type) == "-"
    assert pricing.price_grid(demo_db, perf_id).get(zone, price_type) is None


async def test_a_seller_may_not_change_prices(demo_db: Database,
                                              tmp_path: Path) -> None:
    perf_id, zone, price_type, before = first_cell(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        screen = await open_grid(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen                       # no form
        assert "needs the 'price_change' permission" in text_of(app, "#info")
    assert pricing.price_grid(demo_db, perf_id).get(zone, price_type) == before


def test_tax_is_typed_as_a_percentage() -> None:
    assert [parse_tax(text) for text in ("8", "8.25", "8.5%", " 0 ", "100")] == [
        800, 825, 850, 0, 10000]
    for bad in ("", "8.255", "-1", "eight", "100.01", "8,25"):
        with pytest.raises(BoxOfficeError) as refused:
            parse_tax(bad)
        assert refused.value.code == "bad_tax"
