"""The reports coordinators read, by name: each is a plain function from the database and
a `Scope` (a performance, a venue day or a shift) to a `Report`, which exports as a text
table, CSV, JSON or PDF. `REPORTS` is what `boxoffice report NAME` and the report viewer
list. Reading a report needs `report_access`; reading changes nothing.

Money comes from the `payments` rows (each has a `money` journal row with the same
amount), tickets from the order lines, approvals from the journal: so every report agrees
with the journal and stays true after later refunds.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from core.gate import planning
from core.people.models import User
from core.people.permissions import authorize
from core.report_model import Cell, Cents, Report, ReportError, Scope, Table
from core.reports import (
    closeout,
    concessions,
    final,
    pace,
    pricing_evidence,
    sell_through,
    subscriptions,
    worklist,
)
from core.sales import cases
from core.store import journal
from core.store.db import Database


def _where_payments(scope: Scope, alias: str = "p") -> tuple[str, list[object]]:
    sql, args = f" WHERE {alias}.status = 'approved'", list[object]()
    bounds = scope.day_bounds()
    if bounds:
        sql += f" AND {alias}.created_at >= ? AND {alias}.created_at < ?"
        args += list(bounds)
    if scope.shift_id is not None:
        sql += f" AND {alias}.shift_id = ?"
        args.append(scope.shift_id)
    if scope.performance_id is not None:
        sql += (f" AND {alias}.order_id IN (SELECT order_id FROM tickets WHERE "
                "performance_id = ?)")
        args.append(scope.performance_id)
    return sql, args


def sales(db: Database, scope: Scope) -> Report:
    """Money taken and given back, by venue day, by seller and by tender."""
    by_day: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_seller: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_tender: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    where, args = _where_payments(scope)
    for created, seller, tender, amount in db.execute(
            "SELECT p.created_at, u.username, p.tender, p.amount_cents FROM payments p "
            "JOIN users u ON u.id = p.user_id" + where, args):
        values = (1, max(amount, 0), max(-amount, 0))
        for sums, key in ((by_day, f"{scope.local(created):%Y-%m-%d}"), (by_seller, seller),
                          (by_tender, tender)):
            sums[key] = [a + b for a, b in zip(sums[key], values, strict=True)]

    def table(title: str, key: str, sums: dict[str, list[int]]) -> Table:
        rows = tuple((k, v[0], Cents(v[1]), Cents(v[2]), Cents(v[1] - v[2]))
                     for k, v in sorted(sums.items()))
        total = ("total", sum(v[0] for v in sums.values()),
                 Cents(sum(v[1] for v in sums.values())),
                 Cents(sum(v[2] for v in sums.values())),
                 Cents(sum(v[1] - v[2] for v in sums.values())))
        return Table(title, (key, "payments", "taken", "given back", "net"), rows, total)

    tender = table("By tender", "tender", by_tender)
    return Report("sales", "Sales", scope.describe(),
                  (("Net", tender.total[-1] if tender.total else Cents(0)),),
                  (table("By day", "day", by_day), table("By seller", "seller", by_seller),
                   tender))


def comps(db: Database, scope: Scope) -> Report:
    """Comps by reason (comp tenders) and comp tickets by price type."""
    where, args = _where_payments(scope)
    reasons = db.execute(
        "SELECT coalesce(p.reason, ''), count(*), sum(p.amount_cents) FROM payments p"
        + where + " AND p.tender = 'comp' AND p.amount_cents > 0 GROUP BY 1 ORDER BY 1",
        args).fetchall()
    ticket_sql = ("SELECT pt.code, count(*) FROM tickets t JOIN price_types pt ON "
                  "pt.id = t.price_type_id WHERE pt.kind = 'comp' AND t.status = 'live'")
    targs: list[object] = []
    if scope.performance_id is not None:
        ticket_sql += " AND t.performance_id = ?"
        targs.append(scope.performance_id)
    bounds = scope.day_bounds()
    if bounds:
        ticket_sql += " AND t.created_at >= ? AND t.created_at < ?"
        targs += list(bounds)
    tickets = db.execute(ticket_sql + " GROUP BY 1 ORDER BY 1", targs).fetchall()
    return Report("comps", "Comps", scope.describe(), (
        ("Comp tenders", sum(r[1] for r in reasons)),
        ("Comp tender value", Cents(sum(r[2] for r in reasons))),
        ("Comp tickets", sum(r[1] for r in tickets))), (
        Table("Comp tenders by reason", ("reason", "payments", "value"),
              tuple((r[0], r[1], Cents(r[2])) for r in reasons)),
        Table("Comp tickets by price type", ("price type", "tickets"),
              tuple((r[0], r[1]) for r in tickets))))


_ADJUSTMENTS = {"order.refund": "refund", "order.void": "void", "ticket.reprint": "reprint",
                "order.exchange": "exchange"}


def _journal_where(scope: Scope, actions: tuple[str, ...]) -> tuple[str, list[object]]:
    sql = f" WHERE action IN ({','.join('?' * len(actions))})"
    args: list[object] = list(actions)
    bounds = scope.day_bounds()
    if bounds:
        sql += " AND at >= ? AND at < ?"
        args += list(bounds)
    return sql, args


def adjustments(db: Database, scope: Scope) -> Report:
    """Refunds, voids, exchanges and reprints with their reason and who approved them
    (the seller, or the supervisor whose override let it through)."""
    where, args = _journal_where(scope, tuple(_ADJUSTMENTS))
    wanted = None
    if scope.performance_id is not None:
        wanted = {f"order:{r[0]}" for r in db.execute(
            "SELECT DISTINCT order_id FROM tickets WHERE performance_id = ?",
            [scope.performance_id])} | {f"ticket:{r[0]}" for r in db.execute(
            "SELECT id FROM tickets WHERE performance_id = ?", [scope.performance_id])}
    rows: list[tuple[Cell, ...]] = []
    counts: dict[str, int] = defaultdict(int)
    for at, actor, action, subject, data in db.execute(
            "SELECT at, actor, action, subject, data FROM journal" + where + " ORDER BY id",
            args):
        if wanted is not None and subject not in wanted:
            continue
        detail = json.loads(data)
        kind = _ADJUSTMENTS[action]
        counts[kind] += 1
        amount = detail.get("amount_cents", detail.get("difference_cents"))
        rows.append((f"{scope.local(at):%Y-%m-%d %H:%M}", kind, subject, actor,
                     str(detail.get("approved_by", actor)), str(detail.get("reason", "")),
                     None if amount is None else Cents(amount)))
    return Report("adjustments", "Refunds, voids, exchanges and reprints", scope.describe(),
                  tuple((kind.title() + "s", counts[kind]) for kind in _ADJUSTMENTS.values()),
                  (Table("Adjustments", ("at", "what", "subject", "by", "approved by",
                                         "reason", "amount"), tuple(rows)),))


def attendance(db: Database, scope: Scope) -> Report:
    """Admissions per gate in 15-minute buckets (venue time) for a performance."""
    if scope.performance_id is None:
        raise ReportError("attendance is per performance: give --performance",
                          code="performance_required")
    buckets: dict[tuple[str, str], int] = defaultdict(int)
    gates: dict[str, int] = defaultdict(int)
    for gate, scanned_at in db.execute(
            "SELECT gate, scanned_at FROM scans WHERE performance_id = ? AND verdict = "
            "'ADMIT' AND direction = 'entry'", [scope.performance_id]):
        local = scope.local(scanned_at)
        start = local.replace(minute=local.minute - local.minute % 15, second=0,
                              microsecond=0)
        buckets[(f"{start:%Y-%m-%d %H:%M}", gate)] += 1
        gates[gate] += 1
    return Report("attendance", "Attendance by gate", scope.describe(),
                  (("Admitted", sum(gates.values())),),
                  (Table("By 15 minutes", ("from", "gate", "admitted"),
                         tuple((k[0], k[1], v) for k, v in sorted(buckets.items()))),
                   Table("By gate", ("gate", "admitted"), tuple(sorted(gates.items())),
                         ("total", sum(gates.values())))))


def lanes(db: Database, scope: Scope) -> Report:
    """The lanes each gate needs for the last 45 minutes (core.gate.planning)."""
    if scope.performance_id is None:
        raise ReportError("the lane plan is per performance: give --performance",
                          code="performance_required")
    return planning.plan_report(planning.lane_plan(db, scope.performance_id))


def audit(db: Database, scope: Scope) -> Report:
    """An extract of the journal (a day's rows, or everything) with the chain's check."""
    sql, args = "SELECT id, at, actor, action, subject, data, hash FROM journal", []
    bounds = scope.day_bounds()
    if bounds:
        sql += " WHERE at >= ? AND at < ?"
        args = list(bounds)
    rows = tuple((r[0], f"{scope.local(r[1]):%Y-%m-%d %H:%M:%S}", r[2], r[3], r[4], r[5],
                  r[6][:16]) for r in db.execute(sql + " ORDER BY id", args))
    check = journal.verify_pinned(db)
    return Report("audit", "Audit extract (journal)", scope.describe(), (
        ("Rows", len(rows)),
        ("Chain", "holds" if check.ok else f"BROKEN at row {check.first_broken}"),
        ("Head", (db.execute("SELECT hash FROM journal ORDER BY id DESC LIMIT 1")
                  .fetchone() or ("",))[0])),
        (Table("Journal", ("id", "at", "actor", "action", "subject", "data", "hash"), rows),))


@dataclass(frozen=True)
class ReportKind:
    name: str
    description: str
    build: Callable[[Database, Scope], Report]


def _registry() -> dict[str, ReportKind]:

    kinds = [
        ReportKind("settlement", "event settlement for the producer (--performance)",
                   closeout.settlement),
        ReportKind("sales", "sales by day, seller and tender", sales),
        ReportKind("comps", "comps by reason", comps),
        ReportKind("adjustments", "refunds, voids, exchanges, reprints and who approved",
                   adjustments),
        ReportKind("attendance", "admissions by gate in 15-minute buckets (--performance)",
                   attendance),
        ReportKind("lanes", "lanes each gate needs for the last 45 minutes (--performance)",
                   lanes),
        ReportKind("audit", "journal extract with the chain's check", audit),
        ReportKind("x", "X report of a shift so far (--shift)", closeout.x),
        ReportKind("z", "Z report of a closed shift (--shift)", closeout.z),
        ReportKind("shifts", "shifts with their counts and Z numbers", closeout.shifts),
        ReportKind("deposit", "deposit slips (--date)", closeout.deposits),
        ReportKind("cards", "card reconciliation discrepancies", closeout.cards),
        ReportKind("concessions", "concession and merchandise sales by item and category",
                   concessions.concessions),
        ReportKind("stock", "concession stock on hand, low stock and value at cost",
                   concessions.stock_report),
        ReportKind("count-sheet", "blank stock count sheet (blind)",
                   concessions.count_sheet),
        ReportKind("variance", "the newest stock count: counted minus expected (--date)",
                   concessions.variance),
        ReportKind("worklist", "overdue group balances, card payments waiting for the "
                   "terminal, consignment batches out", worklist.worklist),
        ReportKind("will-call", "orders waiting to be picked up (--performance)",
                   worklist.will_call_list),
        ReportKind("final", "the producer's final event report: settlement, attendance, "
                   "channels over time, comps, concessions, pace (--performance)",
                   partial(final.final_report, attendance=attendance, comps=comps)),
        ReportKind("pace", "tickets by days before the start against comparable past "
                   "performances, with a projection (--performance)", pace.sales_pace),
        ReportKind("pricing", "per zone and price type: sold, comps, average price, "
                   "revenue, days to 50/90 %, what each price change did (--performance)",
                   pricing_evidence.pricing_evidence),
        ReportKind("sell-through", "sold, comps, held and open by zone and section, with "
                   "the sell-through % (--performance)", sell_through.sell_through),
        ReportKind("cases", "patron cases by category: open, resolved, days to close "
                   "(--date: opened that day)", cases.cases_report),
        ReportKind("subscriptions", "subscriptions and flex passes by series, package and "
                   "zone, subscribers' seats (--performance), admissions left, renewal "
                   "rates", subscriptions.subscriptions_report),
    ]
    return {k.name: k for k in kinds}


def report_names() -> list[ReportKind]:
    return list(_registry().values())


def build_report(db: Database, actor: User, name: str, scope: Scope) -> Report:
    """Build the named report. Needs `report_access`. Raises ReportError
    (`unknown_report`, `performance_required`, `shift_required`), PermissionDenied,
    NotFound."""
    kinds = _registry()
    if name not in kinds:
        raise ReportError(f"there is no report '{name}' (reports: {', '.join(kinds)})",
                          code="unknown_report")
    authorize(db, actor, "report_access")
    return kinds[name].build(db, scope)
