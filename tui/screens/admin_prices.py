"""A performance's price grid: price zones (rows) x price types (columns). Each price has
a base, a fee and a tax (a percentage of base + fee, kept in basis points). The cells show
one of them at a time (v switches: base, fee, tax, total); the line under the grid shows
all of the highlighted cell. Enter on a cell edits its base, fee and tax (a blank base
removes the price; a blank fee or tax takes the config's `[pricing]` default). Needs
`price_change` (core checks)."""

from __future__ import annotations

import re
from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Footer, Static

from core.errors import BoxOfficeError
from core.money import format_cents, parse_money
from core.venue import pricing
from core.venue.performances import Performance
from core.venue.pricing import Price, PriceCell, PriceGrid
from tui.screens.admin_base import AdminSectionScreen, Field, FormModal, local_time

SHOWN = ("base", "fee", "tax", "total")     # what the cells show, in the order v steps


def format_tax(basis_points: int) -> str:
    """825 -> '8.25%'."""
    return f"{basis_points // 100}.{basis_points % 100:02d}%"


def parse_tax(text: str) -> int:
    """'8.25' or '8.25%' -> 825 basis points. Raises BoxOfficeError `bad_tax`."""
    match = re.fullmatch(r"\s*(\d{1,3})(?:\.(\d{1,2}))?\s*%?\s*", text)
    if match is None or int(match.group(1)) * 100 + int(
            (match.group(2) or "0").ljust(2, "0")) > 10000:
        raise BoxOfficeError(f"'{text.strip()}' is not a tax such as 8.25 (percent, "
                             "0 to 100)", code="bad_tax")
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


def labelled(label: str, parse: Callable[[str], int], text: str) -> int | None:
    """`parse(text)`, None for a blank; a refusal names the field it came from."""
    if not text:
        return None
    try:
        return parse(text)
    except BoxOfficeError as error:
        raise BoxOfficeError(f"{label}: {error.message}", code=error.code) from error


def shown_value(price: Price, what: str) -> str:
    if what == "fee":
        return format_cents(price.fee_cents)
    if what == "tax":
        return format_tax(price.tax_basis_points)
    if what == "total":
        return format_cents(price.total_cents)
    return format_cents(price.base_cents)


def describe(price: Price) -> str:
    """'base 125.00 + fee 3.00 + tax 8.00% (10.24) = 138.24'."""
    return (f"base {format_cents(price.base_cents)} + fee {format_cents(price.fee_cents)} "
            f"+ tax {format_tax(price.tax_basis_points)} ({format_cents(price.tax_cents)}) "
            f"= {format_cents(price.total_cents)}")


class PriceGridScreen(AdminSectionScreen):
    AUTO_FOCUS = "#price-grid"
    BINDINGS = [
        Binding("e,enter", "edit", "Edit price", id="admin_prices.edit"),
        Binding("v", "switch_view", "Base/fee/tax", id="admin_prices.view"),
        Binding("escape", "back", "Back", id="admin_prices.back"),
    ]

    def __init__(self, performance: Performance) -> None:
        super().__init__()
        self.performance = performance
        self.grid: PriceGrid | None = None
        self.showing = "base"

    def compose(self) -> ComposeResult:
        yield Static(id="heading")
        yield DataTable(id="price-grid", cursor_type="cell")
        yield Static(id="price-detail")
        yield Static("Enter or e edits a cell's base, fee and tax; v shows another of "
                     "them.", id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        perf = self.performance
        when = local_time(perf.starts_at, self.box_office.config.zone)
        self.query_one("#heading", Static).update(Text.assemble(
            ("Prices", "bold"), f"  {perf.id} {perf.event_name[:24]} {when}  cells: ",
            (self.showing, "bold reverse")))
        table = self.query_one("#price-grid", DataTable)
        where = table.cursor_coordinate
        table.clear(columns=True)
        grid = self.grid = pricing.price_grid(self.box_office.db, self.performance.id)
        rows = [(zone, name, ["-" if price is None else shown_value(price, self.showing)
                              for price in (grid.get(zone, code)
                                            for code, _ in grid.price_types)])
                for zone, name in grid.zones]
        # explicit widths: after a clear the table measured the new cells against the old
        # columns and cut money short ("125.0" for 125.00)
        table.add_column("Zone", key="zone",
                         width=max([4] + [len(f"{z} {n}"[:16]) for z, n, _ in rows]))
        for index, (code, _name) in enumerate(grid.price_types):
            table.add_column(code, key=code,
                             width=max([len(code)] + [len(cells[index]) for *_, cells in rows]))
        for zone, name, cells in rows:
            table.add_row(f"{zone} {name}"[:16], *[Text(cell, justify="right")
                                                   for cell in cells], key=zone)
        table.cursor_coordinate = where if where.column else Coordinate(where.row, 1)
        self.show_detail()

    def show_detail(self) -> None:
        """The highlighted cell's base, fee, tax and total, under the grid."""
        cell = self.cell()
        detail = ""
        if cell is not None and self.grid is not None:
            zone, price_type = cell
            price = self.grid.get(zone, price_type)
            detail = f"{zone} x {price_type}: " + (
                "no price" if price is None else describe(price))
        self.query_one("#price-detail", Static).update(detail)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self.show_detail()
        self.refresh_bindings()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_edit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            return self.cell() is not None
        return True

    def cell(self) -> tuple[str, str] | None:
        """The (zone, price type) under the cursor, if it is a price cell."""
        if self.grid is None:
            return None
        where = self.query_one("#price-grid", DataTable).cursor_coordinate
        if not (0 <= where.row < len(self.grid.zones)
                and 1 <= where.column <= len(self.grid.price_types)):
            return None
        return self.grid.zones[where.row][0], self.grid.price_types[where.column - 1][0]

    def action_switch_view(self) -> None:
        self.showing = SHOWN[(SHOWN.index(self.showing) + 1) % len(SHOWN)]
        self.load()

    def action_edit(self) -> None:
        cell = self.cell()
        if cell is None or self.grid is None or not self.may("price_change"):
            return
        price = self.grid.get(*cell)
        typed = {"base": "", "fee": "", "tax": ""} if price is None else {
            "base": format_cents(price.base_cents), "fee": format_cents(price.fee_cents),
            "tax": format_tax(price.tax_basis_points).rstrip("%")}
        self._form(cell, typed, "")

    def _form(self, cell: tuple[str, str], typed: dict[str, str], problem: str) -> None:
        zone, price_type = cell
        defaults = self.box_office.config.pricing
        self.app.push_screen(FormModal(f"Price of {zone} x {price_type}", [
            Field("base", "Base price (blank: no price)", typed["base"],
                  placeholder="125.00", required=False),
            Field("fee", f"{defaults.fee_name} (blank: {format_cents(defaults.fee_cents)})",
                  typed["fee"], placeholder="3.00", required=False),
            Field("tax", f"{defaults.tax_name}, percent of base + fee (blank: "
                         f"{format_tax(defaults.tax_basis_points)})", typed["tax"],
                  placeholder="8.25", required=False),
        ], problem=problem), lambda values: self._save(cell, values))

    def _save(self, cell: tuple[str, str], values: dict[str, str] | None) -> None:
        """Set the cell (or remove it, on a blank base). Bad input brings the form back
        with what was typed and what was wrong; nothing changes."""
        if values is None:
            self.say("Not changed.")
            return
        app = self.box_office
        zone, price_type = cell
        try:
            new = None
            if values["base"]:
                new = PriceCell(labelled("Base", parse_money, values["base"]) or 0,
                                labelled("Fee", parse_money, values["fee"]),
                                labelled("Tax", parse_tax, values["tax"]))
            grid = pricing.set_price_grid(app.db, app.seller, self.performance.id,
                                          {cell: new}, defaults=app.config.pricing)
        except BoxOfficeError as error:
            self.say(f"Not done: {error.message}. Nothing changed.", error=True)
            self._form(cell, values, error.message)
            return
        price = grid.get(zone, price_type)
        self.say(f"{zone} {price_type}: " + ("no price" if price is None else describe(price)))
        self.load()

    def action_back(self) -> None:
        self.dismiss()
