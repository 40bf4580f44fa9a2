"""Issue 24: `sell` a year after a performance with no off-sale time is refused."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from tests.support.fixture_types import Cli


def test_the_cli_refuses_a_sale_a_year_later(cli: Cli,
                                             pinned_clock: time_machine.Traveller) -> None:
    pinned_clock.shift(timedelta(days=365))
    code, output = cli("sell", "--user", "sam", "--pin", "1111", "--performance", "1",
                       "--seats", "ORCH-A-101", "--tender", "cash", "--no-print")
    assert code == 1 and "[off_sale]" in output and "Traceback" not in output
