"""The full-screen gate lane, driven with the Pilot: what gate staff would see and hear."""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from core.config import Config
from core.gate import checkin
from core.people.users import get_user
from core.store.schema import open_database
from core.venue import performances
from hardware.camera import FrameSource, ImageFolderSource
from tests.support.fixture_types import Cli, SnapCompare
from tui.gate_app import GateApp
from tui.screens.gate import VerdictBlock, big_letters


class Ticks:
    """A monotonic clock the test moves by hand (the 2 s debounce window)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sold(cli: Cli, tmp_path: Path) -> dict[str, Any]:
    """A stadium ticket sold at the window and printed on the preview printer."""
    prints = tmp_path / "prints"
    code, output = cli("sell", "--user", "sam", "--pin", "1111", "--performance", "3",
                       "--ga", "FIELD:1", "--tender", "cash", "--printer",
                       f"preview:{prints}", "--json")
    assert code == 0, output
    ticket = json.loads(output)["tickets"][0]
    ticket["picture"] = next(p for p in sorted(prints.glob("*.png")) if "ticket" in p.name)
    return ticket


def gate_app(demo_path: Path, source: FrameSource | None = None,
             ticks: Ticks | None = None) -> GateApp:
    db = open_database(demo_path)
    kick_off = performances.get_performance(db, 3).starts_at
    session = checkin.open_gate(db, get_user(db, "gia"), 3, "North")
    return GateApp(db, Config(), session, source=source,
                   clock=lambda: kick_off - timedelta(minutes=30),
                   monotonic=ticks or Ticks())


def verdict(app: GateApp) -> VerdictBlock:
    return app.screen.query_one("#verdict", VerdictBlock)


def counters(app: GateApp) -> str:
    return str(app.screen.query_one("#counters", Static).content)


async def scan(pilot: Pilot[None], code: str) -> None:
    """As a handheld scanner does: the code arrives in the input, then Enter (pressing
    122 keys one by one would make the test slow)."""
    pilot.app.screen.query_one("#code", Input).value = code
    await pilot.press("enter")
    await pilot.pause()


async def test_admit_then_already_in_with_a_bell_then_invalid(
    demo_path: Path, sold: dict[str, Any],
) -> None:
    ticks = Ticks()
    app = gate_app(demo_path, ticks=ticks)
    bells = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert verdict(app).word == "READY" and verdict(app).has_class("-idle")
        await scan(pilot, sold["code"])
        block = verdict(app)
        assert block.word == "ADMIT" and block.has_class("-go") and not bells
        assert block.detail
        table = app.screen.query_one("#scans", DataTable)
        assert table.row_count == 1
        assert app.screen.query_one("#code", Input).value == ""    # cleared for the next one

        ticks.now += 1.0      # the scanner fires twice: judged once
        await scan(pilot, sold["code"])
        assert table.row_count == 1 and verdict(app).word == "ADMIT"

        ticks.now += 2.5      # shown again after the window: already in, and a bell
        await scan(pilot, sold["code"])
        assert verdict(app).word == "ALREADY IN" and verdict(app).has_class("-stop")
        assert "North" in verdict(app).detail
        assert bells == [1] and table.row_count == 2

        await pilot.press(*"HELLO", "enter")      # typed by hand
        await pilot.pause()
        assert verdict(app).word == "INVALID" and len(bells) == 2

        for _ in range(40):      # the counters are read at most once a second
            if "Admitted here 1" in counters(app) and "INVALID 1" in counters(app):
                break
            await asyncio.sleep(0.05)
        assert "Admitted here 1" in counters(app)
        assert "Inside 1/1" in counters(app)
        assert "ALREADY IN 1" in counters(app) and "INVALID 1" in counters(app)
        # every refusal reason fits at 80 columns: the line wraps rather than cuts
        box = app.screen.query_one("#counters", Static)
        box.update(counters(app) + ", NOT YET 3, REFUNDED 2, WRONG EVENT 1, TOO LATE 1")
        await pilot.pause()
        assert box.size.height == 2


async def test_the_camera_worker_reads_a_printed_ticket(
    demo_path: Path, sold: dict[str, Any], tmp_path: Path,
) -> None:
    folder = tmp_path / "camera"
    folder.mkdir()
    shutil.copyfile(sold["picture"], folder / "frame-001.png")
    app = gate_app(demo_path, source=ImageFolderSource(folder))
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if verdict(app).word == "ADMIT":
                break
        assert verdict(app).word == "ADMIT"
        assert app.screen.query_one("#scans", DataTable).row_count == 1


async def test_f2_switches_to_exit_mode(demo_path: Path, sold: dict[str, Any]) -> None:
    app = gate_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await scan(pilot, sold["code"])
        await pilot.press("f2")
        await pilot.pause()
        assert app.session.mode == "exit" and "EXIT" in verdict(app).detail
        await scan(pilot, sold["code"])
        assert verdict(app).word == "EXIT OK" and verdict(app).has_class("-go")
        await pilot.press("escape")       # quits, even with the code input focused
        await pilot.pause()
        assert app.return_code == 0


def test_every_verdict_word_fits_80_columns() -> None:
    for word in (*checkin.WORDS.values(), "READY", "ERROR"):
        letters = big_letters(word, 78, 12)
        assert letters is not None and max(len(line) for line in letters) <= 78, word


def test_gate_admit_80x24(snap_compare: SnapCompare, demo_path: Path, sold: dict[str, Any]) -> None:
    app = gate_app(demo_path)

    async def admit(pilot: Pilot[None]) -> None:
        await scan(pilot, sold["code"])
        await pilot.pause(1.1)     # the counters are read at most once a second

    assert snap_compare(app, terminal_size=(80, 24), run_before=admit)


def run_gate_command(demo_path: Path, monkeypatch: pytest.MonkeyPatch,
                     *args: str) -> tuple[Result, list[GateApp]]:
    """`boxoffice gate ...` with the app's run() replaced: the app it would have run."""
    from click.testing import CliRunner

    from tui.cli.context import Context
    from tui.cli.gate import gate

    started: list[GateApp] = []
    monkeypatch.setattr(GateApp, "run", lambda self: started.append(self))
    result = CliRunner().invoke(gate, ["--db", str(demo_path), "--performance", "3",
                                       "--gate", "North", *args],
                                obj=Context(Config(), None))
    return result, started


def test_the_gate_command_opens_a_lane(
    demo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOXOFFICE_USER", "gia")
    monkeypatch.setenv("BOXOFFICE_PIN", "2222")
    result, started = run_gate_command(demo_path, monkeypatch, "--images", str(tmp_path),
                                       "--mode", "exit")
    assert result.exit_code == 0, result.output
    (app,) = started
    assert (app.session.gate, app.session.mode) == ("North", "exit")
    assert isinstance(app.source, ImageFolderSource)

    result, started = run_gate_command(demo_path, monkeypatch, "--images",
                                       str(tmp_path / "missing"))
    assert result.exit_code == 1 and "does not exist" in result.output and not started
    result, started = run_gate_command(demo_path, monkeypatch, "--images", str(tmp_path),
                                       "--video", "x.mp4")
    assert result.exit_code == 2 and not started
    # a seller has no gate_scan
    result, started = run_gate_command(demo_path, monkeypatch, "--user", "sam",
                                       "--pin", "1111")
    assert result.exit_code == 1 and not started


def test_the_gate_command_runs_offline_from_a_pack(
    demo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from core.gate import gatepack
    from core.people.users import get_user
    from core.store.schema import open_database
    from tests.support.constants import FIXED_NOW

    pack = tmp_path / "north.pack"
    db = open_database(demo_path)
    gatepack.export_pack(db, get_user(db, "cora"), 3, pack, now=FIXED_NOW)
    monkeypatch.setenv("BOXOFFICE_USER", "gia")
    monkeypatch.setenv("BOXOFFICE_PIN", "2222")
    result, started = run_gate_command(demo_path, monkeypatch, "--pack", str(pack))
    assert result.exit_code == 0, result.output
    (app,) = started
    # the lane's database is the pack, not the box office's
    assert app.db.location == str(pack)
    result, started = run_gate_command(demo_path, monkeypatch, "--pack", str(demo_path))
    assert result.exit_code == 1 and "not_a_pack" in result.output and not started
