"""Payment plans from the command line: a group order's balance put on a plan, shown,
an instalment paid, the overdue list; refusals say why and change nothing."""

from __future__ import annotations

from datetime import timedelta

from core.sales import plans
from core.sales.orders import find_order
from core.store.db import Database
from tests.core.test_notices import late_group_order
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.fixture_types import Cli

CORA = ("--user", "cora", "--pin", "3333")


def test_a_group_balance_on_a_plan(cli: Cli, demo_db: Database) -> None:
    number = late_group_order(demo_db, "St Anne's School", "Anne Hale",
                              ["ORCH-S-101", "ORCH-S-102"])
    balance = find_order(demo_db, number).balance_cents
    today = FIXED_NOW.astimezone(ZONE).date()
    first, second = today + timedelta(days=7), today + timedelta(days=14)
    half = balance // 2
    rest = balance - half
    code, said = cli("plan", "agree", number, "--plan",                  # a dollar over
                     f"{first}:{half / 100:.2f},{second}:{(rest + 100) / 100:.2f}", *CORA)
    assert code == 1 and "must come to" in said
    code, said = cli("plan", "agree", number, "--plan",
                     f"{first}:{half / 100:.2f},{second}:{rest / 100:.2f}", *CORA)
    assert code == 0, said
    code, said = cli("plan", "show", number)
    assert code == 0 and str(first) in said and str(second) in said
    code, said = cli("plan", "pay", number, "--tender", "cash", "--user", "cora", "--pin",
                     "3333", "--station", "window-1-cora")
    assert code == 0, said
    plan = plans.get_plan(demo_db, find_order(demo_db, number).id)
    assert plan.instalments[0].settled and not plan.instalments[1].settled
    code, said = cli("plan", "agree", number, "--plan", f"{first}:1.00", *CORA)
    assert code == 1 and "already has a plan" in said
