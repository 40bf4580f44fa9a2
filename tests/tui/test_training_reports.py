"""Reports printed from a training database say TRAINING at the top, from the window and
from the command line; the same reports from the real database do not. The mark is read
from the database itself, so it holds however the database was opened.

The window's X report stands for its Z and F3 prints (all go through
`BoxOfficeApp.print_report`); `report --print` and `shift x --print` for the command
line's Z close (all go through `tui.cli.report.print_rows`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from core.admin.training import prepare_training_database, training_path
from core.store.schema import open_database
from hardware.escpos_render import text_lines
from tests.support.app_helpers import make_app, sign_in
from tests.support.constants import FIXED_NOW

pytestmark = pytest.mark.sqlite_only   # a training copy is a SQLite file beside the real one

CORA = ("--user", "cora", "--pin", "3333")


def printed(directory: Path, label: str) -> list[str]:
    """The text lines of the one job the preview printer wrote with `label`."""
    jobs = sorted(directory.glob(f"*-{label}.bin"))
    assert len(jobs) == 1, jobs
    return text_lines(jobs[0].read_bytes())


async def x_report_printed_by_the_window(database: Path, tmp_path: Path) -> list[str]:
    """Sign in as sam (whose shift is open), F2, x: the X report on the preview printer."""
    db = open_database(database)
    shift_id = db.execute("SELECT s.id FROM shifts s JOIN users u ON u.id = s.user_id "
                          "WHERE u.username = 'sam' AND s.status = 'open'").fetchone()[0]
    app = make_app(db, tmp_path)      # training=False: the window reads the mark itself
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "sam", "1111")
            await pilot.press("f2")
            await pilot.pause()
            await pilot.press("x")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
    finally:
        db.close()
    return printed(tmp_path / "prints", f"x-{shift_id}")


async def test_the_windows_x_report_from_a_training_database_says_training(
        demo_path: Path, tmp_path: Path) -> None:
    trainee = prepare_training_database(demo_path, now=FIXED_NOW)
    lines = await x_report_printed_by_the_window(trainee, tmp_path / "training")
    assert lines[0] == "TRAINING"
    assert any(line.startswith("X report") for line in lines)


async def test_the_windows_x_report_from_the_real_database_does_not(
        demo_path: Path, tmp_path: Path) -> None:
    lines = await x_report_printed_by_the_window(demo_path, tmp_path / "real")
    assert lines[0].startswith("X report")
    assert not any("TRAINING" in line for line in lines)


def test_report_print_from_the_command_line(cli: Callable[..., tuple[int, str]],
                                            demo_path: Path, tmp_path: Path) -> None:
    args = ("report", "settlement", "--performance", "1", *CORA, "--print")
    code, output = cli(*args, "--printer", f"preview:{tmp_path / 'real'}")
    assert code == 0, output
    assert not any("TRAINING" in line
                   for line in printed(tmp_path / "real", "report-settlement"))
    code, output = cli("--training", *args, "--printer", f"preview:{tmp_path / 'training'}")
    assert code == 0, output
    assert printed(tmp_path / "training", "report-settlement")[0] == "TRAINING"
    # the training file opened by name, without --training: the mark says so all the same
    assert training_path(demo_path).exists()
    code, output = cli(*args, "--db", str(training_path(demo_path)),
                       "--printer", f"preview:{tmp_path / 'by-name'}")
    assert code == 0, output
    assert printed(tmp_path / "by-name", "report-settlement")[0] == "TRAINING"


def test_shift_x_print_from_the_command_line(cli: Callable[..., tuple[int, str]],
                                             tmp_path: Path) -> None:
    args = ("shift", "x", "--user", "sam", "--pin", "1111", "--print")
    code, output = cli(*args, "--printer", f"preview:{tmp_path / 'real'}")
    assert code == 0, output
    (real,) = (tmp_path / "real").glob("*-x-shift-*.bin")
    assert not any("TRAINING" in line for line in text_lines(real.read_bytes()))
    code, output = cli("--training", *args, "--printer", f"preview:{tmp_path / 'training'}")
    assert code == 0, output
    (trained,) = (tmp_path / "training").glob("*-x-shift-*.bin")
    assert text_lines(trained.read_bytes())[0] == "TRAINING"
