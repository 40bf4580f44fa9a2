"""Where an order becomes a print job: its tickets and its receipt (hardware.tickets lays
them out and knows nothing of orders), and the slips for what changed on an order after
its sale: an exchange, a refund, a void.

A slip is worked out from the order before and after the change, so it shows exactly
what that change did: the tickets and goods that came back (negative lines), the new
tickets of an exchange (each with its performance), the difference, and the payments
the change took or paid back. Like every receipt, its lines add up to its total and its
tenders (plus any balance) to the total.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from core.gate import codes
from core.sales import models, orders
from hardware.tickets import (
    ReceiptLine,
    ReceiptPrint,
    TenderLine,
    TicketPrint,
)

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


def tickets_from_order(order: models.Order, signer: codes.Signer, *, venue: str, event: str,
                       when: str, house_lines: Sequence[str] = (), currency: str = "USD",
                       training: bool = False,
                       ticket_ids: Collection[int] | None = None) -> list[TicketPrint]:
    """A TicketPrint for each live ticket of `order` (or only those in `ticket_ids`, e.g.
    the one being reprinted), each with its current generation's signed code. All are
    printed with the same `event` and `when`: pass `ticket_ids` to print one performance
    of an order that spans several (after an exchange)."""
    return [TicketPrint(
        venue=venue, event=event, when=when, section=t.section, row=t.row,
        seat=None if t.number is None else str(t.number), price_type=t.price_type,
        base_cents=t.base_cents, fee_cents=t.fee_cents, tax_cents=t.tax_cents,
        total_cents=t.base_cents + t.fee_cents + t.tax_cents, currency=currency,
        order_number=order.number, serial=t.serial, code=orders.ticket_code(signer, t),
        comp=bool(t.flags & codes.COMP), reprint=max(0, t.generation - 1),
        house_lines=tuple(house_lines), training=training,
        wheelchair=bool(t.flags & codes.WHEELCHAIR),
    ) for t in order.tickets
        if t.status == "live" and (ticket_ids is None or t.id in ticket_ids)]


def ticket_line(ticket: models.Ticket, performances: Mapping[int, str],
                sign: int = 1) -> ReceiptLine:
    """A ticket as a receipt line at its full price (negative when taken back)."""
    return ReceiptLine(ticket.label, ticket.price_type,
                       sign * (ticket.base_cents + ticket.fee_cents + ticket.tax_cents),
                       performances.get(ticket.performance_id, ""))


def tender_line(p: models.Payment) -> TenderLine:
    return TenderLine(
        kind=p.tender, amount_cents=p.amount_cents, status=p.status,
        tendered_cents=(p.amount_cents + p.change_cents
                        if p.tender == "cash" and p.amount_cents > 0 else None),
        change_cents=p.change_cents, card_brand=p.card_brand, card_last4=p.card_last4,
        approval_code=p.approval_code)


def receipt_from_order(order: models.Order, *, venue: str, seller: str, when: str,
                       currency: str, house_lines: Sequence[str] = (),
                       training: bool = False,
                       performances: Mapping[int, str] | None = None) -> ReceiptPrint:
    """The receipt for an order as it stands: its live tickets (each with its
    performance, from `performances`: id -> "event, when") and the goods it kept, every
    payment and refund, and what is still due. Tickets refunded, voided or exchanged
    earlier are named under the tenders, outside the total."""
    shows = performances or {}
    live = [t for t in order.tickets if t.status == "live"]
    lines = (tuple(ticket_line(t, shows) for t in live)
             + tuple(ReceiptLine(f"{g.description} x{g.kept}", g.sku, g.value_cents)
                     for g in order.goods if g.kept))
    total = sum(line.amount_cents for line in lines)
    approved = sum(p.amount_cents for p in order.payments if p.status == "approved")
    notes = tuple(f"{t.label} {t.price_type} {t.status}" for t in order.tickets
                  if t.status != "live") + tuple(
        f"{g.description} x{g.returned} returned" for g in order.goods if g.returned)
    return ReceiptPrint(
        venue=venue, order_number=order.number, seller=seller, when=when, currency=currency,
        lines=lines,
        fees_cents=sum(t.fee_cents for t in live),
        taxes_cents=(sum(t.tax_cents for t in live)
                     + sum(g.tax_cents * g.kept for g in order.goods)),
        total_cents=total,
        tenders=tuple(tender_line(p) for p in order.payments),
        balance_cents=total - approved, house_lines=tuple(house_lines),
        training=training, notes=notes)
