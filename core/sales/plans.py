"""Payment plans: an order paid in instalments agreed with the customer.

A plan sits on an order with a balance (status `deposit`): a group order on its deposit,
or a window sale made on a plan (`sell_on_plan`: the first instalment paid at the sale,
the tickets issued then). The schedule is dates and amounts that add up to the balance;
payments are the ordinary balance payments (`pay_instalment`, in the seller's shift),
applied to the instalments in order, so what is paid is never stored twice. An
instalment not covered by its due date is overdue: it shows on the worklist and on the
order. A plan overdue longer than its `default_after_days` defaults: the live tickets
are taken back (the seats go back on sale) and what was paid is kept as the customer's
account credit, or refunded (`refund` permission) - whichever the plan says.
Needs `group_sales` to agree a plan. Everything journaled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.errors import BoxOfficeError, NotFound
from core.money import format_cents
from core.people.models import User
from core.people.permissions import authorize
from core.sales import aftersale, checkout, groups
from core.sales.models import Order
from core.sales.orders import get_order
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database, insert, write
from core.times import stamp

MAX_INSTALMENTS = 24


class PlanError(BoxOfficeError):
    code = "plan"


@dataclass(frozen=True)
class Instalment:
    seq: int
    due: date
    amount_cents: int
    paid_cents: int             # of this instalment, from the order's payments in order

    @property
    def settled(self) -> bool:
        return self.paid_cents >= self.amount_cents

    def overdue(self, today: date) -> bool:
        return not self.settled and self.due < today


@dataclass(frozen=True)
class Plan:
    id: int
    order_id: int
    order_number: str
    customer_name: str
    status: str                 # active, defaulted (a paid plan is an active one settled)
    default_after_days: int
    on_default: str             # credit, refund
    instalments: tuple[Instalment, ...]

    @property
    def paid_in_full(self) -> bool:
        return all(i.settled for i in self.instalments)

    def next_due(self) -> Instalment | None:
        return next((i for i in self.instalments if not i.settled), None)

    def days_overdue(self, today: date) -> int:
        late = [i for i in self.instalments if i.overdue(today)]
        return (today - late[0].due).days if late else 0


def check_schedule(instalments: Sequence[tuple[date, int]], total_cents: int,
                   today: date) -> None:
    """Raises PlanError unless the dates rise from today and the amounts (each above
    zero) add up to `total_cents`."""
    if not 1 <= len(instalments) <= MAX_INSTALMENTS:
        raise PlanError(f"a plan has 1 to {MAX_INSTALMENTS} instalments", code="bad_plan")
    dates = [when for when, _ in instalments]
    if dates != sorted(set(dates)) or dates[0] < today:
        raise PlanError("the instalments' dates must rise, one a day at most, from today",
                        code="bad_plan")
    if any(amount <= 0 for _, amount in instalments):
        raise PlanError("every instalment is above zero", code="bad_plan")
    if sum(amount for _, amount in instalments) != total_cents:
        raise PlanError(f"the instalments come to "
                        f"{format_cents(sum(a for _, a in instalments))}; they must come to "
                        f"{format_cents(total_cents)}", code="bad_plan")


def agree_plan(db: Database, actor: User, order_id: int,
               instalments: Sequence[tuple[date, int]], *, default_after_days: int = 14,
               on_default: str = "credit", now: datetime, zone: ZoneInfo) -> Plan:
    """A plan for the balance of an order on a deposit (its customer agreed to it).
    Needs `group_sales`. Raises PlanError (`bad_plan`, `not_deposit`, `has_plan`,
    `no_customer`, `bad_default`), PermissionDenied."""
    if on_default not in ("credit", "refund") or not 0 <= default_after_days <= 365:
        raise PlanError("a plan defaults after 0 to 365 days, to credit or refund",
                        code="bad_default")
    with write(db):
        authorize(db, actor, "group_sales")
        order = get_order(db, order_id)
        if order.status != "deposit" or order.balance_cents <= 0:
            raise PlanError(f"order {order.number} has no balance to pay in instalments",
                            code="not_deposit")
        if order.customer_id is None:
            raise PlanError("a plan is agreed with a customer: put one on the order",
                            code="no_customer")
        if db.execute("SELECT 1 FROM payment_plans WHERE order_id = ?",
                      [order_id]).fetchone():
            raise PlanError(f"order {order.number} already has a plan", code="has_plan")
        check_schedule(instalments, order.balance_cents, now.astimezone(zone).date())
        plan_id = insert(db, "INSERT INTO payment_plans (order_id, default_after_days, "
                             "on_default, paid_before_cents, created_by, created_at) VALUES "
                             "(?, ?, ?, ?, ?, ?)",
                         [order_id, default_after_days, on_default, order.paid_cents,
                          actor.id, stamp(now)])
        db.executemany(
            "INSERT INTO plan_instalments (plan_id, seq, due_date, amount_cents) VALUES "
            "(?, ?, ?, ?)", [(plan_id, seq, when.isoformat(), amount)
                             for seq, (when, amount) in enumerate(instalments, start=1)])
        db.execute("UPDATE orders SET balance_due_date = ? WHERE id = ?",
                   [instalments[-1][0].isoformat(), order_id])
        journal.append(db, actor=actor.username, action="plan.agree",
                       subject=f"order:{order_id}",
                       data={"instalments": [[d.isoformat(), a] for d, a in instalments],
                             "default_after_days": default_after_days,
                             "on_default": on_default})
        return get_plan(db, order_id)


def sell_on_plan(db: Database, actor: User, cart_id: int, first: Sequence[Tender],
                 later: Sequence[tuple[date, int]], *, customer_id: int, station: str,
                 now: datetime, zone: ZoneInfo, default_after_days: int = 14,
                 on_default: str = "credit") -> Plan:
    """A window sale on a plan, in one transaction: `first` paid now (the tickets are
    issued), the rest on the `later` dates. Raises what checkout and agree_plan raise."""
    if not later:
        raise PlanError("a plan has instalments after today's", code="bad_plan")
    with write(db):
        order = checkout.checkout(db, actor, cart_id, first, station=station, now=now,
                                  customer_id=customer_id, balance_due=later[-1][0],
                                  zone=zone, on_plan=True)
        return agree_plan(db, actor, order.id, later, default_after_days=default_after_days,
                          on_default=on_default, now=now, zone=zone)


def pay_instalment(db: Database, actor: User, order_id: int, tenders: Sequence[Tender], *,
                   station: str, now: datetime) -> Plan:
    """A payment toward a plan's instalments at any window (in the seller's shift; any
    seller may take it). Raises NotFound `no_plan`, PlanError `defaulted`, and the
    refusals of groups.pay_balance (`overpaid`, `not_deposit`, ...)."""
    with write(db):
        plan = get_plan(db, order_id)
        if plan.status != "active":
            raise PlanError(f"order {plan.order_number}'s plan defaulted: nothing more is "
                            "paid on it", code="defaulted")
        groups.pay_balance(db, actor, order_id, tenders, station=station, now=now,
                           permission="sell")
        journal.append(db, actor=actor.username, action="plan.payment",
                       subject=f"order:{order_id}",
                       data={"amount_cents": sum(t.amount_cents for t in tenders)})
        return get_plan(db, order_id)


def get_plan(db: Database, order_id: int) -> Plan:
    """The order's plan with each instalment's share of what has been paid beyond what
    the order had when the plan was agreed. Raises NotFound `no_plan`."""
    row = db.execute(
        "SELECT p.id, o.number, coalesce(c.name, ''), p.status, p.default_after_days, "
        "p.on_default, p.paid_before_cents FROM payment_plans p JOIN orders o ON "
        "o.id = p.order_id LEFT JOIN customers c ON c.id = o.customer_id WHERE "
        "p.order_id = ?", [order_id]).fetchone()
    if row is None:
        raise NotFound("this order has no payment plan", code="no_plan")
    plan_id, number, name, status, after, on_default, paid_before = row
    # what was paid beyond the deposit (the balance payments) pays the instalments
    paid = get_order(db, order_id).paid_cents - paid_before
    instalments = []
    for seq, due, amount in db.execute("SELECT seq, due_date, amount_cents FROM "
                                       "plan_instalments WHERE plan_id = ? ORDER BY seq",
                                       [plan_id]):
        share = max(0, min(amount, paid))
        paid -= share
        instalments.append(Instalment(seq, date.fromisoformat(due), amount, share))
    return Plan(plan_id, order_id, number, name, status, after, on_default,
                tuple(instalments))


def overdue_plans(db: Database, today: date) -> list[Plan]:
    """Active plans with an instalment past its date and not covered, most overdue first."""
    plans = [get_plan(db, row[0]) for row in db.execute(
        "SELECT p.order_id FROM payment_plans p JOIN orders o ON o.id = p.order_id WHERE "
        "p.status = 'active' AND o.status = 'deposit'")]
    late = [plan for plan in plans if plan.days_overdue(today) > 0]
    return sorted(late, key=lambda plan: -plan.days_overdue(today))


def default_plan(db: Database, actor: User, order_id: int, *, station: str,
                 now: datetime, zone: ZoneInfo) -> Order:
    """A plan overdue longer than it allows: its live tickets go back (the seats on
    sale) and what was paid is kept as the customer's credit or refunded, as the plan
    says. Needs `group_sales` (and `refund` for a refund). Raises PlanError
    (`not_defaulted`: not overdue long enough), OrderError."""
    today = now.astimezone(zone).date()
    with write(db):
        authorize(db, actor, "group_sales")
        plan = get_plan(db, order_id)
        if plan.status != "active" or plan.days_overdue(today) <= plan.default_after_days:
            raise PlanError(f"order {plan.order_number} is not overdue by more than "
                            f"{plan.default_after_days} days: it has not defaulted",
                            code="not_defaulted")
        reason = (f"payment plan defaulted ({plan.days_overdue(today)} days overdue)")
        after = aftersale.refund(db, actor, order_id, reason=reason, station=station,
                                 now=now, to="credit" if plan.on_default == "credit"
                                 else "original", zone=zone)
        db.execute("UPDATE payment_plans SET status = 'defaulted', defaulted_at = ? WHERE "
                   "id = ?", [stamp(now), plan.id])
        db.execute("UPDATE orders SET status = 'cancelled' WHERE id = ?", [order_id])
        journal.append(db, actor=actor.username, action="plan.default",
                       subject=f"order:{order_id}",
                       data={"days_overdue": plan.days_overdue(today),
                             "kept_as": plan.on_default})
        return get_order(db, after.id)


def due_soon(plan: Plan, today: date) -> str:
    """A line for a seller: what is next, and whether it is late."""
    upcoming = plan.next_due()
    if upcoming is None:
        return "plan paid in full"
    late = plan.days_overdue(today)
    left = upcoming.amount_cents - upcoming.paid_cents
    return (f"plan: {format_cents(left)} due {upcoming.due.isoformat()}"
            + (f", OVERDUE {late} day(s)" if late else "")
            + f" ({sum(1 for i in plan.instalments if not i.settled)} instalment(s) left)")


def plan_timeline(plan: Plan) -> list[tuple[str, str, str]]:
    """Each instalment as (due date, amount, paid) words."""
    return [(i.due.isoformat(), format_cents(i.amount_cents),
             "paid" if i.settled else (format_cents(i.paid_cents) if i.paid_cents else "-"))
            for i in plan.instalments]

