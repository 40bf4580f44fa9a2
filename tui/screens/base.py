"""What every screen of the window app can reach: the database, the config, the clock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from tui.app import BoxOfficeApp

ResultType = TypeVar("ResultType")


class BoxOfficeScreen(Screen[ResultType], Generic[ResultType]):
    @property
    def box_office(self) -> BoxOfficeApp:
        return cast("BoxOfficeApp", self.app)
