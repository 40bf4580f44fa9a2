"""`boxoffice scan`: a verdict from the command line; exit 0 only when admitted."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def sold(cli):  # type: ignore[no-untyped-def]
    """A stadium ticket sold at the window: its number, code and id."""
    code, output = cli("sell", "--user", "sam", "--pin", "1111", "--performance", "3",
                       "--ga", "FIELD:1", "--tender", "cash", "--no-print", "--json")
    assert code == 0, output
    return json.loads(output)


def scan(cli, *args: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    code, output = cli("scan", "--user", "gia", "--pin", "2222", "--gate", "North",
                       "--json", *args)
    return code, json.loads(output)


def test_a_ticket_days_before_its_match_is_not_yet_but_looks_valid(cli, sold) -> None:  # type: ignore[no-untyped-def]
    token = sold["tickets"][0]["code"]
    code, first = scan(cli, "--performance", "3", token)
    # the demo's match is days away: too early for the gate, so the window says NOT YET
    assert code == 1 and first["verdict"] == "NOT_YET"
    code, status = scan(cli, "--performance", "3", "--mode", "status", token)
    assert code == 0 and status["word"] == "VALID"


def test_wrong_event_garbage_and_no_user(cli, sold) -> None:  # type: ignore[no-untyped-def]
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
