"""The dates a venue meets: a late show that crosses midnight in the venue's zone, a shift
that spans a daylight-saving change, and 29 February. Each is found from the pinned
instant (the next transition, the next leap day), so the tests never go stale."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine

from core import report_model
from core.gate import checkin, keys
from core.reports import catalogue
from core.sales import aftersale, carts, checkout, groups, orders
from core.sales.models import Order
from core.sales.orders import OrderError
from core.sales.tenders import Tender
from core.store.db import Database, connect
from core.till import deposits, shifts
from core.till.models import ZReport
from core.venue import performances
from tests.core.test_shifts import counts_for
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.fixture_types import Cli
from tests.support.selling_helpers import (
    FLOAT,
    HOLD,
    STATION,
    hall_performance,
    keep_on_sale,
    seat,
    user,
)


def next_offset_change(after: datetime, *, forward: bool) -> datetime:
    """The first instant after `after` at which the venue's clocks jump forward (spring)
    or back (autumn), found by walking hour by hour in UTC."""
    moment = after.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    for _ in range(24 * 800):
        before = moment.astimezone(ZONE).utcoffset()
        moment += timedelta(hours=1)
        after_offset = moment.astimezone(ZONE).utcoffset()
        assert before is not None and after_offset is not None
        if after_offset != before and (after_offset > before) == forward:
            return moment
    raise AssertionError("no daylight-saving change within 800 days")


def next_leap_day(after: datetime) -> date:
    year = after.year
    while True:
        if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
            leap = date(year, 2, 29)
            if leap > after.date():
                return leap
        year += 1


def local(day: date, hour: int, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZONE).replace(fold=fold)


def sell(db: Database, show: int, label: str, now: datetime,
         username: str = "sam") -> Order:
    seller = user(db, username)
    cart_id = carts.open_cart(db, seller, STATION, now, HOLD)
    carts.add_seats(db, seller, cart_id, show, [seat(db, show, label)], "ADULT", now, HOLD)
    total = carts.view_cart(db, cart_id).total_cents
    return checkout.checkout(db, seller, cart_id, [Tender("cash", total, tendered_cents=total)],
                           station=STATION, now=now)


def late_show(db: Database, starts: datetime) -> int:
    """A copy of the demo's opera at `starts`, priced like the original."""
    ada = user(db, "ada")
    original = performances.get_performance(db, hall_performance(db))
    return performances.copy_performance(db, ada, original.id, starts)


def day_net(db: Database, day: date, now: datetime) -> int:
    net = catalogue.sales(db, report_model.Scope(zone=ZONE, now=now, day=day)).fact("Net")
    assert isinstance(net, int)
    return net


# -- a performance that crosses midnight ------------------------------------------------

def test_a_late_show_belongs_to_the_venue_day_it_was_sold_on(demo_db: Database) -> None:
    evening = (FIXED_NOW.astimezone(ZONE) + timedelta(days=2)).date()
    show = late_show(demo_db, local(evening, 23, 30))   # ends after midnight
    sold_at = local(evening, 23, 20)                    # already the next day in UTC
    assert sold_at.astimezone(UTC).date() != evening
    order = sell(demo_db, show, "ORCH-A-101", sold_at)
    assert day_net(demo_db, evening, sold_at) == order.paid_cents
    assert day_net(demo_db, evening + timedelta(days=1), sold_at) == 0
    report = catalogue.sales(demo_db, report_model.Scope(zone=ZONE, now=sold_at, day=evening))
    assert [row[0] for row in report.tables[0].rows] == [evening.isoformat()]


def test_a_sale_can_be_voided_until_the_venues_midnight_not_the_utc_one(demo_db: Database) -> None:
    evening = (FIXED_NOW.astimezone(ZONE) + timedelta(days=2)).date()
    show = late_show(demo_db, local(evening, 23, 30))
    cora = user(demo_db, "cora")
    before_midnight = sell(demo_db, show, "ORCH-A-101", local(evening, 23, 20), "cora")
    aftersale.void(demo_db, cora, before_midnight.id, reason="wrong night", station=STATION,
                now=local(evening, 23, 55), zone=ZONE)
    after_midnight = sell(demo_db, show, "ORCH-A-102", local(evening, 23, 25), "cora")
    with pytest.raises(OrderError) as caught:
        aftersale.void(demo_db, cora, after_midnight.id, reason="too late", station=STATION,
                    now=local(evening + timedelta(days=1), 0, 10), zone=ZONE)
    assert caught.value.code == "not_today"


def test_the_gate_admits_a_late_show_after_midnight(demo_db: Database, tmp_path: Path) -> None:
    evening = (FIXED_NOW.astimezone(ZONE) + timedelta(days=2)).date()
    show = late_show(demo_db, local(evening, 23, 30))
    keys.ensure_signing_key(demo_db, tmp_path)
    signer = keys.load_signer(demo_db, tmp_path)
    order = sell(demo_db, show, "ORCH-A-101", local(evening, 20, 0))
    gate = checkin.open_gate(demo_db, user(demo_db, "gia"), show, "Main", zone=ZONE)
    code = orders.ticket_code(signer, order.tickets[0])
    verdict = checkin.scan(demo_db, gate, code, now=local(evening + timedelta(days=1), 0, 15))
    assert verdict.code == "ADMIT"


def test_a_group_balance_due_today_is_not_in_the_past_late_in_the_venues_evening(
        demo_db: Database) -> None:
    evening = (FIXED_NOW.astimezone(ZONE) + timedelta(days=1)).date()
    now = local(evening, 21, 0)                          # tomorrow already in UTC
    assert now.astimezone(UTC).date() > evening
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    group = groups.create_group(demo_db, cora, "Late Club", now=now)
    block = [seat(demo_db, show, f"ORCH-S-{n}") for n in (101, 102)]
    groups.hold_block(demo_db, cora, group.id, show, block, now)
    order = groups.group_order(demo_db, cora, group.id, show, block,
                               [Tender("cash", 5000, tendered_cents=5000)],
                               balance_due=evening, station="window-1-cora", now=now,
                               zone=ZONE)
    assert order.status == "deposit"
    other = [seat(demo_db, show, f"ORCH-S-{n}") for n in (103, 104)]
    groups.hold_block(demo_db, cora, group.id, show, other, now)
    with pytest.raises(OrderError) as caught:
        groups.group_order(demo_db, cora, group.id, show, other,
                           [Tender("cash", 5000, tendered_cents=5000)],
                           balance_due=evening - timedelta(days=1),
                           station="window-1-cora", now=now, zone=ZONE)
    assert caught.value.code == "bad_due_date"


# -- a shift across a daylight-saving change --------------------------------------------

def close_shift_across(db: Database, opened: datetime, sales: list[datetime],
                       closed: datetime) -> tuple[ZReport, list[Order]]:
    ada = user(db, "ada")
    shift = shifts.open_shift(db, ada, station="night", float_counts=FLOAT, now=opened)
    show = hall_performance(db)
    # the sales run months past the demo's performances (off sale 4 h after the start)
    keep_on_sale(db, days=(closed - FIXED_NOW).days + 2)
    sold = [sell(db, show, f"ORCH-B-{101 + index}", at, username="ada")
            for index, at in enumerate(sales)]
    cash = 8000 + sum(order.paid_cents for order in sold)
    shifts.submit_count(db, ada, shift.id, cash_counts=counts_for(cash), checks_cents=0,
                        card_slips_cents=0, now=closed)
    return shifts.close_shift(db, ada, shift.id, now=closed), sold


@pytest.mark.parametrize("forward", [True, False], ids=["spring-forward", "fall-back"])
def test_a_night_shift_across_the_clock_change(bare_demo_db: Database, forward: bool) -> None:
    db = bare_demo_db
    change = next_offset_change(FIXED_NOW, forward=forward)
    day = change.astimezone(ZONE).date()                 # the day of 23 or 25 hours
    opened, closed = local(day - timedelta(days=1), 22), local(day, 6)
    # one sale an hour before the change and one an hour after, in local time that is
    # 01:30 and then 03:30 (spring) or 01:30 twice (autumn)
    sales = [change - timedelta(minutes=30), change + timedelta(minutes=30)]
    z, sold = close_shift_across(db, opened, sales, closed)
    hours = (closed.astimezone(UTC) - opened.astimezone(UTC)).total_seconds() / 3600
    assert hours == (7 if forward else 9)                 # not the 8 the wall clock says
    taken = sum(order.paid_cents for order in sold)
    assert day_net(db, day, closed) == taken              # both sales on the venue's day
    assert day_net(db, day - timedelta(days=1), closed) == 0
    # the deposit of that day picks up the shift closed on it
    slip = deposits.prepare_deposit(db, user(db, "cora"), day=day, zone=ZONE, now=closed)
    assert slip.cash_cents == taken
    assert z.shift_id in {line.shift_id for line in slip.lines}
    # a day of 23 or 25 hours is still one day in the reports' bounds
    start, end = report_model.Scope(zone=ZONE, now=closed, day=day).day_bounds() or ("", "")
    span = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    assert span == timedelta(hours=23 if forward else 25)


def test_the_repeated_hour_in_autumn_is_two_different_instants(bare_demo_db: Database) -> None:
    change = next_offset_change(FIXED_NOW, forward=False)
    day = change.astimezone(ZONE).date()
    first, second = local(day, 1, 30, fold=0), local(day, 1, 30, fold=1)
    assert second - first == timedelta(hours=0)          # wall clock arithmetic ...
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)   # ... and real


# -- 29 February ------------------------------------------------------------------------

def test_a_performance_on_the_leap_day_sells_reports_and_deposits(bare_demo_db: Database) -> None:
    db = bare_demo_db
    leap = next_leap_day(FIXED_NOW)
    show = late_show(db, local(leap, 19, 30))
    assert performances.get_performance(db, show).starts_at.astimezone(ZONE).date() == leap
    opened, sold_at, closed = local(leap, 10), local(leap, 12), local(leap, 18)
    z, sold = close_shift_across(db, opened, [sold_at], closed)
    assert day_net(db, leap, closed) == sold[0].paid_cents
    assert day_net(db, leap + timedelta(days=1), closed) == 0          # 1 March
    slip = deposits.prepare_deposit(db, user(db, "cora"), day=leap, zone=ZONE, now=closed)
    assert z.shift_id in {line.shift_id for line in slip.lines}


def test_the_cli_takes_the_leap_day_and_refuses_the_29th_of_a_common_year(cli: Cli) -> None:
    leap = next_leap_day(FIXED_NOW)
    ada = ("--user", "ada", "--pin", "4444")
    code, output = cli("performance", "add", "--event", "1", "--venue", "ALDRIDGE",
                       "--starts", f"{leap:%Y-%m-%d} 19:30", *ada)
    assert code == 0, output
    code, output = cli("performance", "add", "--event", "1", "--venue", "ALDRIDGE",
                       "--starts", f"{leap.year + 1}-02-29 19:30", *ada)
    assert code != 0 and "Traceback" not in output
    assert f"{leap.year + 1}-02-29" in output


def test_the_demo_built_on_a_leap_day_dates_its_shows_from_it(
        tmp_path: Path, pinned_clock: time_machine.Traveller, cli: Cli) -> None:
    leap = next_leap_day(FIXED_NOW)
    pinned_clock.move_to(local(leap, 12))
    path = tmp_path / "leap.db"
    code, output = cli("demo", "--db", str(path), "--no-tui")
    assert code == 0, output
    database = connect(path)
    days = sorted({perf.starts_at.astimezone(ZONE).date()
                   for perf in performances.list_performances(database)})
    # the dress rehearsal on the day itself (its gate opens now), the rest from 1 March
    assert days[0] == leap and days[1] == leap + timedelta(days=1)
