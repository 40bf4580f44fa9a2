"""Closing-out reports as `Report`s: the event settlement, a shift's X and Z reports and
the list of shifts. Built by `core.reports.build_report`, which checks `report_access`
first (so the X report here may show an uncounted shift's figures: a supervisor's tool).
"""

from __future__ import annotations

from core.report_model import Cents, Report, ReportError, Scope, Table
from core.reports import settlement as reports_settlement
from core.store.db import Database
from core.till import models
from core.till import shifts as till_shifts
from core.till.cards import worklist, worklist_report
from core.till.deposits import deposit_report, list_deposits
from core.till.figures import compute_figures, x_rows, z_rows


def _breakdown(title: str, key: str, lines: tuple[reports_settlement.Line, ...],
               total: reports_settlement.Line) -> Table:
    return Table(title, (key, "tickets", "base", "fees", "taxes", "gross"),
                 tuple((x.key, x.tickets, Cents(x.base_cents), Cents(x.fee_cents),
                        Cents(x.tax_cents), Cents(x.gross_cents)) for x in lines),
                 ("total", total.tickets, Cents(total.base_cents), Cents(total.fee_cents),
                  Cents(total.tax_cents), Cents(total.gross_cents)))


def settlement_report(s: reports_settlement.Settlement, scope: Scope) -> Report:
    when = s.starts_at.astimezone(scope.zone)
    total = s.total
    return Report(
        "settlement", f"Settlement: {s.event}",
        f"{s.venue}, {when:%a %d %b %Y %H:%M}; performance {s.performance_id}; producer "
        f"{s.producer or '-'}; as of {scope.local(s.computed_at.isoformat()):%Y-%m-%d %H:%M}",
        (("Capacity", s.capacity), ("Sold", s.sold), ("Comps", s.comps), ("Kills", s.kills),
         ("Unsold holds", s.holds), ("In carts", s.in_carts), ("Available", s.available),
         ("GBOR", Cents(s.gbor_cents)), ("Fees", Cents(s.fees_cents)),
         ("Taxes", Cents(s.taxes_cents)), ("NAGBOR", Cents(s.nagbor_cents)),
         ("Scanned", s.scanned), ("No-shows", s.no_shows),
         ("Consignment outstanding", Cents(s.consignment_outstanding_cents)),
         ("Refunded/voided tickets", s.refunded.tickets)),
        (_breakdown("By price zone", "zone", s.by_zone, total),
         _breakdown("By price type", "price type", s.by_price_type, total),
         _breakdown("By channel", "channel", s.by_channel, total),
         Table("Consignment outstanding", ("batch", "consignee", "tickets", "value"),
               tuple((b.number, b.consignee, b.tickets, Cents(b.value_cents))
                     for b in s.consignment),
               ("total", "", sum(b.tickets for b in s.consignment),
                Cents(s.consignment_outstanding_cents)))),
        ("GBOR: base + fees + taxes of tickets still sold. NAGBOR = GBOR - fees - taxes.",
         "Computed from the order lines at the time above: later refunds are in the next "
         "settlement."))


def settlement(db: Database, scope: Scope) -> Report:
    if scope.performance_id is None:
        raise ReportError("a settlement is per performance: give --performance",
                          code="performance_required")
    return settlement_report(reports_settlement.settle(db, scope.performance_id, scope.now), scope)


def _shift_id(scope: Scope) -> int:
    if scope.shift_id is None:
        raise ReportError("give --shift N", code="shift_required")
    return scope.shift_id


def _rows_report(name: str, title: str, rows: list[tuple[str, str]]) -> Report:
    facts = tuple((label, value) for label, value in rows if label not in ("-", ""))
    return Report(name, title, facts=facts)


def x(db: Database, scope: Scope) -> Report:
    shift = till_shifts.get_shift(db, _shift_id(scope))
    figures = compute_figures(db, shift.id, shift.float_cents)
    report = models.ShiftReport(shift, scope.now, sum(t.payments for t in figures.tenders),
                                 figures)
    return _rows_report("x", f"X report, shift {shift.id}", x_rows(report, scope.zone))


def z(db: Database, scope: Scope) -> Report:
    shift = till_shifts.get_shift(db, _shift_id(scope))
    if shift.z_number is None:
        raise ReportError(f"shift {shift.id} is not closed: it has no Z report yet",
                          code="not_closed")
    z_report = till_shifts.get_z_report(db, shift.z_number)
    return _rows_report("z", f"Z report {z_report.z_number}", z_rows(z_report, scope.zone))


def shifts(db: Database, scope: Scope) -> Report:
    bounds = scope.day_bounds()
    found = till_shifts.list_shifts(db)
    if bounds:
        found = [s for s in found if bounds[0] <= s.opened_at.isoformat() < bounds[1]]
    rows = []
    for s in found:
        counted = (till_shifts.count_result(db, s.id) if s.status != "open" else None)
        rows.append((s.id, s.username, s.station, s.status,
                     f"{s.opened_at.astimezone(scope.zone):%Y-%m-%d %H:%M}",
                     Cents(s.float_cents),
                     None if counted is None else Cents(counted.over_short_cents),
                     s.signed_off_by or "", s.z_number))
    return Report("shifts", "Shifts", scope.describe(), (("Shifts", len(rows)),), (
        Table("Shifts", ("shift", "seller", "station", "status", "opened", "float",
                         "over/short", "signed off by", "Z"), tuple(rows)),))


def deposits(db: Database, scope: Scope) -> Report:

    return deposit_report(list_deposits(db, scope.day), scope.describe())


def cards(db: Database, scope: Scope) -> Report:

    return worklist_report(worklist(db, status=None), scope.zone)
