"""A performance's price grid: price zones (rows) x price types (columns). Enter on a
cell types its base price (blank removes it); fee and tax come from the config's
`[pricing]` defaults unless the cell had its own. Needs `price_change` (core checks)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Footer, Static

from core import pricing
from core.payments import format_cents
from core.performances import Performance
from core.pricing import PriceCell, PriceGrid
from core.tenders import parse_money
from tui.screens.admin_base import AdminSectionScreen, local_time
from tui.screens.dialogs import AskText


class PriceGridScreen(AdminSectionScreen):
    AUTO_FOCUS = "#price-grid"
    BINDINGS = [
        Binding("e,enter", "edit", "Edit price", id="admin_prices.edit"),
        Binding("escape", "back", "Back", id="admin_prices.back"),
    ]

    def __init__(self, performance: Performance) -> None:
        super().__init__()
        self.performance = performance
        self.grid: PriceGrid | None = None

    def compose(self) -> ComposeResult:
        perf = self.performance
        when = local_time(perf.starts_at, self.box_office.config.zone)
        yield Static(Text.assemble(("Prices", "bold"),
                                   f"  {perf.id} {perf.event_name} {when}"), id="heading")
        yield DataTable(id="price-grid", cursor_type="cell")
        yield Static("Base prices; '-' has none. Enter or e edits a cell.", id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        table = self.query_one("#price-grid", DataTable)
        where = table.cursor_coordinate
        table.clear(columns=True)
        grid = self.grid = pricing.price_grid(self.box_office.db, self.performance.id)
        table.add_column("Zone", key="zone")
        for code, _name in grid.price_types:
            table.add_column(code, key=code)
        for zone, name in grid.zones:
            cells = [grid.get(zone, code) for code, _ in grid.price_types]
            table.add_row(f"{zone} {name}"[:16],
                          *[Text("-" if price is None else format_cents(price.base_cents),
                                 justify="right") for price in cells], key=zone)
        table.cursor_coordinate = where if where.column else Coordinate(where.row, 1)

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

    def action_edit(self) -> None:
        cell = self.cell()
        if cell is None or self.grid is None or not self.may("price_change"):
            return
        zone, price_type = cell
        price = self.grid.get(zone, price_type)
        current = "" if price is None else format_cents(price.base_cents)

        def typed(text: str | None) -> None:
            if text is None:
                return
            app = self.box_office

            def change() -> PriceGrid:
                new = None
                if text:
                    new = PriceCell(parse_money(text),
                                    price.fee_cents if price else None,
                                    price.tax_basis_points if price else None)
                return pricing.set_price_grid(app.db, app.seller, self.performance.id,
                                              {(zone, price_type): new},
                                              defaults=app.config.pricing)

            done = f"{zone} {price_type}: {text or 'no price'}"
            if self.attempt(change, done) is not None:
                self.load()

        self.app.push_screen(AskText(
            f"Base price of {zone} x {price_type} (blank: no price):", value=current,
            placeholder="125.00", required=False), typed)

    def action_back(self) -> None:
        self.dismiss()
