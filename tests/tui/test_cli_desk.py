"""The counter's work headless: `boxoffice customer|group|consignment|key ...`, `event
reentry`, `user change-pin` and `order settle-card`, with bad input that exits 1 with a
message and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from core.sales import carts, checkout, customers, groups
from core.sales.tenders import Tender
from core.store.schema import open_database
from tests.support.constants import FIXED_NOW
from tests.support.fixture_types import Cli
from tests.support.selling_helpers import STATION, cart_with, hall_performance, user

CORA = ("--user", "cora", "--pin", "3333")
ADA = ("--user", "ada", "--pin", "4444")


def test_customers_found_shown_noted_flagged_edited(cli: Cli, demo_path: Path) -> None:
    db = open_database(demo_path)
    jane = customers.create_customer(db, user(db, "sam"), "Jane Smith", phone="5550102000",
                                     now=FIXED_NOW)
    db.close()
    code, output = cli("customer", "search", "jane", *CORA)
    assert code == 0 and f"#{jane.id}" in output and "Jane Smith" in output
    code, output = cli("customer", "note", str(jane.id), "prefers aisle seats", *CORA)
    assert code == 0, output
    code, output = cli("customer", "note", str(jane.id), "card 4111-1111-1111-1111", *CORA)
    assert code == 1 and "card_number" in output and "Traceback" not in output
    code, output = cli("customer", "flag", str(jane.id), "--set", "vip,accessibility", *CORA)
    assert code == 0 and "accessibility,vip" in output
    code, output = cli("customer", "flag", str(jane.id), "--set", "royalty", *CORA)
    assert code == 1 and "bad_flag" in output
    code, output = cli("customer", "edit", str(jane.id), "--phone", "555 010 3000", *CORA)
    assert code == 0, output
    code, output = cli("customer", "show", str(jane.id), "--json", *CORA)
    shown = json.loads(output)
    assert shown["phone"] == "5550103000" and shown["flags"] == ["accessibility", "vip"]
    assert shown["notes"].endswith("cora: prefers aisle seats") and "4111" not in shown["notes"]
    code, output = cli("customer", "show", "99999", *CORA)
    assert code == 1 and "Traceback" not in output


def test_a_group_from_block_to_paid_balance(cli: Cli, demo_path: Path) -> None:
    show = str(hall_performance(open_database(demo_path)))
    code, output = cli("group", "add", "St Anne's School", "--contact", "Mary Teacher", *CORA)
    assert code == 0 and "GRP1" in output
    code, output = cli("group", "hold", "1", "--performance", show, "--seats",
                       "ORCH-S-101..104", *CORA)
    assert code == 0 and "4 seat(s) held" in output
    code, output = cli("group", "sell", "1", "--performance", show, "--seats",
                       "ORCH-S-101..103", "--paid", "100", "--due", "someday", *CORA)
    assert code == 1 and "bad_date" in output
    code, output = cli("group", "sell", "1", "--performance", show, "--seats",
                       "ORCH-S-101..103", "--paid", "100", "--json", *CORA)
    sold = json.loads(output)
    assert code == 0 and sold["status"] == "deposit"
    balance = sold["balance_cents"]
    code, output = cli("group", "pay", sold["number"], "--amount",
                       f"{balance // 100}.{balance % 100:02d}", "--tender", "check:1042",
                       *CORA)
    assert code == 0 and "paid in full" in output
    code, output = cli("group", "release", "1", "--performance", show, *CORA)
    assert code == 0 and "1 seat(s) back on sale" in output
    code, output = cli("group", "list", "--json", *CORA)
    assert json.loads(output)[0]["tickets"] == 3 and json.loads(output)[0]["held"] == 0
    code, output = cli("group", "add", "Book Club", "--contact", "Bo", "--user", "sam",
                       "--pin", "1111")
    assert code == 1 and "permission" in output


def test_a_consignment_batch_from_issue_to_collected(cli: Cli, demo_path: Path) -> None:
    show = str(hall_performance(open_database(demo_path)))
    code, output = cli("consignment", "issue", "--performance", show, "--consignee",
                       "Rotary Club", "--seats", "ORCH-T-101..104", "--json", *CORA)
    issued = json.loads(output)
    assert code == 0 and issued["number"].startswith("C")
    batch = str(issued["consignment_id"])
    code, output = cli("consignment", "settle", batch, "--returned", "ORCH-Z-999",
                       "--paid-by", "account", *CORA)
    assert code == 1 and "Traceback" not in output
    code, output = cli("consignment", "settle", batch, "--returned", "ORCH-T-103..104",
                       "--paid-by", "account", *CORA)
    assert code == 0 and "2 sold, 2 returned" in output
    code, output = cli("consignment", "list", "--json", *CORA)
    owed = json.loads(output)[0]["on_account_cents"]
    assert json.loads(output)[0]["state"] == "ON ACCOUNT" and owed > 0
    code, output = cli("consignment", "collect", batch, "--amount",
                       f"{owed // 100}.{owed % 100:02d}", *CORA)
    assert code == 0 and "complete" in output


def test_keys_reentry_and_my_pin(cli: Cli, tmp_path: Path) -> None:
    code, output = cli("key", "list", *ADA)
    assert code == 0
    code, output = cli("key", "rotate", *CORA)
    assert code == 1 and "permission" in output
    code, output = cli("key", "rotate", *ADA)
    assert code == 0 and "now signs new tickets" in output
    code, output = cli("key", "list", "--json", *ADA)
    statuses = [k["status"] for k in json.loads(output)]
    assert statuses[-1] == "signing"
    target = tmp_path / "gate-keys.json"
    code, output = cli("key", "export", "-o", str(target), *ADA)
    assert code == 0 and len(json.loads(target.read_text())) == len(statuses)
    code, output = cli("key", "export", "-o", str(tmp_path / "no" / "such" / "k.json"), *ADA)
    assert code == 1 and "cannot write" in output and "Traceback" not in output
    code, output = cli("event", "reentry", "1", "on", *CORA)
    assert code == 0 and "re-entry on" in output
    code, output = cli("user", "change-pin", "--new-pin", "2468", "--user", "sam", "--pin",
                       "1111")
    assert code == 0, output
    code, output = cli("user", "change-pin", "--new-pin", "1357", "--user", "sam", "--pin",
                       "1111")
    assert code == 1 and "login_failed" in output


def test_a_pending_card_settled_declined_with_a_supervisor(cli: Cli, demo_path: Path) -> None:
    db = open_database(demo_path)
    sam, show = user(db, "sam"), hall_performance(db)
    cart_id = cart_with(db, sam, show, ["ORCH-J-110"], FIXED_NOW)
    total = carts.view_cart(db, cart_id).total_cents
    order = checkout.checkout(db, sam, cart_id, [Tender(
        "card", total, card_brand="VISA", card_last4="0005", status="unknown")],
        station=STATION, now=FIXED_NOW)
    db.close()
    sam_login = ("--user", "sam", "--pin", "1111")
    code, output = cli("order", "settle-card", order.number, "--declined", *sam_login)
    assert code == 1 and "permission" in output
    code, output = cli("order", "settle-card", order.number, *sam_login)
    assert code == 1 and "--approved CODE or --declined" in output
    code, output = cli("order", "settle-card", order.number, "--declined", "--supervisor",
                       "cora", "--supervisor-pin", "3333", "--json", *sam_login)
    assert code == 0 and json.loads(output)["status"] == "cancelled"
    assert groups.list_groups(open_database(demo_path)) == []
