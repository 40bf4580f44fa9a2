"""Patron services: an inquiry, a complaint or a request, from the moment it is logged to
the written disposition sent back to the patron.

A case names what it is (kind, channel, category, a description, a priority), whom and
what it concerns (a customer, an order, a performance: each optional), who follows it up
and by when. Notes are appended, never edited. It ends resolved or referred, with a
disposition in writing; the letter to the patron is made from it (core/reports/letters).
Everything is journaled without the free text (the journal is forever; a case's words
are confidential): who did what to which case.

Only roles with the `cases` permission see or touch cases, so a case's words stay with
patron services. Free text is checked for card numbers like every other field.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from statistics import median
from typing import Any

from core.errors import BoxOfficeError, NotFound
from core.free_text import clean_text
from core.people.models import User
from core.people.permissions import authorize
from core.report_model import Report, Scope, Table
from core.store import journal
from core.store.db import Database, insert, write
from core.times import parse_stamp, stamp

KINDS = ("inquiry", "complaint", "request")
CHANNELS = ("counter", "phone", "email", "web")
PRIORITIES = ("low", "normal", "high")
OPEN_STATUSES = ("open", "waiting")             # waiting: on the customer
CLOSED_STATUSES = ("resolved", "referred")
CATEGORY_MAX = 40
TEXT_MAX = 4000


class CaseError(BoxOfficeError):
    """A case refused: bad field, wrong status."""


@dataclass(frozen=True)
class CaseNote:
    at: datetime
    username: str
    text: str


@dataclass(frozen=True)
class Case:
    id: int
    kind: str
    channel: str
    category: str
    description: str
    priority: str
    status: str
    customer_id: int | None
    customer_name: str | None
    order_id: int | None
    order_number: str | None
    performance_id: int | None
    opened_by: str
    opened_at: datetime
    assignee: str | None
    follow_up: date | None
    disposition: str | None
    closed_by: str | None
    closed_at: datetime | None
    notes: tuple[CaseNote, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue(self, today: date) -> bool:
        """Still open with its follow-up date passed."""
        return self.is_open and self.follow_up is not None and self.follow_up < today


_COLUMNS = (
    "c.id, c.kind, c.channel, c.category, c.description, c.priority, c.status, "
    "c.customer_id, cu.name, c.order_id, o.number, c.performance_id, ob.username, "
    "c.opened_at, a.username, c.follow_up, c.disposition, cb.username, c.closed_at")
_FROM = (
    "FROM cases c JOIN users ob ON ob.id = c.opened_by "
    "LEFT JOIN users a ON a.id = c.assignee_id LEFT JOIN users cb ON cb.id = c.closed_by "
    "LEFT JOIN customers cu ON cu.id = c.customer_id LEFT JOIN orders o ON o.id = c.order_id ")


def _case(row: Any, notes: tuple[CaseNote, ...] = ()) -> Case:
    return Case(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                row[9], row[10], row[11], row[12], parse_stamp(row[13]), row[14],
                date.fromisoformat(row[15]) if row[15] else None, row[16], row[17],
                parse_stamp(row[18]) if row[18] else None, notes)


# -- checks ----------------------------------------------------------------------------

def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    cleaned = value.strip().lower()
    if cleaned not in allowed:
        raise CaseError(f"{what} is one of {', '.join(allowed)}, not '{value}'",
                        code=f"bad_{what}")
    return cleaned


def _free_text(value: str, what: str, most: int = TEXT_MAX) -> str:
    """Typed text a case keeps and prints: core.free_text's check (card numbers, control
    characters; lines and tabs allowed), with the case's own codes for empty or long."""
    cleaned = value.strip()
    if not cleaned:
        raise CaseError(f"write the {what}", code=f"bad_{what}")
    if len(cleaned) > most:
        raise CaseError(f"the {what} is at most {most} characters", code=f"bad_{what}")
    return clean_text(cleaned, what, max_length=most, multiline=True)


def _user_id(db: Database, username: str | None) -> int | None:
    if not username:
        return None
    row = db.execute("SELECT id FROM users WHERE username = ? AND active = 1",
                     [username.strip().lower()]).fetchone()
    if row is None:
        raise CaseError(f"there is no active user '{username}' to assign it to",
                        code="bad_assignee")
    return int(row[0])


def _exists(db: Database, table: str, row_id: int | None, what: str) -> None:
    # table names come from the fixed calls below, never from the caller
    if row_id is not None and db.execute(f"SELECT 1 FROM {table} WHERE id = ?",
                                         [row_id]).fetchone() is None:
        raise NotFound(f"there is no {what} {row_id}")


# -- services --------------------------------------------------------------------------

def open_case(db: Database, actor: User, *, kind: str, channel: str, category: str,
              description: str, now: datetime, priority: str = "normal",
              customer_id: int | None = None, order_id: int | None = None,
              performance_id: int | None = None, assignee: str | None = None,
              follow_up: date | None = None) -> Case:
    """Log a case. Needs `cases`. Raises CaseError (`bad_kind`, `bad_channel`,
    `bad_category`, `bad_description`, `bad_priority`, `bad_assignee`, `bad_follow_up`),
    NotFound for an unknown customer, order or performance, TenderError `card_number`."""
    authorize(db, actor, "cases")
    values = (_choice(kind, KINDS, "kind"), _choice(channel, CHANNELS, "channel"),
              _free_text(category, "category", CATEGORY_MAX),
              _free_text(description, "description"),
              _choice(priority, PRIORITIES, "priority"))
    if follow_up is not None and follow_up < now.date().replace(year=now.year - 1):
        raise CaseError("the follow-up date is more than a year ago", code="bad_follow_up")
    with write(db):
        _exists(db, "customers", customer_id, "customer")
        _exists(db, "orders", order_id, "order")
        _exists(db, "performances", performance_id, "performance")
        if order_id is not None and customer_id is None:
            # the order's customer, when it has one: the case is theirs too
            row = db.execute("SELECT customer_id FROM orders WHERE id = ?",
                             [order_id]).fetchone()
            customer_id = row[0] if row else None
        case_id = insert(db,
            "INSERT INTO cases (kind, channel, category, description, priority, customer_id, "
            "order_id, performance_id, opened_by, opened_at, assignee_id, follow_up) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*values, customer_id, order_id, performance_id, actor.id, stamp(now),
             _user_id(db, assignee), follow_up.isoformat() if follow_up else None])
        journal.append(db, actor=actor.username, action="case.open",
                       subject=f"case:{case_id}",
                       data={"kind": values[0], "channel": values[1],
                             "priority": values[4], "customer_id": customer_id,
                             "order_id": order_id}, at=now)
        return get_case(db, actor, case_id)


def get_case(db: Database, actor: User, case_id: int) -> Case:
    """The case with its notes. Needs `cases`. Raises NotFound."""
    authorize(db, actor, "cases")
    row = db.execute(f"SELECT {_COLUMNS} {_FROM} WHERE c.id = ?", [case_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no case {case_id}")
    notes = tuple(CaseNote(parse_stamp(at), username, text) for at, username, text in
                  db.execute("SELECT n.at, u.username, n.text FROM case_notes n JOIN users u "
                             "ON u.id = n.user_id WHERE n.case_id = ? ORDER BY n.id",
                             [case_id]))
    return _case(row, notes)


def list_cases(db: Database, actor: User, *, open_only: bool = True,
               assignee: str | None = None, customer_id: int | None = None) -> list[Case]:
    """Cases, the worklist's order: follow-up date first (none last), high priority
    first, then oldest. Needs `cases`."""
    authorize(db, actor, "cases")
    where: list[str] = ["1 = 1"]
    args: list[object] = []
    if open_only:
        where.append("c.status IN ('open', 'waiting')")
    if assignee:
        where.append("a.username = ?")
        args.append(assignee.strip().lower())
    if customer_id is not None:
        where.append("c.customer_id = ?")
        args.append(customer_id)
    rows = db.execute(
        f"SELECT {_COLUMNS} {_FROM} WHERE {' AND '.join(where)} ORDER BY "
        "c.follow_up IS NULL, c.follow_up, CASE c.priority WHEN 'high' THEN 0 "
        "WHEN 'normal' THEN 1 ELSE 2 END, c.id", args).fetchall()
    return [_case(row) for row in rows]


def _open_case(db: Database, case_id: int) -> str:
    row = db.execute("SELECT status FROM cases WHERE id = ?", [case_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no case {case_id}")
    if row[0] in CLOSED_STATUSES:
        raise CaseError(f"case {case_id} is {row[0]}: it is closed", code="case_closed")
    return str(row[0])


def add_note(db: Database, actor: User, case_id: int, text: str, *,
             now: datetime) -> Case:
    """Append a note (what was said, what was done). Needs `cases`. Raises CaseError
    (`bad_note`, `case_closed`), NotFound, TenderError `card_number`."""
    authorize(db, actor, "cases")
    cleaned = _free_text(text, "note")
    with write(db):
        _open_case(db, case_id)
        insert(db, "INSERT INTO case_notes (case_id, user_id, at, text) VALUES (?, ?, ?, ?)",
               [case_id, actor.id, stamp(now), cleaned])
        journal.append(db, actor=actor.username, action="case.note",
                       subject=f"case:{case_id}", data={}, at=now)
        return get_case(db, actor, case_id)


def update_case(db: Database, actor: User, case_id: int, *, now: datetime,
                status: str | None = None, assignee: str | None = None,
                follow_up: date | None = None, priority: str | None = None) -> Case:
    """Change an open case's status (open, waiting), assignee, follow-up date or
    priority; what is None stays. Needs `cases`. Raises CaseError (`bad_status`,
    `bad_assignee`, `bad_priority`, `case_closed`), NotFound."""
    authorize(db, actor, "cases")
    changes: dict[str, object] = {}
    if status is not None:
        changes["status"] = _choice(status, OPEN_STATUSES, "status")
    if priority is not None:
        changes["priority"] = _choice(priority, PRIORITIES, "priority")
    if follow_up is not None:
        changes["follow_up"] = follow_up.isoformat()
    with write(db):
        _open_case(db, case_id)
        if assignee is not None:
            changes["assignee_id"] = _user_id(db, assignee)
        if changes:
            # column names come from the fixed keys above, never from the caller
            db.execute(f"UPDATE cases SET {', '.join(f'{k} = ?' for k in changes)} "
                       "WHERE id = ?", [*changes.values(), case_id])
            logged = {k: v for k, v in changes.items()}
            if "assignee_id" in logged:
                logged["assignee"] = assignee
                del logged["assignee_id"]
            journal.append(db, actor=actor.username, action="case.update",
                           subject=f"case:{case_id}", data=logged, at=now)
        return get_case(db, actor, case_id)


def close_case(db: Database, actor: User, case_id: int, *, disposition: str,
               now: datetime, referred: bool = False) -> Case:
    """Resolve (or refer) a case with its disposition in writing: what the patron is
    told. Final. Needs `cases`. Raises CaseError (`bad_disposition`, `case_closed`),
    NotFound, TenderError `card_number`."""
    authorize(db, actor, "cases")
    written = _free_text(disposition, "disposition")
    status = "referred" if referred else "resolved"
    with write(db):
        _open_case(db, case_id)
        db.execute("UPDATE cases SET status = ?, disposition = ?, closed_by = ?, "
                   "closed_at = ? WHERE id = ?",
                   [status, written, actor.id, stamp(now), case_id])
        journal.append(db, actor=actor.username, action=f"case.{status}",
                       subject=f"case:{case_id}", data={}, at=now)
        return get_case(db, actor, case_id)


# -- the report ----------------------------------------------------------------------------

def cases_report(db: Database, scope: Scope) -> Report:
    """Cases opened on the scope's day (or all of them), by category: how many, how many
    still open, how they were closed and the median days to close. Counts only, never a
    case's words (the report catalogue's `report_access` is enough to read it)."""
    sql, args = "SELECT category, kind, status, opened_at, closed_at FROM cases", []
    bounds = scope.day_bounds()
    if bounds:
        sql += " WHERE opened_at >= ? AND opened_at < ?"
        args = list(bounds)
    by_category: dict[str, list[Any]] = {}
    for row in db.execute(sql, args):
        by_category.setdefault(row[0], []).append(row)
    lines = []
    for category, found in sorted(by_category.items()):
        days = [(parse_stamp(r[4]) - parse_stamp(r[3])).total_seconds() / 86400
                for r in found if r[4]]
        kinds = Counter(r[1] for r in found)
        lines.append((category, ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())),
                      len(found), sum(r[2] in OPEN_STATUSES for r in found),
                      sum(r[2] == "resolved" for r in found),
                      sum(r[2] == "referred" for r in found),
                      f"{median(days):.1f}" if days else "-"))
    table = Table("Cases by category", ("category", "kinds", "opened", "open", "resolved",
                                        "referred", "median days to close"), tuple(lines))
    today = scope.now.astimezone(scope.zone).date()
    overdue = db.execute(
        "SELECT count(*) FROM cases WHERE status IN ('open', 'waiting') AND follow_up < ?",
        [today.isoformat()]).fetchone()[0]
    return Report("cases", "Patron cases", subtitle=f"opened {scope.day or 'ever'}",
                  facts=(("cases", sum(len(f) for f in by_category.values())),
                         ("open now, follow-up overdue", int(overdue))),
                  tables=(table,))


def overdue_cases(db: Database, today: date) -> list[tuple[int, str, str, str, str]]:
    """Open cases whose follow-up date has passed, oldest first: (id, follow-up, category,
    priority, assignee). No words: this goes on the coordinator's worklist."""
    return [(row[0], row[1], row[2], row[3], row[4] or "") for row in db.execute(
        "SELECT c.id, c.follow_up, c.category, c.priority, u.username FROM cases c "
        "LEFT JOIN users u ON u.id = c.assignee_id WHERE c.status IN ('open', 'waiting') "
        "AND c.follow_up < ? ORDER BY c.follow_up, c.id", [today.isoformat()])]
