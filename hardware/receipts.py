"""Slips for what changed on an order after its sale: an exchange, a refund, a void.

A slip is worked out from the order before and after the change, so it shows exactly
what that change did: the tickets and goods that came back (negative lines), the new
tickets of an exchange (each with its performance), the difference, and the payments
the change took or paid back. Like every receipt, its lines add up to its total and its
tenders (plus any balance) to the total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.sales import models
from hardware.tickets import ReceiptLine, ReceiptPrint, tender_line, ticket_line

SLIP_TITLES = {"exchange": "EXCHANGE", "refund": "REFUND", "void": "VOID"}


def change_slip(before: models.Order, after: models.Order, kind: str, *, venue: str,
                seller: str, when: str, currency: str,
                performances: Mapping[int, str] | None = None,
                house_lines: Sequence[str] = (), training: bool = False,
                copy: str = "") -> ReceiptPrint:
    """The slip for one change (`kind`: exchange, refund or void) from `before` to
    `after`: what went back, what is new, and the money that moved."""
    shows = performances or {}
    was_live = {t.id for t in before.tickets if t.status == "live"}
    known = {t.id for t in before.tickets}
    back = [t for t in after.tickets if t.id in was_live and t.status != "live"]
    new = [t for t in after.tickets if t.id not in known]
    returned_before = {g.id: g.returned for g in before.goods}
    goods_before = {g.id for g in before.goods}
    lines = [ticket_line(t, shows, -1) for t in back]
    goods_tax = 0
    for good in after.goods:
        count = good.returned - returned_before.get(good.id, good.returned)
        if count > 0:
            lines.append(ReceiptLine(f"{good.description} x{count}", good.sku,
                                     -good.each_cents * count))
            goods_tax -= good.tax_cents * count
        elif good.id not in goods_before:
            goods_tax += good.tax_cents * good.kept
    lines += [ticket_line(t, shows) for t in new]
    lines += [ReceiptLine(f"{g.description} x{g.quantity}", g.sku, g.value_cents)
              for g in after.goods if g.id not in goods_before]
    paid_before = {p.id for p in before.payments}
    moved = [p for p in after.payments if p.id not in paid_before]
    total = sum(line.amount_cents for line in lines)
    approved = sum(p.amount_cents for p in moved if p.status == "approved")
    live_new = [t for t in new if t.status == "live"]
    return ReceiptPrint(
        venue=venue, order_number=after.number, seller=seller, when=when,
        currency=currency, lines=tuple(lines),
        fees_cents=sum(t.fee_cents for t in live_new) - sum(t.fee_cents for t in back),
        taxes_cents=(sum(t.tax_cents for t in live_new) - sum(t.tax_cents for t in back)
                     + goods_tax),
        total_cents=total, tenders=tuple(tender_line(p) for p in moved),
        balance_cents=total - approved, house_lines=tuple(house_lines), training=training,
        title=SLIP_TITLES[kind],
        total_label={"exchange": "DIFFERENCE"}.get(kind, "TOTAL BACK"), copy=copy)
