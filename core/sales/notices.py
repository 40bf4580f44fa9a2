"""Notices to patrons: balance-due reminders for group orders past their due date, as
letters to print and fold, and the log of every notice sent (issue 21).

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
from core.store import journal
from core.store.db import Database, insert, write
from core.times import parse_stamp, stamp


@dataclass(frozen=True)
class Reminder:
    order: OverdueOrder
    customer: Customer | None
    skipped: str = ""            # why no letter goes: no customer, no consent to mail


@dataclass(frozen=True)
class SentNotice:
    kind: str
    customer: str
    order_number: str | None
    case_id: int | None
    channel: str
    sent_by: str
    sent_at: datetime


def balance_due_reminders(db: Database, actor: User, today: date) -> list[Reminder]:
    """Every group order past its balance-due date, with whether a letter may go.
    Needs `group_sales`."""
    authorize(db, actor, "group_sales")
    reminders = []
    for order in overdue_groups(db, today):
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
           "n.sent_at FROM notices n LEFT JOIN customers c ON c.id = n.customer_id "
           "LEFT JOIN orders o ON o.id = n.order_id JOIN users u ON u.id = n.sent_by")
    args: list[object] = []
    if customer_id is not None:
        sql += " WHERE n.customer_id = ?"
        args.append(customer_id)
    return [SentNotice(kind, name, number, case_id, channel, user, parse_stamp(at))
            for kind, name, number, case_id, channel, user, at in
            db.execute(sql + " ORDER BY n.id DESC", args)]
