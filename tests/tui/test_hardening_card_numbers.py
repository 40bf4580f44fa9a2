"""Issue 24, card numbers in free text, through the CLI: every field the issue found
storing, printing or journaling a card number refuses it and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.money import contains_card_number
from core.store.db import connect
from tests.support import postgres
from tests.support.hardening import checksum, run_cli


@pytest.fixture
def config(demo_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\n{postgres.database_key()} = "{demo_path}"\n')
    return path


CORA = ("--user", "cora", "--pin", "3333")
ADA = ("--user", "ada", "--pin", "4444")
DOTTED = "4111.1111.1111.1111"
MIXED = "4111 1111-1111 1111"   # mixed separators, grouped as on the card


@pytest.mark.parametrize("args", [
    ("shift", "open", "--user", "gia", "--pin", "2222", "--station", DOTTED, "--float", "0"),
    ("sell", "--user", "sam", "--pin", "1111", "--performance", "1", "--seats", "ORCH-A-101",
     "--station", DOTTED, "--tender", "cash", "--no-print"),
    ("item", "add", "4111111111111111", "--name", "Cola", "--category", "drinks",
     "--price", "3", *CORA),
    ("item", "edit", "WATER", "--name", f"Water {DOTTED}", *CORA),
    ("item", "edit", "WATER", "--name", f"Water {MIXED}", *CORA),
    ("sell", "--user", "sam", "--pin", "1111", "--performance", "1", "--seats", "ORCH-A-101",
     "--station", MIXED, "--tender", "cash", "--no-print"),
    ("performance", "cancel", "2", "--reason", "card 4111.1111 1111-1111", *CORA),
    ("event", "add", f"Gala {DOTTED}", *CORA),
    ("event", "add", "Gala", "--producer", DOTTED, *CORA),
    ("performance", "cancel", "2", "--reason", f"card {DOTTED}", *CORA),
    ("user", "add", "kim", "--name", f"Kim {DOTTED}", "--role", "seller", "--new-pin", "9876",
     *ADA),
    ("scan", "--performance", "3", "--gate", DOTTED, "--user", "gia", "--pin", "2222", "X"),
])
def test_the_fields_the_issue_found_refuse_a_card_number(config: Path, demo_path: Path,
                                                         args: tuple[str, ...]) -> None:
    before = checksum(demo_path)
    run_cli(config, *args).refused()
    assert checksum(demo_path) == before


def test_a_failed_sign_in_does_not_journal_a_typed_card_number(config: Path,
                                                               demo_path: Path) -> None:
    run_cli(config, "shift", "x", "--user", DOTTED, "--pin", "1234").refused()
    rows = connect(demo_path).execute("SELECT actor, data FROM journal").fetchall()
    assert not any(contains_card_number(actor + data) for actor, data in rows)
