"""Deposits: the day's closed shifts become one slip (counted cash + drops - float, and
checks); a shift is on one slip only; a deposited slip is final."""

from __future__ import annotations

import pytest

from core.people.permissions import PermissionDenied
from core.store.db import Database, integrity_errors
from core.till import deposits, shifts
from core.till.deposits import DepositError
from tests.core.test_shifts import counts_for, sell_cash
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.selling_helpers import FLOAT, hall_performance, user

NOW = FIXED_NOW


def close(db: Database, name: str, station: str, labels: list[str], tender: str, *,
          drop: int = 0) -> int:
    actor = user(db, name)
    shift = shifts.open_shift(db, actor, station=station, float_counts=FLOAT, now=NOW)
    order = sell_cash(db, actor, hall_performance(db), labels, tender=tender)
    if drop:
        shifts.cash_drop(db, actor, shift.id, drop, reason="safe", now=NOW)
    cash = 8000 + (order.paid_cents if tender == "cash" else 0) - drop
    shifts.submit_count(db, actor, shift.id, cash_counts=counts_for(cash),
                        checks_cents=order.paid_cents if tender == "check" else 0,
                        card_slips_cents=0, now=NOW)
    shifts.close_shift(db, actor, shift.id, now=NOW)
    return shift.id


def test_a_days_closed_shifts_make_one_deposit_slip(bare_demo_db: Database) -> None:
    db = bare_demo_db
    cora = user(db, "cora")
    first = close(db, "sam", "w1", ["ORCH-A-101"], "cash", drop=10000)
    second = close(db, "ada", "w2", ["ORCH-A-102"], "check")
    day = NOW.astimezone(ZONE).date()
    with pytest.raises(PermissionDenied):
        deposits.prepare_deposit(db, user(db, "sam"), day=day, zone=ZONE, now=NOW)
    slip = deposits.prepare_deposit(db, cora, day=day, zone=ZONE, now=NOW)
    # sam: 80.00 float + 138.24 cash - 100.00 dropped, counted; + the drop - the float
    assert slip.cash_cents == 13824 and slip.checks_cents == 13824
    assert [line.shift_id for line in slip.lines] == [first, second]
    assert [line.z_number for line in slip.lines] == [1, 2]
    with pytest.raises(DepositError) as again:
        deposits.prepare_deposit(db, cora, day=day, zone=ZONE, now=NOW)
    assert again.value.code == "nothing_to_deposit"
    done = deposits.mark_deposited(db, cora, slip.id, bank_reference="HSBC 0042", now=NOW)
    assert done.status == "deposited" and done.bank_reference == "HSBC 0042"
    with pytest.raises(DepositError) as twice:
        deposits.mark_deposited(db, cora, slip.id, bank_reference="x", now=NOW)
    assert twice.value.code == "already_deposited"
    with pytest.raises(integrity_errors()):
        db.execute("UPDATE deposits SET cash_cents = 0")
    report = deposits.deposit_report([done], "today")
    assert report.fact("Total") == 27648


def test_a_deposit_needs_a_reference(bare_demo_db: Database) -> None:
    db = bare_demo_db
    close(db, "sam", "w1", ["ORCH-A-101"], "cash")
    slip = deposits.prepare_deposit(db, user(db, "cora"), day=NOW.astimezone(ZONE).date(),
                                    zone=ZONE, now=NOW)
    with pytest.raises(DepositError) as blank:
        deposits.mark_deposited(db, user(db, "cora"), slip.id, bank_reference=" ", now=NOW)
    assert blank.value.code == "reference_required"
