"""Payment plans: a window sale on 3 instalments, paid at the window across two shifts,
one overdue (on the worklist, reminded by letter once), then defaulted: the seats back
on sale and what was paid kept as the customer's credit; a plan that issues its tickets
when paid in full hands out no code before; bad schedules refused, nothing changed."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from core.errors import BoxOfficeError
from core.gate import keys
from core.gate.checkin import open_gate, scan
from core.report_model import Scope
from core.reports import catalogue
from core.reports.letters import instalment_letters
from core.sales import aftersale, carts, credit, customer_orders, notices, orders, plans
from core.sales.customer_data import set_consent
from core.sales.orders import OrderError, get_order
from core.sales.plans import PlanError
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database
from core.venue import performances
from core.venue.inventory import seat_states
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.order_helpers import customer
from tests.support.selling_helpers import (
    STATION,
    cart_with,
    hall_performance,
    later_hall_performance,
    seat,
    user,
)

TODAY = FIXED_NOW.astimezone(ZONE).date()


def _on_plan(db: Database, tickets: str = "first_payment", delivery: str = "print",
             show: int | None = None) -> plans.Plan:
    cora = user(db, "cora")
    show = show or hall_performance(db)
    rosa = customer(db, "Rosa Diaz")
    set_consent(db, cora, rosa.id, "mail", now=FIXED_NOW)
    cart_id = cart_with(db, cora, show, ["ORCH-F-107", "ORCH-F-108"], FIXED_NOW)
    # 276.48 in all: 76.48 now, then 100.00 in 10 days and 100.00 in 20
    return plans.sell_on_plan(
        db, cora, cart_id, [Tender("cash", 7648)],
        [(TODAY + timedelta(days=10), 10000), (TODAY + timedelta(days=20), 10000)],
        customer_id=rosa.id, station="window-1-cora", now=FIXED_NOW, zone=ZONE,
        default_after_days=7, tickets=tickets, delivery=delivery)


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
    # tickets issued at the first payment (the rule by default): codes may go out
    assert plan.tickets == "first_payment" and orders.withheld(demo_db, order.id) == ""
    orders.authorize_codes(demo_db, sam, order.id)
    # the late instalment's reminder: a letter (Rosa agreed to mail), once
    cora = user(demo_db, "cora")
    [reminder] = notices.instalment_reminders(demo_db, cora, late, due_within=0)
    assert (reminder.instalment.seq, reminder.owed_cents, reminder.words()) == (
        2, 10000, "letter")
    letter = PdfReader(io.BytesIO(instalment_letters(
        [reminder], house="Aldridge Hall", house_address="1 Harbor Way", today=late)))
    [page] = letter.pages
    text = page.extract_text()
    assert "Dear Rosa Diaz" in text and order.number in text and "2 day(s) overdue" in text
    assert "paid" in text and "to pay" in text and "more than 7 day(s) overdue" in text
    assert "kept as credit" in text and "176.48" in text          # paid so far
    assert notices.record_instalment_sent(demo_db, cora, [reminder], "mail",
                                          now=FIXED_NOW + timedelta(days=22)) == 1
    [again] = notices.instalment_reminders(demo_db, cora, late, due_within=0)
    assert again.words() == "sent already"
    with pytest.raises(BoxOfficeError) as twice:
        instalment_letters([again], house="H", house_address="", today=late)
    assert twice.value.code == "nothing_to_send"
    [asked] = notices.instalment_reminders(demo_db, cora, late, due_within=0, again=True)
    assert asked.words() == "letter"
    [logged] = notices.sent_notices(demo_db, cora)
    assert (logged.kind, logged.order_number, logged.instalment_seq, logged.channel) == (
        "instalment", order.number, 2, "mail")
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


def test_tickets_issued_only_when_the_plan_is_paid_in_full(demo_db: Database,
                                                           tmp_path: Path) -> None:
    # the hall's first show is tomorrow: paid in full after it, Rosa could never get in
    with pytest.raises(PlanError) as too_late:
        _on_plan(demo_db, tickets="paid_in_full")
    assert too_late.value.code == "after_performance"
    assert demo_db.execute("SELECT count(*) FROM orders").fetchone()[0] == 0
    show = later_hall_performance(demo_db)
    plan = _on_plan(demo_db, tickets="paid_in_full", delivery="will_call", show=show)
    order = get_order(demo_db, plan.order_id)
    assert plan.tickets_withheld and len(order.tickets) == 2          # the seats are sold
    assert seat(demo_db, show, "ORCH-F-107") in seat_states(demo_db, show, FIXED_NOW)
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    assert "paid in full" in orders.withheld(demo_db, order.id)
    assert "200.00 still to pay" in orders.withheld(demo_db, order.id)
    refusals = [
        lambda: orders.authorize_codes(demo_db, sam, order.id),        # print, show codes
        lambda: aftersale.reprint(demo_db, cora, order.tickets[0].id, reason="lost",
                                  now=FIXED_NOW),
        lambda: customer_orders.mark_picked_up(demo_db, cora, order.id, now=FIXED_NOW)]
    for refused in refusals:
        with pytest.raises(OrderError) as held:
            refused()
        assert held.value.code == "not_issued"
    assert get_order(demo_db, order.id) == order                      # nothing changed
    # a code made anyway (signed before the plan, say) is refused at the gate
    keys.ensure_signing_key(demo_db, tmp_path / "keys")
    leaked = orders.ticket_code(keys.load_signer(demo_db, tmp_path / "keys"),
                                order.tickets[0])
    starts = performances.get_performance(demo_db, show).starts_at
    gate = open_gate(demo_db, user(demo_db, "gia"), show, "North", zone=ZONE)
    at_gate = scan(demo_db, gate, leaked, now=starts - timedelta(hours=1))
    assert (at_gate.code, at_gate.word, at_gate.admitted) == ("UNPAID", "NOT PAID", False)
    # the second instalment (sam's shift) does not issue them; the last one does
    plans.pay_instalment(demo_db, sam, order.id, [Tender("cash", 10000)], station=STATION,
                         now=FIXED_NOW + timedelta(days=9))
    assert plans.get_plan(demo_db, order.id).tickets_withheld
    after = plans.pay_instalment(demo_db, cora, order.id, [Tender("cash", 10000)],
                                 station="window-1-cora", now=FIXED_NOW + timedelta(days=19))
    assert after.paid_in_full and not after.tickets_withheld
    assert get_order(demo_db, order.id).status == "complete"
    orders.authorize_codes(demo_db, sam, order.id)
    customer_orders.mark_picked_up(demo_db, cora, order.id, now=FIXED_NOW + timedelta(days=19))
    assert scan(demo_db, gate, leaked, now=starts - timedelta(hours=1)).admitted
    issued = [row[0] for row in demo_db.execute(
        "SELECT data FROM journal WHERE action = 'plan.payment' ORDER BY id")]
    assert ["tickets_issued" in data for data in issued] == [False, True]


def test_paid_in_full_is_refused_once_a_ticket_is_printed(demo_db: Database) -> None:
    from tests.core.test_notices import late_group_order

    number = late_group_order(demo_db, "St Anne's School", "Anne Hale", ["ORCH-S-101"])
    order = orders.find_order(demo_db, number)
    orders.mark_printed(demo_db, [order.tickets[0].id], FIXED_NOW)
    cora = user(demo_db, "cora")
    schedule = [(TODAY + timedelta(days=5), order.balance_cents)]
    for rule, code in (("paid_in_full", "already_issued"), ("later", "bad_rule")):
        with pytest.raises(PlanError) as refused:
            plans.agree_plan(demo_db, cora, order.id, schedule, tickets=rule,
                             now=FIXED_NOW, zone=ZONE)
        assert refused.value.code == code
    assert demo_db.execute("SELECT count(*) FROM payment_plans").fetchone()[0] == 0
    plan = plans.agree_plan(demo_db, cora, order.id, schedule, now=FIXED_NOW, zone=ZONE)
    assert plan.tickets == "first_payment" and not plan.tickets_withheld
