"""A venue overview (stadium bowl): the drawing, with one hotspot per section and area
that the cursor moves between; Enter drills into the one under the cursor."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from core.seatmap import Drawing, Hotspot
from tui.widgets.navigation import DirectionalNavigator


class OverviewMap(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    OverviewMap {
        height: 1fr;
        background: $surface;
    }
    """

    BINDINGS = [
        Binding("up", "move(0, -1)", "Up", show=False, priority=True, id="overview.up"),
        Binding("down", "move(0, 1)", "Down", show=False, priority=True, id="overview.down"),
        Binding("left", "move(-1, 0)", "Left", show=False, priority=True, id="overview.left"),
        Binding("right", "move(1, 0)", "Right", show=False, priority=True,
                id="overview.right"),
        Binding("enter", "choose", "Open section", priority=True, id="overview.open"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)

    class HotspotHighlighted(Message):
        """The cursor came to rest on a section or area."""

        def __init__(self, overview: OverviewMap, hotspot: Hotspot) -> None:
            super().__init__()
            self.overview = overview
            self.hotspot = hotspot

        @property
        def control(self) -> OverviewMap:
            return self.overview

    class HotspotChosen(Message):
        """The seller pressed Enter on a section or area."""

        def __init__(self, overview: OverviewMap, hotspot: Hotspot) -> None:
            super().__init__()
            self.overview = overview
            self.hotspot = hotspot

        @property
        def control(self) -> OverviewMap:
            return self.overview

    def __init__(self, drawing: Drawing, colors: dict[str, str], *, id: str | None = None
                 ) -> None:
        super().__init__(id=id)
        self.drawing = drawing
        self.hotspots = sorted(drawing.hotspots, key=lambda h: (h.y, h.x))
        self.navigator = DirectionalNavigator(
            [(h.x + h.width // 2, h.y) for h in self.hotspots])
        self._styles = {code: Style(color=color, bold=True) for code, color in colors.items()}
        self.virtual_size = Size(drawing.width, drawing.height)
        self._previous = 0

    def set_colors(self, colors: dict[str, str]) -> None:
        """Paint the hotspots anew (the heat mode colours them by sell-through)."""
        self._styles = {code: Style(color=color, bold=True) for code, color in colors.items()}
        self.refresh()

    @property
    def hotspot(self) -> Hotspot | None:
        return self.hotspots[self.cursor] if self.hotspots else None

    def on_mount(self) -> None:
        if self.hotspots:
            self.cursor = 0

    def watch_cursor(self, cursor: int) -> None:
        if not self.hotspots:
            return
        self.refresh_line(self.hotspots[self._previous].y)
        hotspot = self.hotspots[cursor]
        self.refresh_line(hotspot.y)
        self._previous = cursor
        self.scroll_to_region(Region(hotspot.x, hotspot.y, hotspot.width, 1), animate=False,
                              force=True, immediate=True)
        self.post_message(self.HotspotHighlighted(self, hotspot))

    def action_move(self, dx: int, dy: int) -> None:
        if self.hotspots:
            self.cursor = self.navigator.move(self.cursor, dx, dy)

    def action_choose(self) -> None:
        if self.hotspots:
            self.post_message(self.HotspotChosen(self, self.hotspots[self.cursor]))

    def select(self, code: str) -> bool:
        for index, hotspot in enumerate(self.hotspots):
            if hotspot.code == code:
                self.cursor = index
                return True
        return False

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        line_y = y + scroll_y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if line_y >= self.drawing.height:
            return Strip.blank(width, base)
        text = self.drawing.lines[line_y].ljust(self.drawing.width)
        segments: list[Segment] = []
        position = 0
        for index, hotspot in enumerate(self.hotspots):
            if hotspot.y != line_y:
                continue
            segments.append(Segment(text[position:hotspot.x], base))
            style = base + self._styles.get(hotspot.code, Style(bold=True))
            if index == self.cursor:
                style += Style(reverse=True) if self.has_focus else Style(underline=True)
            segments.append(Segment(text[hotspot.x:hotspot.x + hotspot.width], style))
            position = hotspot.x + hotspot.width
        segments.append(Segment(text[position:], base))
        strip = Strip(segments, self.drawing.width)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
