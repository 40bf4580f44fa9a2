"""Issue 24, garbage that was accepted silently (exit 0): now each is refused, clearly,
with nothing written."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.support import postgres
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.hardening import checksum, run_cli


@pytest.fixture
def config(demo_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\n{postgres.database_key()} = "{demo_path}"\n')
    return path


def test_a_mistyped_db_path_does_not_create_a_database(config: Path, tmp_path: Path) -> None:
    typo = tmp_path / "demoo.db"
    for args in (("performance", "list"), ("journal", "verify"),
                 ("shift", "open", "--user", "sam", "--pin", "1111", "--float", "0"),
                 ("--training", "performance", "list")):
        if args[0] == "--training":
            outcome = run_cli(config, "--db", str(typo), *args)
        else:
            outcome = run_cli(config, *args[:2], "--db", str(typo), *args[2:]) \
                if args[0] != "performance" else run_cli(config, *args, "--db", str(typo))
        outcome.refused("no database at")
        assert not typo.exists()
        assert not (tmp_path / "demoo-training.db").exists()


def test_user_init_and_demo_still_create_their_database(config: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "new.db"
    outcome = run_cli(config, "user", "init", "ada", "--name", "Ada", "--new-pin", "4321",
                      "--db", str(fresh))
    assert outcome.code == 0, outcome.output
    assert fresh.exists()


@pytest.mark.parametrize("float_text", ["", "  ", ","])
def test_an_empty_float_is_refused(config: Path, demo_path: Path, float_text: str) -> None:
    before = checksum(demo_path)
    run_cli(config, "shift", "open", "--user", "gia", "--pin", "2222", "--float",
            float_text).refused("0 for an empty drawer")
    assert checksum(demo_path) == before


def test_a_float_of_0_is_an_empty_drawer_on_purpose() -> None:
    from tui.cli.shift import parse_counts

    assert parse_counts("0") == {} and parse_counts("2000x2, 500x4") == {2000: 2, 500: 4}


@pytest.mark.parametrize("station", ["", "   ", "x" * 10_000, "bell\x07", "4111 1111 1111 1111"])
def test_a_bad_station_is_refused_by_shift_open_and_sell(config: Path, demo_path: Path,
                                                         station: str) -> None:
    before = checksum(demo_path)
    run_cli(config, "shift", "open", "--user", "cora", "--pin", "3333", "--station",
            station, "--float", "2000x1").refused()
    run_cli(config, "sell", "--user", "sam", "--pin", "1111", "--performance", "1",
            "--seats", "ORCH-A-101", "--station", station, "--no-print",
            "--tender", "cash").refused()
    assert checksum(demo_path) == before


def test_doors_after_the_start_are_refused(config: Path, demo_path: Path) -> None:
    starts = (FIXED_NOW + timedelta(days=30)).astimezone(ZONE)
    doors = starts + timedelta(minutes=30)
    before = checksum(demo_path)
    run_cli(config, "performance", "add", "--event", "1", "--venue", "ALDRIDGE",
            "--starts", f"{starts:%Y-%m-%d %H:%M}", "--doors", f"{doors:%Y-%m-%d %H:%M}",
            "--user", "cora", "--pin", "3333").refused("doors_after_start")
    assert checksum(demo_path) == before


def test_a_hold_colour_that_is_not_a_colour_is_refused(config: Path, demo_path: Path) -> None:
    before = checksum(demo_path)
    run_cli(config, "hold", "add", "MEDIA", "--name", "Media", "--color", "plaid",
            "--user", "cora", "--pin", "3333").refused("bad_color", "magenta")
    assert checksum(demo_path) == before
    outcome = run_cli(config, "hold", "add", "MEDIA", "--name", "Media", "--color", "cyan",
                      "--user", "cora", "--pin", "3333")
    assert outcome.code == 0, outcome.output
