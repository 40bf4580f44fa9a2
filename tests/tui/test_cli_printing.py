"""Printing from the command line: tickets and receipt on the preview printer, a printer
that fails mid-sale (the order stays committed, unprinted), and printing it afterwards."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import zxingcpp
from click.testing import CliRunner
from PIL import Image

from core.gate import codes, keys
from core.store.schema import open_database
from tests.support import postgres
from tests.support.fixture_types import Cli
from tui.cli import main


def decode(png: Path) -> list[str]:
    image = np.array(Image.open(png).convert("L"))
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]  # type: ignore[arg-type]


def test_a_sale_prints_tickets_that_scan_and_a_receipt(cli: Cli, demo_path: Path,
                                                       tmp_path: Path) -> None:
    prints = tmp_path / "prints"
    code, output = cli("sell", "--user", "sam", "--pin", "1111", "--performance", "1",
                       "--seats", "ORCH-A-101,ORCH-A-102", "--tender", "cash:300",
                       "--printer", f"preview:{prints}", "--json")
    assert code == 0, output
    order = json.loads(output)
    assert all(t["printed"] for t in order["tickets"])
    pictures = sorted(prints.glob("*.png"))
    assert len(pictures) >= 3   # two tickets and the receipt (and the drawer kick)
    db = open_database(demo_path)
    scanned = [decode(p) for p in pictures[:2]]
    for (payload,), ticket in zip(scanned, order["tickets"], strict=True):
        verdict = codes.verify_token(payload, keys.public_keys(db), keys.revoked_set(db))
        assert verdict.ok and verdict.ticket_id == ticket["id"]


def test_a_printer_failure_leaves_the_order_committed_and_printable_later(
        cli: Cli, tmp_path: Path) -> None:
    code, output = cli("sell", "--user", "sam", "--pin", "1111", "--performance", "1",
                       "--seats", "ORCH-B-101", "--tender", "cash", "--printer",
                       f"file:{tmp_path}/no-such-dir/lp0", "--json")
    assert code == 3
    assert "[unplugged]" in output and "is committed" in output
    order = json.loads(output[: output.rindex("}") + 1])
    assert order["status"] == "complete"
    assert [t["printed"] for t in order["tickets"]] == [False]
    prints = tmp_path / "later"
    code, output = cli("order", "print", order["number"], "--user", "sam", "--pin", "1111",
                       "--printer", f"preview:{prints}", "--json")
    assert code == 0, output
    assert [t["printed"] for t in json.loads(output)["tickets"]] == [True]
    assert len(decode(sorted(prints.glob("*.png"))[0])) == 1


def test_print_test_on_the_preview_printer(cli: Cli, tmp_path: Path) -> None:
    code, output = cli("print-test", "--printer", f"preview:{tmp_path / 'p'}")
    assert code == 0, output
    assert len(decode(sorted((tmp_path / "p").glob("*.png"))[0])) == 1
    code, output = cli("print-test", "--printer", "laser:1")
    assert code == 3 and "bad_printer_spec" in output


def test_drawer_open_needs_the_permission_and_kicks_the_drawer(cli: Cli, tmp_path: Path,
                                                               demo_path: Path) -> None:
    lp = tmp_path / "lp0"
    code, output = cli("drawer", "open", "--user", "sam", "--pin", "1111", "--reason",
                       "change", "--printer", f"file:{lp}")
    assert code == 1 and "[permission_denied]" in output and not lp.exists()
    code, output = cli("drawer", "open", "--user", "cora", "--pin", "3333", "--reason",
                       "change", "--printer", f"file:{lp}")
    assert code == 0, output
    assert lp.read_bytes().startswith(b"\x1bp")   # ESC p: the drawer kick pulse
    db = open_database(demo_path)
    assert db.execute("SELECT count(*) FROM journal WHERE action = 'drawer.no_sale'"
                      ).fetchone()[0] == 1


def test_a_configured_logo_prints_and_a_missing_one_is_a_clear_failure(
        demo_path: Path, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("L", (200, 60), 0).save(logo)
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\n{postgres.database_key()} = "{demo_path}"\n'
                      '[printer]\nlogo = "logo.png"\n'
                      f'path = "out"\n')
    run = lambda *a: CliRunner().invoke(main, ["--config", str(config), *a])  # noqa: E731
    result = run("sell", "--user", "sam", "--pin", "1111", "--performance", "1", "--seats",
                 "ORCH-C-101", "--tender", "cash")
    assert result.exit_code == 0, result.output
    first = sorted((tmp_path / "out").glob("*.png"))[0]
    assert len(decode(first)) == 1                      # the QR still scans under the logo
    logo.unlink()
    result = run("sell", "--user", "sam", "--pin", "1111", "--performance", "1", "--seats",
                 "ORCH-C-102", "--tender", "cash")
    assert result.exit_code == 3 and "bad_logo" in result.output and "committed" in result.output
