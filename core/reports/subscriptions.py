"""The subscriptions report: what was sold and renewed by series, package and zone, the
subscribers' seats (of one performance with --performance), the flex passes and their
admissions left, and the renewal rate of every rolled-forward series.

Money is the package price as sold: for a fixed subscription the shares its live tickets
carry (core/venue/series.py spreads a package price evenly over the performances), for a
flex pass its price as sold. A performance's own share of subscription money is in its
settlement, under the channel `subscription`.
"""

from __future__ import annotations

from collections import defaultdict

from core.report_model import Cents, Report, Scope, Table
from core.sales import flex, renewals, subscriptions
from core.store.db import Database
from core.venue.series import list_packages, list_series


def subscriptions_report(db: Database, scope: Scope) -> Report:
    """Subscriptions and flex passes; with a performance, its subscribers' seats."""
    series_names = {s.id: s for s in list_series(db)}
    packages = {p.id: p for p in list_packages(db)}
    sold = subscriptions.list_subscriptions(db)
    passes = flex.list_passes(db)
    renewed_ids = {row[0] for row in db.execute(
        "SELECT renewed_subscription_id FROM renewals WHERE status = 'renewed'")}
    value = dict(db.execute(
        "SELECT x.subscription_id, sum(l.base_cents + l.fee_cents + l.tax_cents) FROM "
        "subscription_tickets x JOIN order_lines l ON l.ticket_id = x.ticket_id "
        "WHERE l.status = 'active' GROUP BY x.subscription_id").fetchall())

    by_package: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    by_zone: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for line in sold:
        live = line.live_tickets > 0
        totals = by_package[line.package_id]
        totals[0] += live
        totals[1] += line.id in renewed_ids and live
        totals[2] += line.live_tickets
        totals[3] += value.get(line.id, 0)
        package = packages[line.package_id]
        zone_totals = by_zone[(f"#{package.series_id} {package.code}", line.zone)]
        zone_totals[0] += live
        zone_totals[1] += line.id in renewed_ids and live
        zone_totals[2] += value.get(line.id, 0)
    for one in passes:
        if not one.voided:
            totals = by_package[one.package_id]
            totals[0] += 1
            totals[2] += one.used
            totals[3] += one.total_cents

    package_rows = []
    for package_id, (count, renewed, tickets, cents) in sorted(by_package.items()):
        package = packages[package_id]
        made = series_names[package.series_id]
        package_rows.append((f"#{made.id} {made.name[:10]}", made.season, package.code,
                             package.kind, count, renewed, tickets, Cents(cents)))
    zone_rows = tuple((package, zone, count, renewed, Cents(cents))
                      for (package, zone), (count, renewed, cents) in sorted(by_zone.items()))

    if scope.performance_id is not None:
        seats = tuple(
            (row[0], row[1], row[2], row[3], row[4]) for row in db.execute(
                "SELECT c.code || ' ' || s.row_label || '-' || s.number, u.name, p.code, "
                "t.serial, t.status FROM subscription_tickets x JOIN tickets t ON "
                "t.id = x.ticket_id JOIN subscriptions b ON b.id = x.subscription_id "
                "JOIN customers u ON u.id = b.customer_id JOIN packages p ON "
                "p.id = b.package_id JOIN seats s ON s.id = t.seat_id JOIN sections c ON "
                "c.id = s.section_id WHERE t.performance_id = ? ORDER BY c.code, "
                "s.row_label, s.number", [scope.performance_id]))
        seat_table = Table("Subscribers' seats",
                           ("seat", "subscriber", "package", "ticket", "status"), seats)
    else:
        seat_table = Table("Subscribers' seats",
                           ("seat", "subscriber", "package", "live tickets"),
                           tuple((s.seat_label, s.customer_name, s.package_code,
                                  s.live_tickets) for s in sold if s.live_tickets))
    pass_rows = tuple((f"#{p.id}", p.customer_name, p.package_code, p.admissions, p.used,
                       p.left, "voided" if p.voided else "") for p in passes)
    rate_rows = []
    for made in series_names.values():
        for rate in renewals.renewal_rates(db, made.id):
            rate_rows.append((f"#{made.id} {made.name[:10]}", rate.package, rate.zone,
                              rate.offered, rate.renewed, rate.open, rate.released,
                              rate.unseated, f"{rate.rate_percent:.1f} %"))
    offered = sum(int(row[3]) for row in rate_rows)
    renewed_count = sum(int(row[4]) for row in rate_rows)
    facts = (("Subscriptions", sum(1 for s in sold if s.live_tickets)),
             ("Flex passes", sum(1 for p in passes if not p.voided)),
             ("Flex admissions left", sum(p.left for p in passes)),
             ("Renewal rate", f"{100.0 * renewed_count / offered:.1f} %" if offered
              else "-"))
    return Report(
        "subscriptions", "Subscriptions", scope.describe(), facts,
        (Table("By series and package", ("series", "season", "package", "kind", "sold",
                                         "renewed", "tickets", "value"), tuple(package_rows)),
         Table("By package and zone", ("package", "zone", "sold", "renewed", "value"),
               zone_rows),
         seat_table,
         Table("Flex passes", ("pass", "holder", "package", "admissions", "used", "left",
                               "state"), pass_rows),
         Table("Renewals", ("series", "package", "zone", "offered", "renewed", "open",
                            "released", "no seat", "rate"), tuple(rate_rows))),
        notes=("Value: the package price as sold (a subscription's live tickets' shares; a "
               "flex pass's price). Each performance's share is in its settlement under "
               "the channel 'subscription'.",))
