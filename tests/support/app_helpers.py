"""Driving the window app in tests: build it on a demo database, sign in, read screens."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static

from core.config import Config, PrinterConfig
from core.store.db import Database
from tests.support.constants import FIXED_NOW
from tui.app import BoxOfficeApp


class Clock:
    """A clock a test moves by hand (the idle lock and the cart countdown read it)."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def make_app(db: Database, tmp_path: Path | None = None, *,
             clock: Clock | None = None, config: Config | None = None,
             station: str = "window-1") -> BoxOfficeApp:
    """The window app on `db`; tickets print to a preview printer in tmp_path/prints."""
    if config is None:
        config = Config()
        if tmp_path is not None:   # a config "in" tmp_path: on PostgreSQL the files go there
            config = Config(source=tmp_path / "config.toml",
                            printer=PrinterConfig(backend="preview",
                                                  path=str(tmp_path / "prints")))
    return BoxOfficeApp(db, config, clock=clock or Clock(), station=station,
                        key_dir=(tmp_path / "keys") if tmp_path else None)


async def sign_in(pilot: Pilot[None], username: str = "sam", pin: str = "1111", *,
                  float_twenties: int | None = 10) -> None:
    """Sign in; when the window asks for a float, count `float_twenties` x 20.00 (None:
    put it off with Esc)."""
    from textual.widgets import Input

    from tui.screens.shift import OpenShiftModal

    await pilot.pause()
    await pilot.press(*username, "enter", *pin, "enter")
    await pilot.pause()
    screen = pilot.app.screen
    if isinstance(screen, OpenShiftModal):
        if float_twenties is None:
            await pilot.press("escape")
        else:
            for field in list(screen.query(Input).results(Input)):
                if field.id == "d2000":
                    await pilot.press("backspace", *str(float_twenties))
                await pilot.press("enter")
        await pilot.pause()


def text_of(app: BoxOfficeApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


def screen_text(app: App[Any]) -> str:
    """The screen as the seller reads it: the text of every row of the screenshot."""
    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = {}
    for found in re.finditer(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)'
                             r'</text>', svg):
        rows.setdefault(float(found.group(2)), []).append(
            (float(found.group(1)), html.unescape(found.group(3))))
    return "\n".join("".join(text for _, text in sorted(row)).replace("\xa0", " ")
                     for _, row in sorted(rows.items()))


async def settled_text(pilot: Pilot[None], tries: int = 20) -> str:
    """The screen once it stops changing: a table sizes its columns when the app is idle,
    which on a loaded machine can come a pause after the keys that filled it."""
    shown = screen_text(pilot.app)
    for _ in range(tries):
        await pilot.pause()
        again = screen_text(pilot.app)
        if again == shown:
            return again
        shown = again
    return shown


async def fill(pilot: Pilot[None], *values: str) -> None:
    """Type each value into the next field of a form (clearing what is there), Enter."""
    for value in values:
        await pilot.press("ctrl+u", *value, "enter")
        await pilot.pause()


async def pay_cash_in_full(pilot: Pilot[None]) -> None:
    """At the payment: cash for the whole amount, Enter, and the sale's done screen
    closed."""
    from tui.screens.payment import PaymentModal, SaleDone

    assert isinstance(pilot.app.screen, PaymentModal)
    await pilot.press("c", "enter")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SaleDone)
    await pilot.press("enter")
    await pilot.pause()


async def open_report(pilot: Pilot[None], name: str, covers: str = "") -> None:
    """F3, the report `name`, what it covers (p12, s3, a date, '' for all), Enter."""
    from textual.widgets import OptionList

    await pilot.press("f3")
    await pilot.pause()
    names = pilot.app.screen.query_one("#report-names", OptionList)
    names.highlighted = next(i for i in range(names.option_count)
                             if names.get_option_at_index(i).id == name)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("ctrl+u", *covers, "enter")
    await pilot.pause()

