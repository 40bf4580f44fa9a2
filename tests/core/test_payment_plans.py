"""Payment plans: a window sale on 3 instalments, paid at the window across two shifts,
one overdue (on the worklist), then defaulted: the seats back on sale and what was paid
kept as the customer's credit; bad schedules refused, nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import BoxOfficeError
from core.report_model import Scope
from core.reports import catalogue
from core.sales import carts, credit, plans
from core.sales.orders import get_order
from core.sales.plans import PlanError
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database
from core.venue.inventory import seat_states
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.order_helpers import customer
from tests.support.selling_helpers import STATION, cart_with, hall_performance, seat, user

TODAY = FIXED_NOW.astimezone(ZONE).date()


def _on_plan(db: Database) -> plans.Plan:
    cora = user(db, "cora")
    show = hall_performance(db)
    rosa = customer(db, "Rosa Diaz")
    cart_id = cart_with(db, cora, show, ["ORCH-F-107", "ORCH-F-108"], FIXED_NOW)
    # 276.48 in all: 76.48 now, then 100.00 in 10 days and 100.00 in 20
    return plans.sell_on_plan(
        db, cora, cart_id, [Tender("cash", 7648)],
        [(TODAY + timedelta(days=10), 10000), (TODAY + timedelta(days=20), 10000)],
        customer_id=rosa.id, station="window-1-cora", now=FIXED_NOW, zone=ZONE,
        default_after_days=7)


def test_three_instalments_across_two_shifts_then_a_default(demo_db: Database) -> None:
    plan = _on_plan(demo_db)
    order = get_order(demo_db, plan.order_id)
    assert order.status == "deposit" and len(order.tickets) == 2      # issued at once
    assert [i.amount_cents for i in plan.instalments] == [10000, 10000]
    # the second instalment paid at sam's window, in sam's shift
    sam = user(demo_db, "sam")
    paid_at = FIXED_NOW + timedelta(days=9)
    plans.pay_instalment(demo_db, sam, order.id, [Tender("cash", 10000)], station=STATION,
                         now=paid_at)
    plan = plans.get_plan(demo_db, order.id)
    assert plan.instalments[0].settled and not plan.instalments[1].settled
    shift_of = {row[0] for row in demo_db.execute(
        "SELECT shift_id FROM payments WHERE order_id = ?", [order.id])}
    assert len(shift_of) == 2                                       # two shifts' drawers
    # the third is late: on the worklist, then defaulted after a week more
    late = TODAY + timedelta(days=22)
    assert [p.order_id for p in plans.overdue_plans(demo_db, late)] == [order.id]
    worklist = catalogue.build_report(demo_db, user(demo_db, "cora"), "worklist", Scope(
        zone=ZONE, now=FIXED_NOW + timedelta(days=22)))
    assert order.number in str(worklist.table("Payment plans overdue").rows)
    with pytest.raises(PlanError) as early:
        plans.default_plan(demo_db, user(demo_db, "cora"), order.id, station="window-1-cora",
                           now=FIXED_NOW + timedelta(days=22), zone=ZONE)
    assert early.value.code == "not_defaulted"
    after = plans.default_plan(demo_db, user(demo_db, "cora"), order.id,
                               station="window-1-cora", now=FIXED_NOW + timedelta(days=28),
                               zone=ZONE)
    assert after.status == "cancelled" and {t.status for t in after.tickets} == {"refunded"}
    show = hall_performance(demo_db)
    assert seat(demo_db, show, "ORCH-F-107") not in seat_states(demo_db, show,
                                                                FIXED_NOW + timedelta(days=28))
    assert credit.credit_balance(demo_db, order.customer_id or 0) == 7648 + 10000
    assert plans.get_plan(demo_db, order.id).status == "defaulted"
    assert journal.verify(demo_db).ok


def test_a_schedule_that_does_not_add_up_is_refused(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    rosa = customer(demo_db, "Rosa Diaz")
    before = demo_db.execute("SELECT count(*) FROM orders").fetchone()[0]
    for later in ([(TODAY + timedelta(days=10), 10000)],                      # short
                  [(TODAY + timedelta(days=10), 10000), (TODAY + timedelta(days=5), 10000)],
                  [(TODAY - timedelta(days=1), 20000)], []):
        cart_id = cart_with(demo_db, cora, show, ["ORCH-G-107", "ORCH-G-108"], FIXED_NOW)
        with pytest.raises(BoxOfficeError):
            plans.sell_on_plan(demo_db, cora, cart_id, [Tender("cash", 7648)], later,
                               customer_id=rosa.id, station="window-1-cora", now=FIXED_NOW,
                               zone=ZONE)
        carts.cancel_cart(demo_db, cora, cart_id, FIXED_NOW)
    assert demo_db.execute("SELECT count(*) FROM orders").fetchone()[0] == before
    # a seller may not agree a plan
    cart_id = cart_with(demo_db, user(demo_db, "sam"), show, ["ORCH-G-110"], FIXED_NOW)
    with pytest.raises(Exception, match="may not"):
        plans.sell_on_plan(demo_db, user(demo_db, "sam"), cart_id, [Tender("cash", 3824)],
                           [(TODAY + timedelta(days=5), 10000)], customer_id=rosa.id,
                           station=STATION, now=FIXED_NOW, zone=ZONE)
