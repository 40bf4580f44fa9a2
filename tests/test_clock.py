"""One clock: nothing in the product reads the wall clock except core.clock.now(), and the
tests' pinned clock is what the product sees."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from core import clock
from tests.support.constants import DATE_SENSITIVE, FIXED_NOW, REPO, SERIAL

THE_CLOCK = REPO / "core" / "clock.py"
# Everything that ships, i.e. every top-level package but the tests, benches and tools
# (a bench times real runs; a tool is run by hand).
NOT_SHIPPED = {"tests", "bench", "tools", ".venv", ".git"}

# (object, attribute) calls that read the wall clock. time.monotonic / perf_counter are
# timers, not the time of day, and stay allowed.
WALL_CLOCK_CALLS = {
    ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
    ("time", "time"), ("time", "time_ns"), ("time", "localtime"), ("time", "gmtime"),
    ("time", "ctime"), ("time", "asctime"), ("time", "strftime"),
}
WALL_CLOCK_SQL = ("current_timestamp", "current_date", "current_time", "'now'")


def shipped_sources() -> list[Path]:
    packages = [path for path in REPO.iterdir()
                if path.is_dir() and path.name not in NOT_SHIPPED
                and (path / "__init__.py").exists()]
    return sorted(source for package in packages for source in package.rglob("*.py"))


def wall_clock_reads(path: Path, root: Path = REPO) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else (
                owner.attr if isinstance(owner, ast.Attribute) else None)
            if (name, node.func.attr) in WALL_CLOCK_CALLS:
                found.append(f"{path.relative_to(root)}:{node.lineno} {name}.{node.func.attr}()")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.lower()
            if any(word in text for word in WALL_CLOCK_SQL) and (
                    "select" in text or "insert" in text or "update" in text
                    or "default" in text):
                found.append(f"{path.relative_to(root)}:{node.lineno} SQL reads the clock")
    return found


def test_the_scan_covers_the_layers() -> None:
    covered = {path.relative_to(REPO).parts[0] for path in shipped_sources()}
    assert {"core", "tui", "hardware"} <= covered


def test_only_core_clock_reads_the_wall_clock() -> None:
    offenders = [read for path in shipped_sources() if path != THE_CLOCK
                 for read in wall_clock_reads(path)]
    assert offenders == []


def test_the_scan_finds_a_wall_clock_read(tmp_path: Path) -> None:
    # the check itself must be able to fail
    sample = tmp_path / "sample.py"
    sample.write_text("import time\nfrom datetime import date, datetime\n"
                      "a = datetime.now()\nb = date.today()\nc = time.time()\n"
                      "d = 'INSERT INTO t VALUES (CURRENT_TIMESTAMP)'\n")
    sample_reads = [read.split(" ", 1)[1] for read in wall_clock_reads(sample, tmp_path)]
    assert sample_reads == ["datetime.now()", "date.today()", "time.time()",
                            "SQL reads the clock"]


def test_tests_see_the_pinned_instant() -> None:
    assert clock.now() == FIXED_NOW
    assert clock.now().tzinfo is not None


def test_the_clock_moves_only_when_a_test_moves_it(
        pinned_clock: time_machine.Traveller) -> None:
    pinned_clock.shift(timedelta(days=400))
    assert clock.now() == FIXED_NOW + timedelta(days=400)


@pytest.mark.no_pinned_clock
def test_unpinned_the_clock_is_the_real_time() -> None:
    before = datetime.now(UTC)
    assert before - timedelta(seconds=5) <= clock.now() <= before + timedelta(seconds=5)


def test_every_date_sensitive_module_exists() -> None:
    # a renamed module would silently drop out of the shifted-clock runs
    modules = {path.stem for path in (REPO / "tests").rglob("test_*.py")}
    assert DATE_SENSITIVE - modules == set()
    assert SERIAL - modules == set()
