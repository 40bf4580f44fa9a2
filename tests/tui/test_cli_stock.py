"""The concessions command line: item list/add/edit/receive/adjust/count/moves, and
`sell --item` / `order refund --item`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.concessions import stock
from core.store.schema import open_database
from tests.support.fixture_types import Cli

ADMIN = ("--user", "cora", "--pin", "3333")


def _json(cli: Cli, *args: str) -> Any:
    code, output = cli(*args, "--json")
    assert code == 0, output
    return json.loads(output)


def test_item_list_shows_price_with_tax_and_low_stock(cli: Cli) -> None:
    items = {i["sku"]: i for i in _json(cli, "item", "list")}
    assert items["POPCORN"]["each_cents"] == 650 + 52
    assert items["SCARF"]["stock_label"] == "4 LOW"
    code, output = cli("item", "list", "--low")
    assert code == 0 and "SCARF" in output and "WATER" not in output
    assert "4 LOW" in output


def test_add_receive_adjust_and_count_an_item(cli: Cli, demo_path: Path, tmp_path: Path) -> None:
    added = _json(cli, "item", "add", "CANDY", "--name", "Candy bar", "--category", "Snacks",
                  "--price", "2.50", "--tax", "8.25", "--low-stock", "6", *ADMIN)
    assert (added["price_cents"], added["tax_bp"], added["on_hand"]) == (250, 825, 0)
    received = _json(cli, "item", "receive", "CANDY", "48", "--cost", "0.90",
                     "--reference", "INV-2231", *ADMIN)
    assert (received["on_hand"], received["cost_cents"]) == (48, 90)
    adjusted = _json(cli, "item", "adjust", "CANDY", "-3", "--reason", "waste", *ADMIN)
    assert adjusted["on_hand"] == 45
    edited = _json(cli, "item", "edit", "CANDY", "--price", "2.75", *ADMIN)
    assert edited["price_cents"] == 275
    counted = _json(cli, "item", "count", "CANDY=40", "WATER=200", "--note", "Sunday",
                    *ADMIN)
    lines = {line["sku"]: line for line in counted["lines"]}
    assert (lines["CANDY"]["expected"], lines["CANDY"]["counted"],
            lines["CANDY"]["variance"]) == (45, 40, -5)
    assert lines["WATER"]["variance"] == 0
    assert counted["variance_cents"] == -5 * 90
    code, output = cli("item", "moves", "CANDY")
    assert code == 0 and "receive" in output and "INV-2231" in output and "count" in output
    db = open_database(demo_path)
    assert stock.get_item(db, "CANDY").on_hand == 40 and stock.check_stock(db) == []


def test_a_filled_in_count_sheet_is_read_from_csv(
    cli: Cli, demo_path: Path, tmp_path: Path,
) -> None:
    code, sheet = cli("report", "count-sheet", "--format", "csv", *ADMIN)
    assert code == 0, sheet
    assert "sku" in sheet and "counted" in sheet
    filled = tmp_path / "counted.csv"
    filled.write_text("sku,item,counted\nWATER,Bottled water,195\nSODA,Soda,\n")
    counted = _json(cli, "item", "count", "--file", str(filled), *ADMIN)
    assert [(x["sku"], x["variance"]) for x in counted["lines"]] == [("WATER", -5)]
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,counted\nWATER,lots\n")
    code, output = cli("item", "count", "--file", str(bad), *ADMIN)
    assert code == 1 and "bad_count_file" in output and "bad.csv:2" in output


def test_sell_items_with_and_without_tickets_then_refund_them(cli: Cli, demo_path: Path) -> None:
    both = _json(cli, "sell", "--user", "sam", "--pin", "1111", "--performance", "1",
                 "--seats", "ORCH-A-101", "--item", "WATER:2", "--item", "popcorn",
                 "--tender", "cash:200", "--no-print")
    assert {g["sku"]: g["quantity"] for g in both["goods"]} == {"WATER": 2, "POPCORN": 1}
    assert both["paid_cents"] == both["value_cents"]
    alone = _json(cli, "sell", "--user", "sam", "--pin", "1111", "--item", "SODA:3",
                  "--tender", "cash", "--no-print")
    assert alone["tickets"] == [] and alone["paid_cents"] == 3 * (450 + 36)
    db = open_database(demo_path)
    assert stock.get_item(db, "WATER").on_hand == 198
    refunded = _json(cli, "order", "refund", both["number"], "--item", "WATER:1",
                     "--reason", "dropped", *ADMIN)
    assert refunded["goods"][0]["returned"] == 1
    assert [t["status"] for t in refunded["tickets"]] == ["live"]
    assert stock.get_item(db, "WATER").on_hand == 199
    code, output = cli("order", "refund", both["number"], "--item", "SODA:1",
                       "--reason", "x", *ADMIN)
    assert code == 1 and "not_in_order" in output


def test_bad_input_gets_a_clear_error_and_changes_nothing(cli: Cli, demo_path: Path) -> None:
    db = open_database(demo_path)
    before = stock.get_item(db, "SCARF").on_hand
    for args, code_word in (
            (("sell", "--user", "sam", "--pin", "1111", "--item", "SCARF:5", "--tender",
              "cash", "--no-print"), "out_of_stock"),
            (("sell", "--user", "sam", "--pin", "1111", "--item", "SCARF:5", "--allow-short",
              "--tender", "cash", "--no-print"), "permission_denied"),
            (("sell", "--user", "sam", "--pin", "1111", "--item", "SCARF:x", "--tender",
              "cash", "--no-print"), "bad_item_spec"),
            (("sell", "--user", "sam", "--pin", "1111", "--item", "NOPE", "--tender", "cash",
              "--no-print"), "unknown_sku"),
            (("item", "add", "A B", "--name", "x", "--category", "y", "--price", "1", *ADMIN),
             "bad_sku"),
            (("item", "add", "NEW", "--name", "x", "--category", "y", "--price", "1",
              "--tax", "eight", *ADMIN), "bad_tax"),
            (("item", "receive", "SCARF", "10", "--cost", "-1", *ADMIN), "bad_amount"),
            (("item", "adjust", "SCARF", "-9", "--reason", "theft", *ADMIN), "out_of_stock"),
            (("item", "adjust", "SCARF", "-1", "--reason", "waste", "--user", "sam", "--pin",
              "1111"), "permission_denied"),
            (("item", "count", "SCARF=two", *ADMIN), "bad_count")):
        code, output = cli(*args)
        assert code == 1, (args, output)
        assert code_word in output, (args, output)
    assert stock.get_item(db, "SCARF").on_hand == before
    assert db.execute("SELECT count(*) FROM orders").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM carts WHERE status = 'open'").fetchone()[0] == 0
    # allowed short, explicitly, by a supervisor
    order = _json(cli, "sell", "--user", "sam", "--pin", "1111", "--item", "SCARF:5",
                  "--allow-short", "--supervisor", "cora", "--supervisor-pin", "3333",
                  "--tender", "cash", "--no-print")
    assert order["status"] == "complete"
    assert stock.get_item(db, "SCARF").on_hand == before - 5
