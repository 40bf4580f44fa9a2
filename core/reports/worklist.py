"""The coordinator's worklist and the will-call list: what is waiting on someone.

The worklist gathers what no screen would otherwise bring up: group balances past their
due date, card payments still waiting for the terminal's answer (their orders' seats stay
locked until a supervisor settles them), consignment batches not yet settled, and patron
cases past their follow-up date (by number, never their words), and payment plans with
an instalment past its date. The
will-call list is a performance's orders waiting to be picked up."""

from __future__ import annotations

from core.report_model import Cents, Report, ReportError, Scope, Table
from core.sales.cases import overdue_cases
from core.sales.consignment import outstanding
from core.sales.customer_orders import will_call
from core.sales.groups import overdue_groups
from core.sales.payments import pending_card_payments
from core.sales.plans import overdue_plans
from core.store.db import Database
from core.venue.performances import list_performances


def worklist(db: Database, scope: Scope) -> Report:
    """Overdue group balances, pending card payments, outstanding consignment batches
    (of the performance, or of every performance)."""
    today = scope.now.astimezone(scope.zone).date()
    overdue = overdue_groups(db, today)
    groups = Table("Group balances overdue", (
        "order", "group", "due", "days late", "value", "paid", "balance"), tuple(
        (o.number, o.group_name or "", o.balance_due.isoformat(),
         (today - o.balance_due).days, Cents(o.value_cents), Cents(o.paid_cents),
         Cents(o.balance_cents)) for o in overdue))
    pending = pending_card_payments(db)
    cards = Table("Card payments waiting for the terminal's answer", (
        "order", "amount", "seller", "station", "since", "waiting (min)"), tuple(
        (p.order_number, Cents(p.amount_cents), p.seller, p.station,
         f"{scope.local(p.created_at.isoformat()):%Y-%m-%d %H:%M}",
         int((scope.now - p.created_at).total_seconds() // 60)) for p in pending))
    shows = ([scope.performance_id] if scope.performance_id is not None
             else [perf.id for perf in list_performances(db)])
    batches = [(show, batch) for show in shows for batch in outstanding(db, show)]
    consigned = Table("Consignment batches outstanding", (
        "performance", "batch", "consignee", "issued", "live tickets", "value"), tuple(
        (show, b.number, b.consignee, f"{scope.local(b.issued_at.isoformat()):%Y-%m-%d}",
         b.tickets, Cents(b.value_cents)) for show, b in batches))
    plans_late = overdue_plans(db, today)
    instalments = Table("Payment plans overdue", (
        "order", "customer", "next due", "owed on it", "days late", "defaults after"), tuple(
        (plan.order_number, plan.customer_name, due.due.isoformat(),
         Cents(due.amount_cents - due.paid_cents), plan.days_overdue(today),
         plan.default_after_days)
        for plan in plans_late if (due := plan.next_due()) is not None))
    late = overdue_cases(db, today)
    patron_cases = Table("Patron cases past their follow-up date", (
        "case", "follow-up", "category", "priority", "assignee"), tuple(late))
    notes = []
    if pending:
        notes.append("A waiting card payment keeps its order's seats locked: settle it "
                     "from the card terminal's journal (approved with its code, or declined).")
    return Report("worklist", "Worklist", scope.describe(), (
        ("Overdue balances", len(overdue)),
        ("Owed on them", Cents(sum(o.balance_cents for o in overdue))),
        ("Card payments waiting", len(pending)),
        ("Consignment batches out", len(batches)),
        ("Patron cases overdue", len(late)),
        ("Payment plans overdue", len(plans_late))),
        (groups, cards, consigned, patron_cases, instalments), tuple(notes))


def will_call_list(db: Database, scope: Scope) -> Report:
    """A performance's will-call orders not yet picked up, by customer name."""
    if scope.performance_id is None:
        raise ReportError("the will-call list is per performance: give --performance",
                          code="performance_required")
    waiting = will_call(db, scope.performance_id)
    owed = [w for w in waiting if w.order_status in ("deposit", "on_account")]
    return Report("will-call", "Will-call", scope.describe(), (
        ("Orders waiting", len(waiting)), ("Tickets", sum(w.tickets for w in waiting)),
        ("Money still owed on", len(owed))),
        (Table("Waiting to be picked up", (
            "customer", "phone", "order", "tickets", "flags", "note"), tuple(
            (w.customer_name, w.phone, w.order_number, w.tickets,
             ",".join(sorted(w.flags)),
             "MONEY OWED" if w.order_status in ("deposit", "on_account") else "")
            for w in waiting)),),
        ("An order marked MONEY OWED still has a balance or is on account: take the "
         "payment before handing its tickets over.",) if owed else ())
