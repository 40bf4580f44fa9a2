"""Paying for a web reservation at the window: the seller takes the usual tenders (in
their shift) and the tickets are issued and printed, like a sale."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from core.money import format_cents
from core.people.permissions import Override
from core.sales import orders, reservations
from core.sales.reservations import WebOrder
from tui.format import local_time
from tui.screens.dialogs import run_protected
from tui.screens.payment import PaymentEntry, PaymentModal

if TYPE_CHECKING:
    from tui.app import BoxOfficeApp


def reservation_line(app: BoxOfficeApp, order_id: int) -> str:
    """What a seller must know of a web reservation: total, deadline, the key."""
    order = reservations.web_order(app.db, order_id)
    if order.pay_by is None or order.status != "reserved":
        return ""
    seats = ", ".join(line.label for line in order.cart.lines[:6])
    if order.expired(app.clock()):
        return (f"Reserved online; the deadline {local_time(order.pay_by, app.config.zone)} "
                "passed and the seats went back on sale")
    return (f"Reserved online for {order.name}: {seats}; "
            f"{format_cents(order.total_cents)} to pay by "
            f"{local_time(order.pay_by, app.config.zone)}. y takes payment")


def take_payment(app: BoxOfficeApp, order_id: int, on_done: Callable[[], None]) -> None:
    """The payment modal for the reservation's total; on confirm the tickets are issued
    (in core, in one transaction) and printed with a receipt."""
    order: WebOrder = reservations.web_order(app.db, order_id)

    def paid(entry: PaymentEntry | None) -> None:
        if entry is None:
            return

        def attempt(_override: Override | None) -> WebOrder:
            return reservations.pay_reservation(app.db, app.seller, order_id, entry.tenders,
                                                station=app.station, now=app.clock())

        def done(_paid: WebOrder) -> None:
            cash = any(t.kind == "cash" for t in entry.tenders)
            change = sum(t.change_cents for t in entry.tenders)
            app.print_order(orders.get_order(app.db, order_id), receipt=True,
                            kick_drawer=cash)
            app.notify((f"CHANGE DUE {format_cents(change)}. " if change else "")
                       + f"Order {order.number} paid: printing its tickets.",
                       timeout=10 if change else 5)
            on_done()

        run_protected(app, attempt, done, title="Payment")

    app.push_screen(PaymentModal(order.total_cents,
                                 f"reservation {order.number} ({order.cart.ticket_count} "
                                 "ticket(s))"), paid)
