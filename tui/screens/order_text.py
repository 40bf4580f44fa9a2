"""How one order reads on its screen (tui/screens/order_detail.py): the heading's status,
the customer and money lines, a ticket's seat, a payment, and the words for a few tickets.
Plain functions of core's records: the screen decides when to draw them."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.text import Text

from core.money import format_cents
from core.sales.lookup import OrderDetail
from core.sales.models import Order, Payment, Ticket
from tui.format import local_time
from tui.screens.goods_orders import plural


def seat_label(ticket: Ticket) -> str:
    if ticket.row is None:
        return f"{ticket.section} GA"
    return f"{ticket.section} {ticket.row}-{ticket.number}"


def payment_line(payment: Payment) -> Text:
    text = Text("  ")
    refund = payment.amount_cents < 0
    text.append(f"{'refund ' if refund else ''}{payment.tender}", style="bold")
    if payment.card_brand or payment.card_last4:
        text.append(f" {payment.card_brand or ''} ****{payment.card_last4 or '????'}")
    if payment.approval_code:
        text.append(f" appr {payment.approval_code}")
    text.append(f"  {format_cents(payment.amount_cents)}")
    if payment.change_cents:
        text.append(f"  change {format_cents(payment.change_cents)}")
    if payment.status != "approved":
        text.append(f"  {payment.status.upper()}", style="bold reverse")
    if payment.reason:
        text.append(f"  ({payment.reason})", style="dim")
    return text


def order_status(order: Order) -> Text:
    # goods count like tickets: an order whose every ticket and item went back reads
    # REFUNDED
    live = sum(t.status == "live" for t in order.tickets) + sum(g.kept for g in order.goods)
    return status_text(order.status, live,
                       len(order.tickets) + sum(g.quantity for g in order.goods))


def customer_line(detail: OrderDetail) -> Text:
    customer = detail.customer
    if customer is None:
        return Text("No customer on this order", style="dim")
    text = Text.assemble(("Customer ", "bold"), customer.name)
    for part in (customer.phone, customer.email):
        if part:
            text.append(f"  {part}")
    text.append_text(flags_text(customer.flags))
    return text


def state_line(detail: OrderDetail, zone: ZoneInfo, note: str) -> Text:
    """Value, paid, what is due, will-call; and how the order was found (`note`)."""
    order = detail.order
    text = Text(f"Value {format_cents(order.value_cents)}  Paid "
                f"{format_cents(order.paid_cents)}  ")
    if order.balance_cents:
        text.append(f"Due {format_cents(order.balance_cents)}  ", style="bold")
    if detail.will_call_waiting:
        text.append("WILL-CALL: waiting for pickup", style="bold reverse")
    elif detail.picked_up_at is not None:
        text.append(f"Will-call: picked up {local_time(detail.picked_up_at, zone)}")
    elif order.delivery == "will_call":
        text.append("Will-call")
    if note:
        style = "bold" if "REPLACED" in note else "dim"
        text.append(f"\nFound by {note}", style=style)
    return text


def ticket_count(tickets: list[Ticket]) -> str:
    return plural(len(tickets), "ticket")


def ticket_labels(tickets: list[Ticket]) -> str:
    """The first four seats, and how many more."""
    labels = [seat_label(t) for t in tickets]
    return ", ".join(labels[:4]) + (f" and {len(labels) - 4} more" if len(labels) > 4
                                     else "")


def status_text(status: str, live: int, tickets: int) -> Text:
    """An order's status in words a seller reads at a glance (reverse for the unusual).
    A complete order whose tickets all went back says REFUNDED: core keeps it complete."""
    if status == "complete" and tickets and not live:
        status = "refunded"
    styles = {"complete": "", "deposit": "bold", "on_account": "bold"}
    return Text(status.replace("_", " ").upper(), style=styles.get(status, "bold reverse"))


def flags_text(flags: frozenset[str]) -> Text:
    """A customer's flags; BANNED cannot be missed, even on a 16-colour terminal."""
    text = Text()
    if "banned" in flags:
        text.append(" BANNED ", style="bold reverse red")
    if "vip" in flags:
        text.append(" VIP", style="bold")
    if "accessibility" in flags:
        text.append(" ACCESS", style="bold")
    return text
