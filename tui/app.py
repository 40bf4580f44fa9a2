"""The window app. It receives its database, config and clock in its constructor, so
tests and the demo hand in their own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlite_utils
from textual import work
from textual.app import App
from textual.binding import Binding

from core import venues
from core.config import Config
from tui.screens.performances import PerformancesScreen


def utc_now() -> datetime:
    return datetime.now(UTC)


class BoxOfficeApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "Box office"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, db: sqlite_utils.Database, config: Config, *,
                 clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__()
        # On a 16-colour terminal, draw ANSI colour names (the price zones) with the
        # terminal's own palette: Textual would otherwise map them through its theme and
        # back down, and a "yellow" zone came out bright red.
        if self.console.color_system == "standard":
            self.ansi_color = True
        self.db = db
        self.config = config
        self.clock = clock

    def on_mount(self) -> None:
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        self.push_screen(PerformancesScreen())
        # parse the venues' maps while the seller reads the list, so the first map
        # opens at once (the stadium's 37,000 seats take a tenth of a second)
        self._warm_seatmaps(venues.current_sources(self.db))

    @work(thread=True, exclusive=True, group="warm-seatmaps")
    def _warm_seatmaps(self, sources: list[tuple[str, str, str]]) -> None:
        venues.warm_cache(sources)
