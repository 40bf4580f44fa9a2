"""Paying at the window for what was agreed earlier: a web reservation (the tickets are
issued and printed, like a sale) or a payment plan's next instalment; the seller takes
the usual tenders, in their shift. And agreeing the plan itself for an order's balance:
its instalments, its default rule and when its tickets are issued."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from core.errors import BoxOfficeError, NotFound
from core.money import format_cents
from core.people.permissions import Override
from core.sales import orders, plans, reservations
from core.sales.reservations import WebOrder
from tui.format import local_time, parse_schedule
from tui.screens.admin_base import Field, FormModal
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


def plan_line(app: BoxOfficeApp, order_id: int) -> str:
    """The plan's next instalment and whether it is late, for the order's screen."""
    try:
        plan = plans.get_plan(app.db, order_id)
    except NotFound:
        return ""
    today = app.clock().astimezone(app.config.zone).date()
    return (plans.due_soon(plan, today)
            + ("" if plan.tickets_withheld else f"; {plans.RULE_WORDS[plan.tickets]}")
            + (". y takes a payment" if plan.status == "active" and not plan.paid_in_full
               else ""))


def take_instalment(app: BoxOfficeApp, order_id: int, on_done: Callable[[], None]) -> None:
    """The payment modal for the plan's next instalment."""
    plan = plans.get_plan(app.db, order_id)
    upcoming = plan.next_due()
    if upcoming is None:
        return

    def paid(entry: PaymentEntry | None) -> None:
        if entry is None:
            return

        def attempt(_override: Override | None) -> plans.Plan:
            return plans.pay_instalment(app.db, app.seller, order_id, entry.tenders,
                                        station=app.station, now=app.clock())

        def done(after: plans.Plan) -> None:
            change = sum(t.change_cents for t in entry.tenders)
            today = app.clock().astimezone(app.config.zone).date()
            issued = plan.tickets_withheld and not after.tickets_withheld
            app.notify((f"CHANGE DUE {format_cents(change)}. " if change else "")
                       + f"Order {plan.order_number}: {plans.due_soon(after, today)}."
                       + (" Its tickets are issued: printing them." if issued else ""),
                       timeout=10 if change or issued else 5)
            if issued:       # kept back until paid in full: they print like any paid order
                app.print_order(orders.get_order(app.db, order_id), receipt=True,
                                kick_drawer=any(t.kind == "cash" for t in entry.tenders))
            on_done()

        run_protected(app, attempt, done, title="Payment")

    app.push_screen(PaymentModal(upcoming.amount_cents - upcoming.paid_cents,
                                 f"instalment {upcoming.seq} of order {plan.order_number}"),
                    paid)


TICKET_ANSWERS = {"first": "first_payment", "full": "paid_in_full"}


def agree_plan_form(app: BoxOfficeApp, order_id: int, on_done: Callable[[], None], *,
                    values: dict[str, str] | None = None, problem: str = "") -> None:
    """The form for a plan on an order's balance: instalments (+DAYS:AMOUNT or
    YYYY-MM-DD:AMOUNT, adding up to the balance), days overdue before it may default,
    credit or refund then, tickets issued at the first payment or when paid in full.
    What core refuses is said on the form shown again, nothing written."""
    order = orders.get_order(app.db, order_id)
    typed = values or {"schedule": f"+30:{order.balance_cents / 100:.2f}",
                       "after": "14", "on_default": "credit", "tickets": "first"}
    fields = [
        Field("schedule", "Instalments: +days:amount, by commas "
                          f"({format_cents(order.balance_cents)} in all)", typed["schedule"]),
        Field("after", "Default after days overdue (0-365)", typed["after"]),
        Field("on_default", "On default, what was paid is kept as: credit or refund",
              typed["on_default"]),
        Field("tickets", "Tickets: first (at the first payment) or full (paid)",
              typed["tickets"])]

    def answered(got: dict[str, str] | None) -> None:
        if got is None:
            return
        today = app.clock().astimezone(app.config.zone).date()
        try:
            schedule = parse_schedule(got["schedule"], today)
            if not got["after"].isdigit():
                raise BoxOfficeError("Default after: a number of days, 0 to 365",
                                     code="bad_default")
            rule = TICKET_ANSWERS.get(got["tickets"].lower())
            if rule is None:
                raise BoxOfficeError("Tickets issued: first or full", code="bad_rule")
            if got["on_default"].lower() not in ("credit", "refund"):
                raise BoxOfficeError("On default: credit or refund", code="bad_default")
            plan = plans.agree_plan(app.db, app.seller, order_id, schedule,
                                    default_after_days=int(got["after"]),
                                    on_default=got["on_default"].lower(), tickets=rule,
                                    now=app.clock(), zone=app.config.zone)
        except BoxOfficeError as error:
            message = error.message[0].upper() + error.message[1:]
            agree_plan_form(app, order_id, on_done, values=got, problem=message)
            return
        app.notify(f"Order {plan.order_number}: {plans.due_soon(plan, today)}"
                   + ("" if plan.tickets_withheld else f"; {plans.RULE_WORDS[plan.tickets]}")
                   + ".", timeout=8)
        on_done()

    app.push_screen(FormModal(f"Payment plan for order {order.number}", fields,
                              problem=problem), answered)
