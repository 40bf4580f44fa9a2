"""`boxoffice series exchange-fee` and `boxoffice subscription exchange`: a coordinator
sets a package's exchange fee; a subscriber's ticket is swapped for a seat at another
performance of the series for that fee; refusals exit 1 and change nothing."""

from __future__ import annotations

import json
from pathlib import Path

from core.store.schema import open_database
from tests.support.fixture_types import Cli

CORA = ("--user", "cora", "--pin", "3333")
SAM = ("--user", "sam", "--pin", "1111")


def open_carts(demo_path: Path) -> int:
    db = open_database(demo_path)
    try:
        return int(db.execute("SELECT count(*) FROM carts WHERE status = 'open'"
                              ).fetchone()[0])
    finally:
        db.conn.close()


def test_a_subscribers_ticket_exchanged_for_the_package_fee(cli: Cli,
                                                             demo_path: Path) -> None:
    for args in (("series", "create", "Figaro pair", "--performances", "1,2"),
                 ("series", "package", "1", "pair", "Both nights"),
                 ("series", "price", "1", "A", "ADULT", "180.00", "--fee", "0",
                  "--tax-basis-points", "0")):
        code, output = cli(*args, *CORA)
        assert code == 0, output
    code, output = cli("series", "exchange-fee", "1", "seven", *CORA)
    assert code == 1 and "error [" in output, output
    code, output = cli("series", "exchange-fee", "1", "7.50", *SAM)
    assert code == 1 and "permission" in output, output
    code, output = cli("series", "exchange-fee", "1", "7.50", *CORA)
    assert code == 0 and "exchange fee 7.50" in output, output
    code, output = cli("series", "show", "1", "--json")
    assert json.loads(output)["packages"][0]["exchange_fee_cents"] == 750
    code, output = cli("subscription", "sell", "--package", "1", "--seats", "ORCH-A-101",
                       "--new-customer", "Jane Subscriber", "--tender", "cash:180",
                       "--no-print", "--json", *SAM)
    assert code == 0, output
    order = json.loads(output)
    first = next(t["serial"] for t in order["tickets"] if t["performance_id"] == 1)

    # refused, changing nothing: outside the series, no tender for the fee
    exchange = ("subscription", "exchange", order["number"], "--ticket", first,
                "--reason", "away that night", "--no-print")
    code, output = cli(*exchange, "--performance", "3", *CORA)
    assert code == 1 and "not_in_series" in output, output
    code, output = cli(*exchange, "--performance", "2", *CORA)
    assert code == 1 and "the exchange costs 7.50 more" in output, output
    assert open_carts(demo_path) == 0

    code, output = cli(*exchange, "--performance", "2", "--seat", "ORCH-A-110",
                       "--tender", "cash:10", "--json", *CORA)
    assert code == 0, output
    after = json.loads(output)
    assert (after["value_cents"], after["paid_cents"]) == (18750, 18750)
    states = {t["serial"]: (t["performance_id"], t["label"], t["status"])
              for t in after["tickets"]}
    assert states[first][2] == "exchanged"
    assert (2, "ORCH A-110", "live") in states.values()
    code, output = cli("subscription", "list", "--json")
    assert json.loads(output)[0]["live_tickets"] == 2
