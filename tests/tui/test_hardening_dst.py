"""Issue 24: `performance add` refuses a start time the venue's clocks skip, and asks
which is meant for one they repeat; nothing is written."""

from __future__ import annotations

from pathlib import Path

from tests.support import postgres
from tests.support.constants import ZONE
from tests.support.dates import clock_change_time
from tests.support.hardening import checksum, run_cli


def test_performance_add_refuses_both(demo_path: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\n{postgres.database_key()} = "{demo_path}"\n')
    before = checksum(demo_path)
    for moment, code in ((clock_change_time(ZONE, forward=True), "nonexistent_time"),
                         (clock_change_time(ZONE, forward=False), "ambiguous_time")):
        run_cli(config, "performance", "add", "--event", "1", "--venue", "ALDRIDGE",
                "--starts", f"{moment:%Y-%m-%d %H:%M}", "--user", "cora",
                "--pin", "3333").refused(code)
    assert checksum(demo_path) == before
