"""Finding a subscriber's renewals at the window: the seller has the person in front of
them (or on the phone) and no letter, so the renewals are found by the customer, across
every series rolled forward (`core.sales.renewals` makes and renews them)."""

from __future__ import annotations

from core.sales.renewals import Renewal, get_renewal
from core.store.db import Database


def customer_renewals(db: Database, customer_id: int, *,
                      open_only: bool = True) -> list[Renewal]:
    """The renewals offered to a customer (the subscriber of the subscription renewed),
    newest series first; with `open_only`, those still open for renewal (status
    `offered`), whatever their deadline (`renew` says when it has passed)."""
    sql = ("SELECT r.id FROM renewals r JOIN subscriptions s ON s.id = r.subscription_id "
           "JOIN packages p ON p.id = r.package_id WHERE s.customer_id = ?")
    if open_only:
        sql += " AND r.status = 'offered'"
    rows = db.execute(sql + " ORDER BY p.series_id DESC, s.section, s.row_label, s.number, "
                            "r.id", [customer_id]).fetchall()
    return [get_renewal(db, row[0]) for row in rows]
