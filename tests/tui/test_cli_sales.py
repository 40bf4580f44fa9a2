"""The selling command line: performance list, sell, order show/refund/void/reprint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.gate import codes
from core.gate import keys as gate_keys
from core.store.db import home_path
from core.store.schema import open_database
from tests.support.fixture_types import Cli


def sell_json(cli: Cli, *args: str) -> dict[str, Any]:
    code, output = cli("sell", "--user", "sam", "--pin", "1111", "--json", *args)
    assert code == 0, output
    return json.loads(output)


def test_performance_list_json(cli: Cli) -> None:
    code, output = cli("performance", "list", "--json")
    assert code == 0
    shows = json.loads(output)
    assert [s["venue_kind"] for s in shows] == ["hall", "hall", "stadium"]


def test_sell_named_seats_prints_lines_and_codes_that_verify(cli: Cli, demo_path: Path,
                                                             tmp_path: Path) -> None:
    order = sell_json(cli, "--performance", "1", "--seats", "ORCH-A-101,ORCH-A-102",
                      "--tender", "cash:300")
    assert order["status"] == "complete" and order["change_cents"] == 30000 - 27648
    assert [t["label"] for t in order["tickets"]] == ["ORCH A-101", "ORCH A-102"]
    db = open_database(demo_path)
    for ticket in order["tickets"]:
        verified = codes.verify_token(ticket["code"], gate_keys.public_keys(db),
                                       gate_keys.revoked_set(db))
        assert verified.ok and verified.ticket_id == ticket["id"]
    from core.store.schema import database_id

    home = home_path(demo_path, tmp_path)     # what the files beside the database go by
    key_file = home.parent / f"{home.stem}-keys" / database_id(db) / "ticket-signing-1.pem"
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_sell_best_available_and_general_admission_with_split_tender(cli: Cli) -> None:
    best = sell_json(cli, "--performance", "1", "--best", "3", "--zone", "B",
                     "--tender", "card:VISA:4242:OK1@100", "--tender", "cash:500")
    assert len(best["tickets"]) == 3 and best["balance_cents"] == 0
    assert [p["tender"] for p in best["payments"]] == ["card", "cash"]
    field = sell_json(cli, "--performance", "3", "--ga", "FIELD:2", "--tender",
                      "check:1042")
    assert [t["section"] for t in field["tickets"]] == ["FIELD", "FIELD"]


def test_failures_exit_1_with_the_error_code_and_leave_nothing_locked(
    cli: Cli, demo_path: Path,
) -> None:
    sell_json(cli, "--performance", "1", "--seats", "ORCH-B-101", "--tender", "cash")
    code, output = cli("sell", "--user", "sam", "--pin", "1111", "--json", "--performance", "1",
                       "--seats", "ORCH-B-102,ORCH-B-101", "--tender", "cash")
    assert code == 1 and json.loads(output)["error"] == "seat_unavailable"
    code, output = cli("sell", "--user", "sam", "--pin", "0000", "--performance", "1",
                       "--seats", "ORCH-B-102", "--tender", "cash")
    assert code == 1 and "[login_failed]" in output
    code, output = cli("sell", "--user", "sam", "--pin", "1111", "--performance", "1",
                       "--seats", "ORCH-B-102", "--tender", "card:VISA:4111111111111111:X")
    assert code == 1 and "[card_number]" in output
    code, output = cli("sell", "--user", "sam", "--pin", "1111", "--performance", "1",
                       "--seats", "ORCH-B-102", "--tender", "cash:5")
    assert code == 1 and "[balance_not_zero]" in output
    db = open_database(demo_path)
    cart_claims = db.execute("SELECT count(*) FROM seat_claims WHERE state = 'cart'")
    assert cart_claims.fetchone()[0] == 0


def test_refund_needs_a_supervisor_and_revokes_the_code(cli: Cli, demo_path: Path) -> None:
    order = sell_json(cli, "--performance", "1", "--seats", "ORCH-C-101,ORCH-C-102",
                      "--tender", "card:AMEX:1005:ZZ9")
    number, first = order["number"], order["tickets"][0]
    code, output = cli("order", "refund", number, "--user", "sam", "--pin", "1111",
                       "--reason", "ill", "--tickets", first["serial"])
    assert code == 1 and "[permission_denied]" in output
    code, output = cli("order", "refund", number, "--user", "sam", "--pin", "1111",
                       "--reason", "ill", "--tickets", first["serial"], "--supervisor",
                       "cora", "--supervisor-pin", "3333", "--json")
    assert code == 0, output
    refunded = json.loads(output)
    assert [t["status"] for t in refunded["tickets"]] == ["refunded", "live"]
    assert refunded["payments"][-1]["card_last4"] == "1005"
    db = open_database(demo_path)
    verdict = codes.verify_token(first["code"], gate_keys.public_keys(db),
                                 gate_keys.revoked_set(db))
    assert verdict.reason == "revoked"


def test_reprint_changes_the_code_and_void_reverses_the_order(cli: Cli, demo_path: Path) -> None:
    order = sell_json(cli, "--performance", "1", "--seats", "ORCH-D-101", "--tender", "cash")
    old = order["tickets"][0]
    code, output = cli("order", "reprint", order["number"], "--ticket", old["serial"],
                       "--user", "cora", "--pin", "3333", "--reason", "torn", "--json")
    assert code == 0, output
    new = json.loads(output)["tickets"][0]
    assert new["generation"] == 2 and new["code"] != old["code"]
    db = open_database(demo_path)
    keys, revoked = gate_keys.public_keys(db), gate_keys.revoked_set(db)
    assert codes.verify_token(old["code"], keys, revoked).reason == "revoked"
    assert codes.verify_token(new["code"], keys, revoked).ok
    code, output = cli("order", "void", order["number"], "--user", "cora", "--pin", "3333",
                       "--reason", "wrong night", "--json")
    assert code == 0 and json.loads(output)["status"] == "voided"
    code, output = cli("order", "show", order["number"], "--json")
    assert json.loads(output)["paid_cents"] == 0
    code, output = cli("order", "show", "999999")
    assert code == 1 and "[unknown_order]" in output
