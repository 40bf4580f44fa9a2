"""The cart panel: every line of the sale with its price type and price, then its goods
(concessions, merchandise: name x quantity and amount), the fees, taxes and total, the
customer, and how long the seats stay locked."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from core.money import format_cents
from core.sales.customers import Customer
from core.sales.models import CartGood, CartLine, CartView


def line_label(line: CartLine) -> str:
    if line.row is None:
        return f"{line.section} GA x{line.quantity}"
    return f"{line.section} {line.row}-{line.number}"


def countdown(expires_at: datetime, now: datetime) -> str:
    seconds = max(0, int((expires_at - now).total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


def good_note(good: CartGood) -> Text:
    """Beside a goods line: SHORT when more is in the cart than on hand (approved or not)."""
    if not good.short:
        return Text("item", style="dim")
    return Text("SHORT" if good.short_approved_by is None else "SHORT ok",
                style="bold reverse" if good.short_approved_by is None else "bold")


class CartLines(DataTable):  # type: ignore[type-arg]
    """The lines, tickets first, then goods; the sell screen acts on the highlighted one
    (price type, remove, more or fewer)."""


class CartPanel(Vertical):
    DEFAULT_CSS = """
    CartPanel {
        height: auto;
        background: $panel;
    }
    CartPanel #cart-head { height: 1; padding: 0 1; background: $primary-background; }
    CartPanel CartLines { height: auto; max-height: 12; }
    CartPanel #cart-totals { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: CartView | None = None
        self.customer: Customer | None = None
        self.will_call = False
        self.exchange_note = ""
        self.empty_hint = ("Empty: space adds the seat under the cursor, b the best seats, "
                           "i items.")

    def compose(self) -> ComposeResult:
        yield Static(id="cart-head")
        yield CartLines(id="cart-lines", cursor_type="row", show_header=False)
        yield Static(id="cart-totals")

    def on_mount(self) -> None:
        table = self.query_one(CartLines)
        table.add_column("Seat", key="seat")
        table.add_column("Type", key="type")
        table.add_column("Price", key="price")

    @property
    def highlighted(self) -> CartLine | None:
        """The ticket line under the table's cursor (None on a goods line)."""
        if self.view is None or not self.view.lines:
            return None
        row = self.query_one(CartLines).cursor_row
        return self.view.lines[row] if 0 <= row < len(self.view.lines) else None

    @property
    def highlighted_good(self) -> CartGood | None:
        """The goods line under the table's cursor (None on a ticket line)."""
        if self.view is None or not self.view.goods:
            return None
        row = self.query_one(CartLines).cursor_row - len(self.view.lines)
        return self.view.goods[row] if 0 <= row < len(self.view.goods) else None

    def highlight_good(self, sku: str) -> None:
        """Put the table's cursor on the goods line of `sku` (after a change to it)."""
        if self.view is None:
            return
        for index, good in enumerate(self.view.goods):
            if good.sku == sku:
                self.query_one(CartLines).move_cursor(row=len(self.view.lines) + index)

    def show(self, view: CartView | None, customer: Customer | None, *, will_call: bool,
             now: datetime, exchange_note: str = "") -> None:
        keep = self.query_one(CartLines).cursor_row
        self.view = view if view is not None and view.status == "open" else None
        self.customer = customer
        self.will_call = will_call
        self.exchange_note = exchange_note
        table = self.query_one(CartLines)
        table.clear()
        lines = self.view.lines if self.view else ()
        goods = self.view.goods if self.view else ()
        for line in lines:
            each = line.each_cents
            price = format_cents(each * line.quantity)
            table.add_row(line_label(line), line.price_type, Text(price, justify="right"),
                          key=f"t{line.item_id}")
        for good in goods:
            table.add_row(good.label, good_note(good),
                          Text(format_cents(good.total_cents), justify="right"),
                          key=f"g{good.id}")
        rows = len(lines) + len(goods)
        table.display = bool(rows)
        if rows:
            table.move_cursor(row=min(max(keep, 0), rows - 1))
            # a table filled before its first layout kept the height it had empty, so a
            # resumed cart showed its totals but no lines until the next change
            self.call_after_refresh(table.refresh, layout=True)
        self._totals()
        self.tick(now)

    def _totals(self) -> None:
        text = Text()
        view = self.view
        if view is not None and not view.empty:
            fees = sum(line.fee_cents * line.quantity for line in view.lines)
            taxes = (sum(line.tax_cents * line.quantity for line in view.lines)
                     + sum(good.tax_cents * good.quantity for good in view.goods))
            if fees:
                text.append(f"Fees {format_cents(fees)}  ")
            if taxes:
                text.append(f"Tax {format_cents(taxes)}  ")
            text.append(f"Total {format_cents(view.total_cents)}", style="bold")
        else:
            text.append(self.empty_hint, style="dim")
        if self.customer is not None:
            text.append("\nCustomer ", style="dim")
            text.append(self.customer.name, style="bold")
            for flag in sorted(self.customer.flags):
                text.append(f" [{flag.upper()}]",
                            style="bold reverse red" if flag == "banned" else "bold")
        if self.will_call:
            text.append("\nWill-call: tickets wait at the window", style="bold")
        if self.exchange_note:
            text.append(f"\n{self.exchange_note}", style="bold yellow")
        self.query_one("#cart-totals", Static).update(text)

    def tick(self, now: datetime) -> None:
        """Redraw the head line: ticket and item counts and the cart-lock countdown."""
        view = self.view
        head = Text("Cart", style="bold")
        if view is not None and not view.empty:
            count = view.ticket_count
            if count:
                head.append(f"  {count} ticket{'s' if count != 1 else ''}")
            items = sum(good.quantity for good in view.goods)
            if items:
                head.append(f"  {items} item{'s' if items != 1 else ''}")
            left = countdown(view.expires_at, now)
            expired = view.expires_at <= now
            held = "seats held" if count else "empties in"
            head.append(f"  {held} {left}" if not expired else "  HOLD EXPIRED",
                        style="bold red" if (view.expires_at - now).total_seconds() < 60
                        else "")
        self.query_one("#cart-head", Static).update(head, layout=False)
