"""The administration command line: users, roles, events and performances, prices,
holds, backup and restore, and --training."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from hardware.escpos_render import text_lines
from tests.support.constants import REPO, ZONE
from tests.support.dates import day_at, typed
from tests.support.fixture_types import Cli
from tui.cli import main

ADA = ("--user", "ada", "--pin", "4444")


def test_users_and_roles(cli: Cli) -> None:
    code, output = cli("user", "add", "xena", "--name", "Xena", "--role", "seller",
                       "--new-pin", "5678", *ADA)
    assert code == 0, output
    code, output = cli("user", "add", "yuri", "--name", "Yuri", "--role", "seller",
                       "--new-pin", "5678", "--user", "cora", "--pin", "3333")
    assert code == 1 and "permission_denied" in output
    for args in (("role", "xena", "gate"), ("reset-pin", "xena", "--new-pin", "9999"),
                 ("unlock", "xena"), ("deactivate", "xena")):
        code, output = cli("user", *args, *ADA)
        assert code == 0, output
    code, output = cli("user", "list", "--all", *ADA)
    assert "xena" in output and "gate" in output and "inactive" in output
    code, output = cli("user", "deactivate", "ada", *ADA, "--json")
    assert code == 1 and '"error": "last_user_admin"' in output

    code, output = cli("role", "grant", "seller", "refund", *ADA)
    assert code == 0 and "refund granted to seller" in output
    code, output = cli("role", "list", "--user", "sam", "--pin", "1111")
    refund = next(line for line in output.splitlines() if line.startswith("refund"))
    assert refund.split()[1:] == ["yes", "-", "yes", "yes"]
    code, output = cli("role", "revoke", "seller", "teleport", *ADA)
    assert code == 1 and "unknown_permission" in output


def test_events_performances_prices_and_holds(cli: Cli) -> None:
    code, output = cli("event", "add", "Tosca", "--producer", "Harbor City Opera", *ADA)
    assert code == 0 and "event #3" in output
    code, output = cli("performance", "add", "--event", "3", "--venue", "ALDRIDGE",
                       "--starts", typed(day_at(41, "19:30", ZONE)),
                       "--doors", typed(day_at(41, "18:45", ZONE)), *ADA)
    assert code == 0, output
    code, output = cli("performance", "copy", "1", "--starts", typed(day_at(43, "19:30", ZONE)),
                       *ADA)
    assert code == 0 and "copied from #1" in output
    code, output = cli("performance", "on-sale", "1", "--from", typed(day_at(11, "10:00", ZONE)),
                       *ADA)
    assert code == 0, output
    code, output = cli("performance", "cancel", "2", "--reason", "storm", *ADA)
    assert code == 0 and "0 live tickets" in output
    code, output = cli("performance", "list")
    assert "cancelled" in output and "Tosca" in output
    code, output = cli("event", "list")
    assert "Tosca" in output
    code, output = cli("sell", "--user", "sam", "--pin", "1111", "--performance", "1",
                       "--best", "2", "--tender", "cash:400", "--no-print")
    assert code == 1 and "not_on_sale_yet" in output

    code, output = cli("price", "set", "5", "A", "ADULT", "130.00", "--fee", "4.00",
                       "--tax-basis-points", "0", *ADA)
    assert code == 0 and "134.00" in output
    code, output = cli("price", "grid", "--performance", "5")
    row_a = next(line for line in output.splitlines() if line.startswith("A "))
    assert row_a.split()[1] == "130.00"
    code, output = cli("hold", "add", "VIP", "--name", "Sponsors", *ADA)
    assert code == 0, output
    assert "VIP" in cli("hold", "list")[1]
    code, output = cli("hold", "delete", "VIP", "--user", "sam", "--pin", "1111")
    assert code == 1 and "permission_denied" in output
    assert cli("hold", "delete", "VIP", *ADA)[0] == 0


def test_seatmap_import_needs_event_setup(cli: Cli) -> None:
    hall = str(REPO / "seatmaps" / "aldridge-hall.toml")
    code, output = cli("seatmap", "import", hall, "--user", "sam", "--pin", "1111")
    assert code == 1 and "permission_denied" in output
    code, output = cli("seatmap", "import", hall, *ADA)
    assert code == 0 and "unchanged" in output


@pytest.mark.sqlite_only   # backups, restores and training copies are SQLite files
def test_backup_and_restore(cli: Cli, demo_path: Path, tmp_path: Path) -> None:
    code, output = cli("backup")
    assert code == 2 and "--user" in output          # a sign-in is needed
    code, output = cli("backup", *ADA)
    assert code == 0 and "integrity_check ok" in output, output
    made = list((demo_path.parent / "demo-backups").glob("demo-*-manual.db"))
    assert len(made) == 1
    code, output = cli("backup", str(tmp_path / "mine.db"), *ADA)
    assert code == 0 and (tmp_path / "mine.db").exists()
    config = tmp_path / "config.toml"
    answer_no = CliRunner().invoke(main, ["--config", str(config), "restore",
                                          str(tmp_path / "mine.db"), *ADA], input="n\n")
    assert answer_no.exit_code == 1 and "Replace" in answer_no.output
    code, output = cli("restore", str(tmp_path / "mine.db"), "--yes", *ADA)
    assert code == 0 and "kept as" in output, output
    assert list(demo_path.parent.glob("demo-*-replaced.db"))
    code, output = cli("restore", str(config), "--yes", *ADA)
    assert code == 1 and "not_a_database" in output


@pytest.mark.sqlite_only   # backups, restores and training copies are SQLite files
def test_training_mode_sells_on_its_own_copy_and_prints_training(cli: Cli, demo_path: Path,
                                                                tmp_path: Path) -> None:
    code, output = cli("--training", "sell", "--user", "sam", "--pin", "1111",
                       "--performance", "1", "--best", "2", "--tender", "cash:400")
    assert code == 0, output
    training = demo_path.with_name("demo-training.db")
    assert training.exists()
    count = "SELECT count(*) FROM orders"
    assert sqlite3.connect(training).execute(count).fetchone()[0] == 1
    assert sqlite3.connect(demo_path).execute(count).fetchone()[0] == 0
    printed = sorted(p for p in (tmp_path / "prints").glob("*.bin") if "drawer" not in p.name)
    assert len(printed) == 3             # two tickets and the receipt
    for job in printed:
        assert "TRAINING - NOT VALID" in text_lines(job.read_bytes())
    assert (demo_path.parent / "demo-training-keys").is_dir()
    code, output = cli("--training", "order", "show", "X", "--db", str(demo_path))
    assert code == 2 and "before it" in output


@pytest.mark.sqlite_only   # backups, restores and training copies are SQLite files
def test_the_window_app_opens_the_training_copy_marked(
    cli: Cli, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tui.app

    opened: list[tuple[str, bool, str]] = []

    def run(app: tui.app.BoxOfficeApp) -> None:   # record what the app was given, no UI
        opened.append((app.database_path().name, app.training, app.config.tickets.key_dir))

    monkeypatch.setattr(tui.app.BoxOfficeApp, "run", run)
    assert cli("--training")[0] == 0
    assert cli()[0] == 0
    assert opened == [("demo-training.db", True, ""), ("demo.db", False, "")]
