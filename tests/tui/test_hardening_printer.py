"""Issue 24, harm before the error: a mistyped printer is refused before the sale takes
money, and before a reprint revokes the old code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import postgres
from tests.support.hardening import checksum, run_cli


@pytest.fixture
def config(demo_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\n{postgres.database_key()} = "{demo_path}"\n')
    return path


def test_sell_with_a_bogus_printer_takes_no_money(config: Path, demo_path: Path) -> None:
    before = checksum(demo_path)
    run_cli(config, "sell", "--user", "sam", "--pin", "1111", "--performance", "1",
            "--seats", "ORCH-A-101", "--tender", "cash:200",
            "--printer", "bogus:1").refused("bad_printer_spec")
    assert checksum(demo_path) == before


def test_reprint_with_a_bogus_printer_keeps_the_old_code(config: Path, demo_path: Path) -> None:
    sold = run_cli(config, "sell", "--user", "cora", "--pin", "3333", "--performance", "1",
                   "--seats", "ORCH-A-101", "--tender", "cash:200", "--no-print", "--json")
    assert sold.code == 0, sold.output
    order = json.loads(sold.output)
    serial, code = order["tickets"][0]["serial"], order["tickets"][0]["code"]
    before = checksum(demo_path)
    run_cli(config, "order", "reprint", order["number"], "--ticket", serial, "--reason",
            "torn", "--user", "cora", "--pin", "3333",
            "--printer", "network:").refused("bad_printer_spec")
    assert checksum(demo_path) == before
    shown = run_cli(config, "order", "show", order["number"], "--user", "cora",
                    "--pin", "3333", "--json")
    assert json.loads(shown.output)["tickets"][0]["code"] == code
