"""Notices to patrons: balance-due reminders for group orders past their due date,
instalment reminders for payment plans (the next instalment due soon, or late), as
letters to print and fold or emails, and the log of every notice sent (issue 21).

An order on a payment plan gets instalment reminders, not the group balance-due one. An
instalment reminder is about one instalment: once it went by a channel it is not offered
again by that channel (unless asked: `again`), so a weekly run never sends it twice.

A reminder goes only to a customer who agreed to be contacted by mail (their consent,
`Customer.may_contact`); the others are listed as skipped with the reason, so the box
office can phone them instead. Making the letters records each one in the log (who,
which order, by what channel, when, by whom); the log is append-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from core.people.models import User
from core.people.permissions import authorize
from core.sales.customers import Customer, get_customer
from core.sales.groups import OverdueOrder, overdue_groups
from core.sales.plans import Instalment, Plan, get_plan
from core.store import journal
from core.store.db import Database, insert, write
from core.times import parse_stamp, stamp


@dataclass(frozen=True)
class Reminder:
    order: OverdueOrder
    customer: Customer | None
    skipped: str = ""            # why no letter goes: no customer, no consent to mail


@dataclass(frozen=True)
class InstalmentReminder:
    plan: Plan
    instalment: Instalment      # the first one not covered: what the reminder asks for
    customer: Customer | None
    sent_by: frozenset[str]     # channels this instalment's reminder already went by
    again: bool = False         # asked to send it again

    def why_not(self, channel: str) -> str:
        """Why this reminder may not go by `channel` (mail, email); "" when it may."""
        customer = self.customer
        if customer is None:
            return "no customer on the order"
        if channel == "email" and not customer.email:
            return "no email address"
        if not customer.may_contact(channel):
            return f"no consent to {channel}"
        if channel in self.sent_by and not self.again:
            return f"already sent by {channel}"
        return ""

    @property
    def owed_cents(self) -> int:
        return self.instalment.amount_cents - self.instalment.paid_cents

    def words(self) -> str:
        """How it goes, for a list: 'letter', 'email', 'letter, email', or why not."""
        ways = [word for channel, word in (("mail", "letter"), ("email", "email"))
                if not self.why_not(channel)]
        if ways:
            return ", ".join(ways)
        if self.customer is not None and self.sent_by and not self.again:
            return "sent already"
        return f"phone ({self.why_not('mail')})"


@dataclass(frozen=True)
class SentNotice:
    kind: str
    customer: str
    order_number: str | None
    case_id: int | None
    channel: str
    sent_by: str
    sent_at: datetime
    instalment_seq: int | None = None   # an instalment reminder's instalment


def balance_due_reminders(db: Database, actor: User, today: date) -> list[Reminder]:
    """Every group order past its balance-due date, with whether a letter may go.
    Needs `group_sales`."""
    authorize(db, actor, "group_sales")
    reminders = []
    on_plans = {row[0] for row in db.execute("SELECT order_id FROM payment_plans")}
    for order in overdue_groups(db, today):
        if order.order_id in on_plans:          # its instalments get their own reminders
            continue
        if order.customer_id is None:
            reminders.append(Reminder(order, None, "no customer on the order"))
            continue
        customer = get_customer(db, order.customer_id)
        reminders.append(Reminder(order, customer, "" if customer.may_contact("mail")
                                  else "no consent to mail: phone them"))
    return reminders


def record_sent(db: Database, actor: User, reminders: list[Reminder], *, now: datetime,
                channel: str = "mail") -> int:
    """Log these reminders as sent by `channel` (mail: the letters; email) (the skipped
    ones are not); returns how many. Needs `group_sales`."""
    authorize(db, actor, "group_sales")
    if channel not in ("mail", "email"):
        raise ValueError(f"a notice goes by mail or email, not {channel!r}")
    sending = [r for r in reminders if not r.skipped and r.customer is not None]
    with write(db):
        for reminder in sending:
            assert reminder.customer is not None
            insert(db, "INSERT INTO notices (kind, customer_id, order_id, channel, sent_by, "
                   "sent_at) VALUES ('balance_due', ?, ?, ?, ?, ?)",
                   [reminder.customer.id, reminder.order.order_id, channel, actor.id,
                    stamp(now)])
        if sending:
            journal.append(db, actor=actor.username, action="notice.balance_due",
                           subject="notices",
                           data={"orders": [r.order.order_id for r in sending],
                                 "channel": channel}, at=now)
    return len(sending)


def instalment_reminders(db: Database, actor: User, today: date, *, due_within: int,
                         again: bool = False) -> list[InstalmentReminder]:
    """Every active plan whose next instalment not covered falls due within `due_within`
    days of `today` (or is already late), soonest first, with which channels it may go
    by (consent, an address, not already sent for this instalment unless `again`).
    Needs `group_sales`. Raises ValueError for a negative `due_within`."""
    authorize(db, actor, "group_sales")
    if due_within < 0:
        raise ValueError("due_within is zero or more days")
    found = []
    for order_id, customer_id in db.execute(
            "SELECT p.order_id, o.customer_id FROM payment_plans p JOIN orders o ON "
            "o.id = p.order_id WHERE p.status = 'active' AND o.status = 'deposit' "
            "ORDER BY p.order_id").fetchall():
        plan = get_plan(db, order_id)
        upcoming = plan.next_due()
        if upcoming is None or (upcoming.due - today).days > due_within:
            continue
        sent = frozenset(row[0] for row in db.execute(
            "SELECT channel FROM notices WHERE order_id = ? AND kind = 'instalment' AND "
            "instalment_seq = ?", [order_id, upcoming.seq]))
        found.append(InstalmentReminder(
            plan, upcoming, get_customer(db, customer_id) if customer_id else None, sent,
            again))
    return sorted(found, key=lambda r: (r.instalment.due, r.plan.order_number))


def record_instalment_sent(db: Database, actor: User, reminders: list[InstalmentReminder],
                           channel: str, *, now: datetime) -> int:
    """Log these instalment reminders as sent by `channel` (mail: the letters; email),
    the ones that may not go by it left out; returns how many. Needs `group_sales`."""
    authorize(db, actor, "group_sales")
    if channel not in ("mail", "email"):
        raise ValueError(f"a notice goes by mail or email, not {channel!r}")
    sending = [r for r in reminders if not r.why_not(channel) and r.customer is not None]
    with write(db):
        for reminder in sending:
            assert reminder.customer is not None
            insert(db, "INSERT INTO notices (kind, customer_id, order_id, instalment_seq, "
                   "channel, sent_by, sent_at) VALUES ('instalment', ?, ?, ?, ?, ?, ?)",
                   [reminder.customer.id, reminder.plan.order_id, reminder.instalment.seq,
                    channel, actor.id, stamp(now)])
        if sending:
            journal.append(db, actor=actor.username, action="notice.instalment",
                           subject="notices",
                           data={"instalments": [[r.plan.order_id, r.instalment.seq]
                                                 for r in sending], "channel": channel},
                           at=now)
    return len(sending)


def record_case_letter(db: Database, actor: User, case_id: int, customer_id: int | None,
                       channel: str, *, now: datetime) -> None:
    """Log a case's disposition letter sent to its patron by `channel` (mail, email).
    Needs `cases`."""
    authorize(db, actor, "cases")
    if channel not in ("mail", "email"):
        raise ValueError(f"a notice goes by mail or email, not {channel!r}")
    with write(db):
        insert(db, "INSERT INTO notices (kind, customer_id, case_id, channel, sent_by, "
               "sent_at) VALUES ('case', ?, ?, ?, ?, ?)",
               [customer_id, case_id, channel, actor.id, stamp(now)])
        journal.append(db, actor=actor.username, action="notice.case",
                       subject=f"case:{case_id}", data={"channel": channel}, at=now)


def sent_notices(db: Database, actor: User, *, customer_id: int | None = None
                 ) -> list[SentNotice]:
    """The log, newest first (one customer's, or everyone's). Needs `customer_edit`."""
    authorize(db, actor, "customer_edit")
    sql = ("SELECT n.kind, coalesce(c.name, ''), o.number, n.case_id, n.channel, u.username, "
           "n.sent_at, n.instalment_seq FROM notices n LEFT JOIN customers c ON "
           "c.id = n.customer_id LEFT JOIN orders o ON o.id = n.order_id JOIN users u ON "
           "u.id = n.sent_by")
    args: list[object] = []
    if customer_id is not None:
        sql += " WHERE n.customer_id = ?"
        args.append(customer_id)
    return [SentNotice(kind, name, number, case_id, channel, user, parse_stamp(at), seq)
            for kind, name, number, case_id, channel, user, at, seq in
            db.execute(sql + " ORDER BY n.id DESC", args)]
