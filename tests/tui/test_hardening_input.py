"""Issue 24, bad input: every case answers with a clear message and an exit status,
never a traceback, and leaves the database as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.seatmap import parser
from tests.support import postgres
from tests.support.hardening import checksum, run_cli
from tests.support.seatmap_samples import HEAD

HUGE = "9" * 23


@pytest.fixture
def config(demo_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\n{postgres.database_key()} = "{demo_path}"\n')
    return path


def _hall(rows: str, extra: str = "") -> str:
    return HEAD + f'[[section]]\ncode = "S"\nname = "Stalls"\n{extra}rows = """\n{rows}"""\n'


def test_seatmap_import_of_a_non_utf8_file_is_refused(config: Path, demo_path: Path,
                                                      tmp_path: Path) -> None:
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(_hall("A: AAAA\n").replace("Test Hall", "Th\xe9\xe2tre").encode("latin-1"))
    before = checksum(demo_path)
    run_cli(config, "seatmap", "check", str(bad)).refused("not UTF-8")
    run_cli(config, "seatmap", "import", str(bad), "--user", "cora",
            "--pin", "3333").refused("not UTF-8")
    assert checksum(demo_path) == before


def test_seatmap_limits_refuse_a_runaway_file_quickly(config: Path, demo_path: Path,
                                                      tmp_path: Path) -> None:
    too_many = tmp_path / "huge-section.toml"
    rows = "".join(f"R{n}: {'A' * 250}\n" for n in range(100))    # 25,000 seats
    too_many.write_text(_hall(rows))
    too_big = tmp_path / "too-big.toml"
    too_big.write_text(_hall("A: AAAA\n") + "#" * (parser.MAX_FILE_BYTES + 1) + "\n")
    before = checksum(demo_path)
    for path, words in ((too_many, ("too-many-seats", "at most 20,000")),
                        (too_big, ("too-large",))):
        run_cli(config, "seatmap", "check", str(path)).refused(*words)
        run_cli(config, "seatmap", "import", str(path), "--user", "cora",
                "--pin", "3333").refused(*words)
    assert checksum(demo_path) == before


def test_seatmap_first_beyond_range_fails_check_and_import(config: Path, demo_path: Path,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "first.toml"
    path.write_text(_hall("A: AAAA\n", extra=f"first = {HUGE[:20]}\n"))
    before = checksum(demo_path)
    run_cli(config, "seatmap", "check", str(path)).refused("'first' must be an integer")
    run_cli(config, "seatmap", "import", str(path), "--user", "cora",
            "--pin", "3333").refused("'first' must be an integer")
    assert checksum(demo_path) == before


@pytest.mark.parametrize("args", [
    ("sell", "--user", "sam", "--pin", "1111", "--performance", HUGE, "--seats",
     "ORCH-A-101", "--tender", "cash"),
    ("sell", "--user", "sam", "--pin", "1111", "--performance", "1", "--seats",
     f"ORCH-A-{HUGE}", "--tender", "cash"),
    ("sell", "--user", "sam", "--pin", "1111", "--performance", "3", "--ga",
     f"FIELD:{HUGE}", "--tender", "cash"),
    ("sell", "--user", "sam", "--pin", "1111", "--performance", "1", "--best", HUGE,
     "--tender", "cash"),
    ("sell", "--user", "sam", "--pin", "1111", "--item", f"WATER:{HUGE}", "--tender", "cash"),
    ("scan", "--performance", HUGE, "--gate", "North", "--user", "gia", "--pin", "2222",
     "ABC"),
    ("shift", "x", "--shift", HUGE, "--user", "cora", "--pin", "3333"),
    ("shift", "open", "--user", "gia", "--pin", "2222", "--float", f"2000x{HUGE}"),
    ("shift", "open", "--user", "gia", "--pin", "2222", "--float", f"{HUGE}x1"),
    ("report", "sales", "--performance", HUGE, "--user", "cora", "--pin", "3333"),
    ("item", "receive", "WATER", HUGE, "--cost", "1", "--user", "cora", "--pin", "3333"),
])
def test_a_huge_number_is_refused_not_an_overflow(config: Path, demo_path: Path,
                                                  args: tuple[str, ...]) -> None:
    before = checksum(demo_path)
    run_cli(config, *args).refused()
    assert checksum(demo_path) == before


def test_sell_to_a_missing_customer_is_refused_before_any_write(config: Path,
                                                                demo_path: Path) -> None:
    before = checksum(demo_path)
    run_cli(config, "sell", "--user", "sam", "--pin", "1111", "--performance", "1",
            "--seats", "ORCH-A-101", "--customer", "99999",
            "--tender", "cash").refused("no customer 99999")
    assert checksum(demo_path) == before   # no cart, no lock left on ORCH-A-101


@pytest.mark.parametrize("target", ["missing/dir/out.csv", "afile/out.csv"])
def test_report_output_into_a_bad_path_is_refused(config: Path, tmp_path: Path,
                                                  target: str) -> None:
    (tmp_path / "afile").write_text("a file, not a folder")
    for fmt in ("csv", "pdf"):
        run_cli(config, "report", "sales", "--user", "cora", "--pin", "3333", "--format",
                fmt, "-o", str(tmp_path / target)).refused("cannot write")


def test_an_unknown_keymap_binding_is_refused_at_config_load(demo_path: Path,
                                                             tmp_path: Path) -> None:
    config = tmp_path / "keys.toml"
    config.write_text(f'[database]\n{postgres.database_key()} = "{demo_path}"\n'
                      '[keymap]\nno_such_binding = "f9"\n')
    run_cli(config, "performance", "list").refused("no_such_binding", "boxoffice keys")
