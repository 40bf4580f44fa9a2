"""A line of short pieces (a key and its name, a legend's letter and its zone) wrapped
over as many rows as the width needs, a piece never split across two rows.

Rich wraps on any space, so "E Restricted View" came out as "E" at the end of one row
and "Restricted View" at the start of the next; and Textual's Footer does not wrap at
all: at 80 columns the map's last keys fell off the edge mid-word ("t Ty").
"""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

# between two pieces on a row
GAP = "  "


def wrap_pieces(pieces: list[Text], width: int) -> list[Text]:
    """The pieces in rows of at most `width` cells (a piece wider than that gets a row
    of its own, cut by the widget like any line)."""
    rows: list[Text] = []
    row = Text()
    for piece in pieces:
        if row.cell_len and row.cell_len + len(GAP) + piece.cell_len > width:
            rows.append(row)
            row = Text()
        if row.cell_len:
            row.append(GAP)
        row.append_text(piece)
    rows.append(row)
    return rows


class Pieces(Widget):
    """Pieces wrapped to the widget's width; `height: auto` grows it to fit."""

    DEFAULT_CSS = """
    Pieces { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._pieces: list[Text] = []

    def set_pieces(self, pieces: list[Text]) -> None:
        if [(p.plain, p.spans) for p in pieces] != [(p.plain, p.spans) for p in self._pieces]:
            self._pieces = pieces
            self.refresh(layout=True)

    @property
    def plain(self) -> str:
        """The pieces as plain text, one space between (for tests)."""
        return " ".join(piece.plain for piece in self._pieces)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(wrap_pieces(self._pieces, max(width, 1)))

    def render(self) -> Text:
        return Text("\n").join(wrap_pieces(self._pieces, max(self.content_size.width, 1)))
