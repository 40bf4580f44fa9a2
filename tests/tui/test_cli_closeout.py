"""The closing-out command line: shift open/drop/x/count/sign-off/close (Z printed),
report NAME in every format, deposit, cards."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from tests.support import postgres
from tests.support.fixture_types import Cli

SAM = ("--user", "sam", "--pin", "1111")
CORA = ("--user", "cora", "--pin", "3333")


@pytest.fixture
def bare_cli(bare_demo_template: Path, tmp_path: Path) -> Cli:
    """`boxoffice` on a private demo database where nobody has a shift open."""
    from click.testing import CliRunner

    from tui.cli import main

    db = postgres.private_copy(bare_demo_template, tmp_path / "demo.db")
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\n{postgres.database_key()} = "{db}"\n'
                      f'[printer]\npath = "{tmp_path / "prints"}"\n'
                      "[shifts]\nover_short_tolerance_cents = 100\n")

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["--config", str(config), *args])
        return result.exit_code, result.output

    return run


def test_a_shift_from_float_to_printed_z_report(bare_cli: Cli, tmp_path: Path) -> None:
    code, output = bare_cli("sell", *SAM, "--performance", "1", "--seats", "ORCH-A-101",
                            "--tender", "cash:200", "--no-print", "--json")
    assert code == 1 and json.loads(output)["error"] == "no_open_shift"
    code, output = bare_cli("shift", "open", *SAM, "--station", "w1", "--float",
                            "2000x2,500x4")
    assert code == 0 and "float 60.00" in output, output
    code, output = bare_cli("sell", *SAM, "--performance", "1", "--seats", "ORCH-A-101",
                            "--tender", "cash:200", "--no-print", "--json")
    assert code == 0, output
    code, output = bare_cli("shift", "drop", *SAM, "--amount", "50.00", "--reason", "safe")
    assert code == 0 and "drop of 50.00" in output
    # the seller's X report is blind; the coordinator's shows the expected cash
    code, output = bare_cli("shift", "x", *SAM, "--json")
    assert code == 0 and json.loads(output)["blind"] is True
    assert "Expected" not in output and "148.24" not in output
    code, output = bare_cli("shift", "x", *CORA, "--shift", "1")
    assert code == 0 and "Expected cash" in output and "148.24" in output   # 60 + 138.24 - 50
    # count $2 short: over the $1 tolerance, so a sign-off before the close
    code, output = bare_cli("shift", "count", *SAM, "--cash", "10000x1,2000x2,500x1,100x1,"
                            "10x2,1x4")
    assert code == 0 and "expected     148.24" in output and "-2.00" in output, output
    code, output = bare_cli("shift", "close", *SAM, "--json")
    assert code == 1 and json.loads(output)["error"] == "signoff_required"
    code, output = bare_cli("shift", "sign-off", "1", *CORA, "--note", "two singles short")
    assert code == 0, output
    code, output = bare_cli("shift", "close", *SAM, "--printer", f"preview:{tmp_path / 'z'}")
    assert code == 0 and "Z number" in output and "two singles short" in output, output
    assert list((tmp_path / "z").glob("*z-1*"))
    assert "backed up to" in output and list(tmp_path.rglob("demo-*z_close.db"))
    code, output = bare_cli("shift", "list")
    assert code == 0 and "Z 1" in output and "closed" in output
    code, output = bare_cli("report", "z", "--shift", "1", *CORA, "--format", "json")
    facts = json.loads(output)["facts"]
    assert facts["Z number"] == "1" and facts["Over/short"] == "-2.00"
    # the day's deposit: counted cash + drops - float = 146.24 + 50 - 60
    today = datetime.now(UTC).astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d")
    code, output = bare_cli("deposit", "prepare", "--date", today, *CORA, "--json")
    assert code == 0, output
    assert json.loads(output)["cash_cents"] == 14624 + 5000 - 6000
    code, output = bare_cli("deposit", "deposited", "1", *CORA, "--reference", "BANK-77")
    assert code == 0 and "BANK-77" in output
    code, output = bare_cli("deposit", "deposited", "1", *CORA, "--reference", "again",
                            "--json")
    assert code == 1 and json.loads(output)["error"] == "already_deposited"
    # list takes the same --user/--pin as prepare and deposited
    code, output = bare_cli("deposit", "list", *CORA)
    assert code == 0 and "BANK-77" in output
    code, output = bare_cli("deposit", "list", "--user", "cora", "--pin", "0000")
    assert code == 1


def test_report_command_formats_and_list(cli: Cli, tmp_path: Path) -> None:
    code, output = cli("sell", *SAM, "--performance", "1", "--seats", "ORCH-A-101,ORCH-A-102",
                       "--tender", "cash:300", "--no-print")
    assert code == 0, output
    code, output = cli("report", "list")
    assert code == 0 and all(name in output for name in (
        "settlement", "sales", "comps", "adjustments", "attendance", "audit", "x", "z",
        "deposit", "cards"))
    code, output = cli("report", "settlement", "--performance", "1", *CORA)
    assert code == 0 and "GBOR" in output and "276.48" in output, output
    code, output = cli("report", "settlement", "--performance", "1", *CORA, "--format", "csv")
    assert ["fact", "GBOR", "276.48"] in list(csv.reader(io.StringIO(output)))
    pdf = tmp_path / "settlement.pdf"
    code, output = cli("report", "settlement", "--performance", "1", *CORA, "--format", "pdf",
                       "--output", str(pdf), "--print", "--printer",
                       f"preview:{tmp_path / 'p'}")
    assert code == 0, output
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "276.48" in text and "NAGBOR" in text
    assert list((tmp_path / "p").glob("*report-settlement*"))
    code, output = cli("report", "sales", *CORA, "--format", "json")
    assert json.loads(output)["facts"]["Net"] == 27648
    code, output = cli("report", "settlement", "--performance", "1", *SAM, "--format", "json")
    assert code == 1 and json.loads(output)["error"] == "permission_denied"
    code, output = cli("report", "nonsense", *CORA)
    assert code == 1 and "unknown_report" in output


def test_cards_import_matches_and_lists_discrepancies(cli: Cli, tmp_path: Path) -> None:
    code, output = cli("sell", *SAM, "--performance", "1", "--seats", "ORCH-A-101",
                       "--tender", "card:VISA:4242:AB12C", "--no-print", "--json")
    assert code == 0, output
    sold_at = datetime.fromisoformat(json.loads(output)["created_at"])
    local = sold_at.astimezone(ZoneInfo("America/New_York"))
    when = local.strftime("%Y-%m-%d %H:%M:%S")
    settlement = tmp_path / "settle.csv"
    settlement.write_text("Transaction Time,Amount,Card Last 4,Approval Code,Reference\n"
                          f"{when},138.24,4242,AB12C,R1\n{when},99.00,1111,ZZ9,R2\n")
    code, output = cli("cards", "import", str(settlement), *CORA, "--json")
    assert code == 0, output
    assert json.loads(output)["matched"] == 1 and json.loads(output)["unmatched_rows"] == 1
    code, output = cli("cards", "import", str(settlement), *CORA, "--json")
    assert code == 1 and json.loads(output)["error"] == "already_imported"
    code, output = cli("cards", "list", "--json")
    items = json.loads(output)
    assert [(d["side"], d["amount_cents"]) for d in items] == [("processor", 9900)]
    code, output = cli("cards", "resolve", str(items[0]["id"]), *CORA, "--resolution",
                       "another venue's charge, reported to the processor")
    assert code == 0 and "resolved" in output
    code, output = cli("cards", "list", "--json")
    assert json.loads(output) == []
