"""`boxoffice series ...` and `boxoffice subscription ...`: a coordinator sets up a series
and its package, a seller sells subscriptions; bad input exits 1 and changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from core.gate import codes
from core.gate import keys as gate_keys
from core.store.schema import open_database
from core.venue.performances import copy_performance
from tests.support.constants import ZONE
from tests.support.dates import day_at, typed
from tests.support.fixture_types import Cli
from tests.support.selling_helpers import user

CORA = ("--user", "cora", "--pin", "3333")
SAM = ("--user", "sam", "--pin", "1111")


def counts(demo_path: Path) -> tuple[int, int, int]:
    db = open_database(demo_path)
    try:
        orders, people, claims = db.execute(
            "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM customers), "
            "(SELECT count(*) FROM seat_claims WHERE state != 'held')").fetchone()
        return orders, people, claims
    finally:
        db.close()


def test_a_series_set_up_and_a_subscription_sold_from_the_command_line(
        cli: Cli, demo_path: Path) -> None:
    code, output = cli("series", "create", "Figaro pair", "--performances", "1,2",
                       "--season", "2027", *CORA)
    assert code == 0 and "series #1" in output, output
    code, output = cli("series", "package", "1", "pair", "Both nights", *CORA)
    assert code == 0 and "package #1 PAIR" in output, output
    code, output = cli("series", "price", "1", "A", "ADULT", "180.00", "--fee", "4.00",
                       "--tax-basis-points", "800", *CORA)
    assert code == 0 and "198.72" in output, output          # (180 + 4) * 1.08
    code, output = cli("series", "show", "1", "--json")
    shown = json.loads(output)
    assert shown["performances"] == [1, 2]
    assert shown["packages"][0]["prices"][0]["total_cents"] == 19872

    code, output = cli("subscription", "sell", "--package", "1", "--seats",
                       "ORCH-A-101..102", "--new-customer", "Jane Subscriber", "--phone",
                       "555 010 1234", "--tender", "cash:400", "--no-print", "--json", *SAM)
    assert code == 0, output
    order = json.loads(output)
    assert (order["channel"], order["status"], order["value_cents"]) == (
        "subscription", "complete", 2 * 19872)
    assert sorted((t["performance_id"], t["label"]) for t in order["tickets"]) == [
        (1, "ORCH A-101"), (1, "ORCH A-102"), (2, "ORCH A-101"), (2, "ORCH A-102")]
    db = open_database(demo_path)
    for ticket in order["tickets"]:
        verdict = codes.verify_token(ticket["code"], gate_keys.public_keys(db),
                                     gate_keys.revoked_set(db))
        assert verdict.ticket_id == ticket["id"]
    db.close()
    code, output = cli("subscription", "list", "--json")
    listed = json.loads(output)
    assert [(s["seat"], s["customer"], s["live_tickets"]) for s in listed] == [
        ("ORCH-A-101", "Jane Subscriber", 2), ("ORCH-A-102", "Jane Subscriber", 2)]
    customer_id = listed[0]["customer_id"]
    code, output = cli("subscription", "sell", "--package", "1", "--best", "2", "--zone",
                       "A", "--customer", str(customer_id), "--tender",
                       "card:VISA:4242:AB12C", "--will-call", *SAM)
    assert code == 0 and "(subscription, will_call)" in output, output


def test_bad_input_exits_1_and_changes_nothing(cli: Cli, demo_path: Path) -> None:
    assert cli("series", "create", "Mine", "--performances", "1,2", *SAM)[0] == 1
    code, output = cli("series", "create", "Bad", "--performances", "1,x", *CORA)
    assert code == 1 and "bad_performances" in output
    cli("series", "create", "Figaro pair", "--performances", "1,2", *CORA)
    cli("series", "package", "1", "PAIR", "Both nights", *CORA)
    code, output = cli("series", "price", "1", "Q", "ADULT", "180.00", *CORA)
    assert code == 1 and "unknown_zone" in output
    cli("series", "price", "1", "A", "ADULT", "180.00", *CORA)
    cli("sell", "--performance", "2", "--seats", "ORCH-A-105", "--tender", "cash",
        "--no-print", *SAM)
    before = counts(demo_path)
    code, output = cli("subscription", "sell", "--package", "1", "--seats",
                       "ORCH-A-104..105", "--new-customer", "Bob Late", "--tender", "cash",
                       "--no-print", *SAM)
    assert code == 1 and "seat_unavailable" in output and "ORCH A-105 is sold at #2" in output
    assert "A-104" not in output
    code, output = cli("subscription", "sell", "--package", "1", "--seats", "ORCH-A-104",
                       "--customer", "999", "--tender", "cash", "--no-print", *SAM)
    assert code == 1 and "not_found" in output
    code, output = cli("subscription", "sell", "--package", "1", "--seats", "ORCH-A-104",
                       "--new-customer", "Bob Late", "--tender", "cash:10", "--no-print",
                       *SAM)
    assert code == 1 and "balance_not_zero" in output
    assert counts(demo_path) == before
    assert cli("subscription", "sell", "--package", "1", "--tender", "cash", *SAM)[0] == 2


def test_a_flex_pass_sold_redeemed_by_its_code_and_an_admission_returned(
        cli: Cli, demo_path: Path) -> None:
    cli("series", "create", "Figaro pair", "--performances", "1,2", *CORA)
    code, output = cli("series", "package", "1", "flex2", "Any two", "--flex", "2", *CORA)
    assert code == 0, output
    code, output = cli("series", "price", "1", "A", "ADULT", "150.00", *CORA)
    assert code == 1 and "its zone is ANY" in output
    assert cli("series", "price", "1", "ANY", "ADULT", "150.00", *CORA)[0] == 0
    code, output = cli("flex", "sell", "--package", "1", "--new-customer", "Flex Fan",
                       "--tender", "cash:200", "--json", *SAM)
    assert code == 0, output
    sold = json.loads(output)
    assert sold["admissions"] == 2 and len(sold["code"]) == 122
    code, output = cli("flex", "redeem", sold["code"], "--performance", "1", "--seats",
                       "ORCH-C-101..102", "--no-print", "--json", *SAM)
    assert code == 0, output
    redeemed = json.loads(output)
    assert redeemed["left"] == 0 and len(redeemed["tickets"]) == 2
    code, output = cli("flex", "redeem", str(sold["pass_id"]), "--performance", "2",
                       "--seats", "ORCH-C-101", "--no-print", *SAM)
    assert code == 1 and "pass_used_up" in output
    serial = redeemed["tickets"][0]["serial"]
    code, output = cli("order", "refund", sold["order"], "--tickets", serial, "--reason",
                       "ill", *CORA)
    assert code == 1 and "flex_admission" in output
    code, output = cli("flex", "return", str(sold["pass_id"]), "--ticket", serial,
                       "--reason", "cannot come", *CORA)
    assert code == 0 and "1 admission(s) left" in output, output
    code, output = cli("flex", "list", "--json")
    assert [(p["customer"], p["used"], p["left"]) for p in json.loads(output)] == [
        ("Flex Fan", 1, 1)]


def test_a_series_rolled_forward_renewed_and_the_rest_released(
        cli: Cli, demo_path: Path, pinned_clock: Any, tmp_path: Path) -> None:
    cli("series", "create", "Figaro pair", "--performances", "1,2", *CORA)
    cli("series", "package", "1", "FULL", "Both nights", *CORA)
    cli("series", "price", "1", "A", "ADULT", "180.00", *CORA)
    for seat_name, name in (("ORCH-A-101", "Ann Early"), ("ORCH-A-102", "Ben Late")):
        code, output = cli("subscription", "sell", "--package", "1", "--seats", seat_name,
                           "--new-customer", name, "--tender", "cash", "--no-print", *SAM)
        assert code == 0, output
    db = open_database(demo_path)
    next_season = copy_performance(db, user(db, "cora"), 1, day_at(60, "19:30", ZONE))
    db.close()
    deadline = day_at(10, "17:00", ZONE)
    code, output = cli("renewal", "roll-forward", "1", "Next season", "--performances",
                       str(next_season), "--deadline", "yesterday", *CORA)
    assert code == 1 and "bad_time" in output
    code, output = cli("renewal", "roll-forward", "1", "Next season", "--performances",
                       str(next_season), "--deadline", typed(deadline), *CORA)
    assert code == 0 and "2 renewal(s) held" in output, output
    letters = tmp_path / "letters.pdf"
    code, output = cli("renewal", "letters", "2", "--out", str(letters), *CORA)
    assert code == 0 and letters.read_bytes().startswith(b"%PDF"), output
    code, output = cli("renewal", "renew", "RN1", "--tender", "cash", "--no-print", "--json",
                       *SAM)
    assert code == 0 and json.loads(output)["channel"] == "subscription", output
    code, output = cli("renewal", "renew", "RN1", "--tender", "cash", "--no-print", *SAM)
    assert code == 1 and "not_offered" in output
    code, output = cli("renewal", "release", "2", *CORA)
    assert code == 0 and "0 unrenewed" in output and "1 still before" in output
    pinned_clock.move_to(deadline + timedelta(minutes=1))
    code, output = cli("renewal", "renew", "RN2", "--tender", "cash", "--no-print", *SAM)
    assert code == 1 and "past_deadline" in output
    code, output = cli("renewal", "release", "2", *CORA)
    assert code == 0 and "1 unrenewed subscription(s) released" in output
    code, output = cli("renewal", "rates", "2", "--json")
    assert json.loads(output) == [{"package": "FULL", "zone": "A", "offered": 2,
                                   "renewed": 1, "released": 1, "open": 0, "unseated": 0,
                                   "rate_percent": 50.0}]
    code, output = cli("report", "subscriptions", *CORA)
    assert code == 0, output
    assert "Subscriptions         3" in output and "Renewal rate          50.0 %" in output
