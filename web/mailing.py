"""The email a patron gets after ordering online: what they ordered, the order's link,
and (once paid) their tickets as a PDF. Sent through core.mail; a failure is logged for
the coordinator (`boxoffice web messages`) and never undoes the order."""

from __future__ import annotations

from core import clock
from core.mail import Attachment, MailError, send
from core.money import format_cents
from core.sales import online, reservations
from hardware.ticket_pdf import tickets_pdf
from web.site import Storefront
from web.tickets import ticket_prints


def order_email(store: Storefront, order: reservations.WebOrder, base_url: str
                ) -> tuple[str, str]:
    """(subject, text) of the order's email."""
    names = store.performance_names({line.performance_id for line in order.cart.lines})
    house = store.config.venue.house_name
    lines = [f"Dear {order.name},", ""]
    if order.status == "cancelled":
        subject = f"{house}: your payment for order {order.number} is refunded"
        lines += ["Your card payment reached us after your seats' hold had run out, and "
                  "the seats had been sold by then. We have refunded the full amount to "
                  "your card; it shows within a few days. We are sorry: please choose "
                  "again.", ""]
    elif order.status == "reserved" and order.pay_by:
        subject = f"{house}: your reservation {order.number}"
        lines += [f"Your seats are reserved. Pay at the box office by "
                  f"{store.local(order.pay_by)} to collect your tickets; after that the "
                  "seats go back on sale.", ""]
    else:
        subject = f"{house}: your tickets, order {order.number}"
        lines += ["Thank you for your order. Your tickets are attached: show them at the "
                  "gate on your phone or printed.", ""]
    for line in order.cart.lines:
        lines.append(f"  {names[line.performance_id]}: {line.label}, {line.price_type}, "
                     f"{format_cents(line.total_cents)}")
    lines += ["", f"Total: {format_cents(order.total_cents)}", "",
              f"Your order: {base_url}{store.order_link(order.number)}", "",
              house, store.config.venue.house_address]
    return subject, "\n".join(lines).rstrip() + "\n"


def send_order_email(store: Storefront, order_id: int, base_url: str) -> None:
    order = reservations.web_order(store.db, order_id)
    kind = {"reserved": "reservation", "cancelled": "refund"}.get(order.status,
                                                                  "confirmation")
    if not store.config.mail.host or not order.email:
        return                   # no mail server (or address): the order page is the record
    subject, text = order_email(store, order, base_url)
    attachments = []
    if order.status == "complete":
        attachments.append(Attachment(f"tickets-{order.number}.pdf", tickets_pdf(
            ticket_prints(store, order.id), title=f"Order {order.number}")))
    try:
        send(store.config.mail, order.email, subject, text, attachments)
    except MailError as failed:
        online.record_message(store.db, order.id, kind, order.email, error=str(failed),
                              now=clock.now())
        return
    online.record_message(store.db, order.id, kind, order.email, now=clock.now())
