"""The command line: seatmap check/show/import, demo, and config errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.support.constants import REPO
from tui.cli import main

HALL = str(REPO / "seatmaps" / "aldridge-hall.toml")
STADIUM = str(REPO / "seatmaps" / "harbor-stadium.toml")
BAD = str(REPO / "tests" / "fixtures" / "seatmaps" / "bad-hall.toml")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_check_accepts_the_shipped_venues() -> None:
    code, output = run("seatmap", "check", HALL, STADIUM)
    assert code == 0, output
    assert "1,256 seats" in output and "Harbor Stadium" in output


def test_check_rejects_a_broken_file_with_line_and_column_for_each_problem() -> None:
    code, output = run("seatmap", "check", HALL, BAD)
    assert code == 1
    lines = [line for line in output.splitlines() if line.startswith(BAD)]
    assert [line.split(": ")[0] for line in lines] == [
        f"{BAD}:16:3", f"{BAD}:17:6", f"{BAD}:20:1"]
    assert "ragged-row" in lines[0] and "'X'" in lines[1] and "no-capacity" in lines[2]
    assert "aldridge-hall.toml: OK" in output


def test_check_of_a_missing_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    code, output = run("seatmap", "check", str(tmp_path / "nope.toml"))
    assert code == 1
    assert "cannot read the file" in output


def test_show_prints_the_map_legend_and_counts() -> None:
    code, output = run("seatmap", "show", HALL, "--no-color")
    assert code == 0
    assert "S T A G E" in output and "Legend:" in output
    assert "wheelchair" in output and "obstructed view" in output
    total = next(line for line in output.splitlines() if line.startswith("total"))
    assert total.endswith("1,256")
    assert "\x1b[" not in output


def test_show_of_a_stadium_prints_the_overview_and_a_section_on_request() -> None:
    code, output = run("seatmap", "show", STADIUM, "--no-color")
    assert code == 0 and "FIELD" in output and "2,500" in output
    code, output = run("seatmap", "show", STADIUM, "--section", "101", "--no-color")
    assert code == 0 and "Harbor Stadium - " in output
    code, output = run("seatmap", "show", STADIUM, "--section", "999")
    assert code == 2 and "no section '999'" in output


def test_seatmap_import_loads_a_venue_into_the_database(tmp_path: Path) -> None:
    db = str(tmp_path / "box.db")
    code, output = run("--db", db, "user", "init", "ada", "--name", "Ada", "--new-pin", "4444")
    assert code == 0, output
    admin = ("--user", "ada", "--pin", "4444")
    code, output = run("--db", db, "seatmap", "import", HALL, *admin)
    assert code == 0 and "version 1" in output and "1256 seats added" in output
    code, output = run("--db", db, "seatmap", "import", HALL, *admin)
    assert code == 0 and "unchanged" in output
    code, output = run("--db", db, "seatmap", "import", BAD, *admin)
    assert code == 1 and f"{BAD}:16:3" in output
    code, output = run("--db", db, "seatmap", "import", HALL, "--user", "ada", "--pin", "0000")
    assert code == 1 and "login_failed" in output


def test_demo_no_tui_json_lists_users_pins_and_performances(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    code, output = run("demo", "--db", db, "--no-tui", "--json")
    assert code == 0, output
    data = json.loads(output)
    assert data["created"] is True
    assert {user["role"] for user in data["users"]} == {"seller", "gate", "coordinator",
                                                        "admin"}
    assert all(len(user["pin"]) >= 4 for user in data["users"])
    kinds = [show["venue_kind"] for show in data["performances"]]
    # the two opera nights, the dress rehearsal whose gate is open now, the match
    assert kinds.count("hall") == 3 and kinds.count("stadium") == 1
    code, output = run("demo", "--db", db, "--no-tui", "--json")
    assert json.loads(output)["created"] is False  # reused, not duplicated
    assert len(json.loads(output)["performances"]) == 4


def test_demo_no_tui_text(tmp_path: Path) -> None:
    code, output = run("demo", "--db", str(tmp_path / "demo.db"), "--no-tui")
    assert code == 0 and "PIN 1111" in output and "Harbor Stadium" in output


def test_a_config_typo_stops_with_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("[venue]\ntimezon = 'UTC'\n")
    code, output = run("--config", str(bad), "demo", "--no-tui", "--db",
                       str(tmp_path / "d.db"))
    assert code == 2
    assert str(bad) in output and "timezon" in output
    assert not (tmp_path / "d.db").exists()


def test_keys_lists_binding_ids() -> None:
    code, output = run("keys")
    assert code == 0 and "sell.goto_row" in output


PRETIX = REPO / "tests" / "fixtures" / "pretix"


def test_import_pretix_writes_a_venue_file_that_checks(tmp_path: Path) -> None:
    out = tmp_path / "venue.toml"
    code, output = run("seatmap", "import-pretix", str(PRETIX / "kleines-haus.json"),
                       "-o", str(out))
    assert code == 0, output
    assert "100 seats from 100 pretix seats" in output
    code, output = run("seatmap", "check", str(out))
    assert code == 0, output
    code, output = run("seatmap", "import-pretix", str(PRETIX / "kleines-haus.json"),
                       "-o", str(out))
    assert code == 2 and "--force" in output


def test_import_pretix_of_a_malformed_plan_names_the_place_and_writes_nothing(
        tmp_path: Path) -> None:
    out = tmp_path / "venue.toml"
    code, output = run("seatmap", "import-pretix",
                       str(PRETIX / "malformed-no-position.json"), "-o", str(out))
    assert code == 1
    assert "zones[1].rows[2].seats[0]: no position" in output
    assert not out.exists()


def test_a_demo_database_made_afresh_gets_a_fresh_signing_key(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    assert run("demo", "--db", db, "--no-tui")[0] == 0
    for suffix in ("", "-wal", "-shm"):
        Path(db + suffix).unlink(missing_ok=True)
    code, output = run("demo", "--db", db, "--no-tui")   # the old key folder is still there
    assert code == 0, output
    assert len(list((tmp_path / "demo-keys").iterdir())) == 2
