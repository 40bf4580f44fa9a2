"""The gate app: one full-screen gate lane (`boxoffice gate`). Like the window app it
receives its database, config, gate session, frame source and clocks in its constructor,
so tests and demos hand in their own."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from textual.app import App
from textual.binding import Binding

from core import clock
from core.config import Config
from core.gate.checkin import GateSession
from core.store.db import Database
from hardware.camera import FrameSource
from tui.lane import LaneClient
from tui.screens.gate import GateScreen


class GateApp(App[None]):
    TITLE = "Gate"
    ENABLE_COMMAND_PALETTE = False     # gate staff scan; there is nothing to search
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="gate_app.quit", show=False),
    ]

    def __init__(self, db: Database, config: Config, session: GateSession, *,
                 source: FrameSource | None = None, lane: LaneClient | None = None,
                 clock: Callable[[], datetime] = clock.now,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        """`source`: camera frames to decode in a worker (None: a handheld scanner or
        typing only). `lane`: an online lane (tui/lane.py) whose pack is `db` and whose
        session is `session`. `clock` stamps the scans; `monotonic` times the debounce."""
        super().__init__()
        if self.console.color_system == "standard":    # see BoxOfficeApp
            self.ansi_color = True
        self.db = db
        self.config = config
        self.session = session
        self.source = source
        self.lane = lane
        self.clock = clock
        self.monotonic = monotonic

    def on_mount(self) -> None:
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        self.push_screen(GateScreen())
