"""What every screen of the window app can reach: the database, the config, the clock;
and, on a training database, a TRAINING mark that no screen can lose."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar, cast

from textual.screen import Screen
from textual.widgets import Static

if TYPE_CHECKING:
    from tui.app import BoxOfficeApp

ResultType = TypeVar("ResultType")


# how often a list that other windows change (performances, stock, orders, shifts)
# reads itself again while it is shown; it also does on each return to it
REFRESH_SECONDS = 30.0


class BoxOfficeScreen(Screen[ResultType], Generic[ResultType]):
    @property
    def box_office(self) -> BoxOfficeApp:
        return cast("BoxOfficeApp", self.app)

    def on_mount(self) -> None:
        # Textual runs every class's on_mount, so subclasses keep their own
        if self.box_office.training:
            self.mount(Static(" TRAINING ", id="training-mark"))
