"""Names for the types of fixtures that hand a test a function to call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from pathlib import PurePath
from typing import Any, Protocol

from textual.app import App
from textual.pilot import Pilot


class Cli(Protocol):
    """Runs `boxoffice` with these arguments; the exit code and what it printed."""

    def __call__(self, *args: str) -> tuple[int, str]: ...


class SnapCompare(Protocol):
    """pytest-textual-snapshot's `snap_compare`: True when the app's screen matches the
    stored snapshot (the plugin declares it as taking only a path)."""

    def __call__(
        self,
        app: str | PurePath | App[Any],
        press: Iterable[str] = (),
        terminal_size: tuple[int, int] = (80, 24),
        run_before: Callable[[Pilot[Any]], Awaitable[None] | None] | None = None,
    ) -> bool: ...
