"""An order's goods on the order screen: how each line reads, how many of it are marked
for a refund, and the words for what a refund covers."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text

from core.sales.models import Order, OrderGood, Ticket
from tui.screens.dialogs import AskText

if TYPE_CHECKING:
    from tui.app import BoxOfficeApp


def goods_status(good: OrderGood) -> Text:
    """SOLD, '1 KEPT 2 BACK', RETURNED (refunded or voided: back in stock)."""
    if good.returned == 0:
        return Text("SOLD")
    if good.kept == 0:
        return Text("RETURNED", style="bold reverse")
    return Text(f"{good.kept} KEPT {good.returned} BACK", style="bold")


def goods_row(good: OrderGood, marked: int | None) -> tuple[str | Text, ...]:
    """The order table's row for a goods line (its columns: mark, ticket, seat, type,
    status, printed, when)."""
    return (f"*{marked}" if marked else " ", good.sku,
            f"{good.description[:18]} x{good.quantity}", "item", goods_status(good), "", "")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def refund_words(tickets: Sequence[Ticket], goods: Sequence[OrderGood],
                 quantities: Mapping[int, int]) -> str:
    """'2 tickets and 3 items': what a refund covers."""
    items = sum(quantities.get(good.id, 0) for good in goods)
    parts = ([plural(len(tickets), "ticket")] if tickets else []) + (
        [plural(items, "item")] if items else [])
    return " and ".join(parts) or "nothing"


def goods_labels(goods: Sequence[OrderGood], quantities: Mapping[int, int]) -> list[str]:
    return [f"{good.description} x{quantities[good.id]}" for good in goods
            if quantities.get(good.id)]


def ask_how_many(app: BoxOfficeApp, good: OrderGood, then: Callable[[int], None]) -> None:
    """How many of a goods line to refund (1 to what the customer still has); a wrong
    answer is told and nothing is marked."""
    if good.kept == 1:
        then(1)
        return

    def answered(text: str | None) -> None:
        if text is None:
            return
        if not text.isdigit() or not 1 <= int(text) <= good.kept:
            app.notify(f"How many: a whole number from 1 to {good.kept}. Nothing marked.",
                       severity="error", title="Refund")
            return
        then(int(text))

    app.push_screen(AskText(f"How many of the {good.kept} {good.description} to refund?",
                            value=str(good.kept), placeholder="How many"), answered)


@dataclass(frozen=True)
class RefundPlan:
    """What a refund of an order covers, as core's refund takes it and as the seller
    reads it. `ticket_ids` and `goods` None: everything still live or kept."""

    ticket_ids: list[int] | None
    goods: dict[int, int] | None
    what: str                 # '2 tickets and 3 items'
    shown: str                # 'ORCH A-101, Popcorn, large x3'
    worth_cents: int


def refund_plan(order: Order, marked: Collection[int], marked_goods: Mapping[int, int],
                label: Callable[[Ticket], str]) -> RefundPlan | None:
    """The marked tickets and goods; with none marked, the whole order, goods included.
    None when nothing is left to refund."""
    live = [t for t in order.tickets if t.status == "live"]
    ids: list[int] | None
    goods: dict[int, int] | None
    if marked or marked_goods:
        tickets = [t for t in live if t.id in marked]
        quantities = dict(marked_goods)
        ids, goods = [t.id for t in tickets], quantities
    else:
        tickets, quantities = live, {g.id: g.kept for g in order.goods if g.kept}
        ids = goods = None
    if not tickets and not quantities:
        return None
    worth = sum(t.base_cents + t.fee_cents + t.tax_cents for t in tickets) + sum(
        g.each_cents * quantities.get(g.id, 0) for g in order.goods)
    labels = [label(t) for t in tickets] + goods_labels(order.goods, quantities)
    shown = ", ".join(labels[:4]) + (f" and {len(labels) - 4} more" if len(labels) > 4
                                     else "")
    return RefundPlan(ids, goods, refund_words(tickets, order.goods, quantities), shown,
                      worth)
