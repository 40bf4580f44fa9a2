"""Concession and merchandise items as the window shows them: a list with each item's
price (tax included) and its stock in words ('12', '3 LOW', 'OUT'), the line that goes
under the list to filter it, and the one-line low-stock warning. The screens read the
items from core and hand them in."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable, Input

from core.concessions.stock import Item
from core.money import format_cents


def stock_text(item: Item) -> Text:
    """The stock label, standing out when LOW or OUT (the word is there, not only a
    colour, for a 16-colour terminal)."""
    label = item.stock_label
    if item.on_hand <= 0:
        return Text(label, style="bold reverse red", justify="right")
    if item.low:
        return Text(label, style="bold yellow", justify="right")
    return Text(label, justify="right")


def low_stock_line(items: Sequence[Item], *, limit: int = 6) -> Text:
    """'Low stock: SCARF 4, WATER OUT' for the items at or below their threshold
    (empty Text when none is)."""
    low = [item for item in items if item.low]
    if not low:
        return Text()
    text = Text("Low stock: ", style="bold")
    shown = [f"{item.sku} {item.on_hand if item.on_hand > 0 else 'OUT'}"
             for item in low[:limit]]
    text.append(", ".join(shown))
    if len(low) > limit:
        text.append(f" and {len(low) - limit} more")
    return text


class ItemTable(DataTable):  # type: ignore[type-arg]
    """SKU, name, category, price with tax, stock. `items` are the rows, in order."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.items: list[Item] = []

    def on_mount(self) -> None:
        self.add_column("SKU", key="sku")
        self.add_column("Item", key="name")
        self.add_column("Category", key="category")
        self.add_column("Price", key="price")
        self.add_column("Stock", key="stock")

    def show(self, items: Sequence[Item], empty: str = "No item matches.") -> None:
        keep = self.highlighted
        self.items = list(items)
        self.clear()
        for item in self.items:
            self.add_row(item.sku, item.name[:24], item.category[:12],
                         Text(format_cents(item.each_cents), justify="right"),
                         stock_text(item), key=item.sku)
        if not self.items:
            self.add_row("", Text(empty, style="dim"), "", "", "")
        elif keep is not None and keep.sku in {i.sku for i in self.items}:
            self.move_cursor(row=[i.sku for i in self.items].index(keep.sku))

    @property
    def highlighted(self) -> Item | None:
        if not self.items or not 0 <= self.cursor_row < len(self.items):
            return None
        return self.items[self.cursor_row]

    def move_by(self, rows: int) -> None:
        if self.row_count:
            self.move_cursor(row=max(0, min(self.row_count - 1, self.cursor_row + rows)))


class ItemFilter(Input):
    """Type to filter the items (SKU, name or category); a handheld scanner types a SKU
    and Enter. The arrows move in the list below while this line keeps the keys."""

    BINDINGS = [
        Binding("down", "move(1)", "Next", show=False, id="items.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="items.previous"),
        Binding("pagedown", "move(8)", "Page down", show=False, id="items.page_down"),
        Binding("pageup", "move(-8)", "Page up", show=False, id="items.page_up"),
    ]

    def action_move(self, rows: int) -> None:
        self.screen.query_one(ItemTable).move_by(rows)
