"""`boxoffice scan`: a verdict from the command line; exit 0 only when admitted."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.fixture_types import Cli


@pytest.fixture
def sold(cli: Cli) -> dict[str, Any]:
    """A stadium ticket sold at the window: its number, code and id."""
    code, output = cli("sell", "--user", "sam", "--pin", "1111", "--performance", "3",
                       "--ga", "FIELD:1", "--tender", "cash", "--no-print", "--json")
    assert code == 0, output
    return json.loads(output)


def scan(cli: Cli, *args: str) -> tuple[int, dict[str, Any]]:
    code, output = cli("scan", "--user", "gia", "--pin", "2222", "--gate", "North",
                       "--json", *args)
    return code, json.loads(output)


def test_a_ticket_days_before_its_match_is_not_yet_but_looks_valid(
    cli: Cli, sold: dict[str, Any],
) -> None:
    token = sold["tickets"][0]["code"]
    code, first = scan(cli, "--performance", "3", token)
    # the demo's match is days away: too early for the gate, so the window says NOT YET
    assert code == 1 and first["verdict"] == "NOT_YET"
    code, status = scan(cli, "--performance", "3", "--mode", "status", token)
    assert code == 0 and status["word"] == "VALID"


def test_wrong_event_garbage_and_no_user(cli: Cli, sold: dict[str, Any]) -> None:
    token = sold["tickets"][0]["code"]
    code, wrong = scan(cli, "--performance", "1", token)
    assert code == 1 and wrong["verdict"] == "WRONG_EVENT"
    code, garbage = scan(cli, "--performance", "3", "HELLO-WORLD")
    assert code == 1 and garbage["verdict"] == "INVALID"
    code, output = cli("scan", "--performance", "3", "--gate", "North", token)
    assert code == 2 and "who is scanning" in output
    code, output = cli("scan", "--user", "sam", "--pin", "1111", "--performance", "3",
                       "--gate", "North", "--json", token)
    assert code == 1 and json.loads(output)["error"] == "permission_denied"
