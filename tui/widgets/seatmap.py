"""The seat map: ONE line-API widget draws a whole hall or stadium section, and what is
sold, held, killed or in a cart on it.

One widget per seat took 2.5-3.8 s to mount 2,000 seats here; this draws each line as a
cached Strip and repaints only the lines the cursor leaves and enters.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from core.seatmap import Drawing, Seat, Zone
from tui.widgets.navigation import RowNavigator

# Taken seats are told apart by their character, not only by colour: 16-colour terminals
# and colour-blind sellers both need that.
_TAKEN_GLYPHS = {"sold": "x", "cart": "+", "killed": "-"}
_TAKEN = Style(color="bright_black", bold=False, dim=True)
_HELD = Style(color="magenta", bold=True)
_MINE = Style(color="black", bgcolor="green", bold=True)
# the heat mode (sell-through at a glance): each seat in the colour of its state, with a
# glyph that differs in shape too (16 colours, or none, still read)
_HEAT = {
    "open": ("", Style(color="green", bold=True)),
    "sold": ("x", Style(color="red", bold=True)),
    "comp": ("c", Style(color="magenta", bold=True)),
    "held": ("h", Style(color="yellow", bold=True)),
    "cart": ("+", Style(color="cyan", bold=True)),
    "mine": ("", Style(color="black", bgcolor="green", bold=True)),
    "killed": ("-", Style(color="bright_black", dim=True)),
}


class SeatMap(ScrollView, can_focus=True):
    """Draws a Drawing's seats coloured by price zone, with a keyboard cursor."""

    DEFAULT_CSS = """
    SeatMap {
        height: 1fr;
        background: $surface;
    }
    """

    # A scrolling widget takes the arrow keys itself: the map's own need priority.
    BINDINGS = [
        Binding("up", "move(0, -1)", "Up", show=False, priority=True, id="seatmap.up"),
        Binding("down", "move(0, 1)", "Down", show=False, priority=True, id="seatmap.down"),
        Binding("left", "move(-1, 0)", "Left", show=False, priority=True, id="seatmap.left"),
        Binding("right", "move(1, 0)", "Right", show=False, priority=True,
                id="seatmap.right"),
        Binding("pageup", "page(-1)", "Page up", show=False, priority=True,
                id="seatmap.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, priority=True,
                id="seatmap.page_down"),
        Binding("home", "line_end(0)", "Row start", show=False, priority=True,
                id="seatmap.row_start"),
        Binding("end", "line_end(1)", "Row end", show=False, priority=True,
                id="seatmap.row_end"),
    ]

    # repaint=False: watch_cursor repaints only the two lines the cursor leaves and enters
    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)

    class CursorMoved(Message):
        """The cursor came to rest on a seat."""

        def __init__(self, seat_map: SeatMap, seat: Seat) -> None:
            super().__init__()
            self.seat_map = seat_map
            self.seat = seat

        @property
        def control(self) -> SeatMap:
            return self.seat_map

    def __init__(self, drawing: Drawing, zones: dict[str, Zone], *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.drawing = drawing
        self.zones = zones
        self.navigator = RowNavigator([(seat.x, seat.y) for seat in drawing.seats])
        self._seats_on_line: dict[int, list[int]] = {}
        for index, seat in enumerate(drawing.seats):
            self._seats_on_line.setdefault(seat.y, []).append(index)
        self._zone_styles = {code: Style(color=zone.color, bold=True)
                             for code, zone in zones.items()}
        self._cursor_style = Style(reverse=True, bold=True)
        self._cache: dict[int, Strip] = {}
        # seats that are not available: key -> (state, hold code); see core.seat_plan
        self.states: dict[tuple[str, str, int], tuple[str, str | None]] = {}
        # sell-through at a glance: states by colour instead of zones (v on the map)
        self.heat = False
        self._hold_styles: dict[str, Style] = {}
        self._line_of = {seat.key: seat.y for seat in drawing.seats}
        self.virtual_size = Size(drawing.width, drawing.height)
        self._previous = 0

    @property
    def seat(self) -> Seat | None:
        return self.drawing.seats[self.cursor] if self.drawing.seats else None

    def on_mount(self) -> None:
        if self.drawing.seats:
            # after the first layout, so scrolling to the cursor knows the widget's size
            self.call_after_refresh(self._start)

    def _start(self) -> None:
        self.cursor = self._best_seat_index()

    def _best_seat_index(self) -> int:
        """The best seat (lowest rank: front and centre) of the biggest section."""
        sizes: dict[str, int] = {}
        for seat in self.drawing.seats:
            sizes[seat.section] = sizes.get(seat.section, 0) + 1
        biggest = max(sizes, key=sizes.__getitem__)
        return min((i for i, seat in enumerate(self.drawing.seats) if seat.section == biggest),
                   key=lambda i: self.drawing.seats[i].rank)

    # -- cursor ----------------------------------------------------------------------

    def watch_cursor(self, cursor: int) -> None:
        if not self.drawing.seats:
            return
        old = self.drawing.seats[self._previous]
        new = self.drawing.seats[cursor]
        self._cache.pop(old.y, None)
        self._cache.pop(new.y, None)
        self.refresh_line(old.y)
        self.refresh_line(new.y)
        self._previous = cursor
        # keep some of the map around the cursor in view: its row label, the row above
        self.scroll_to_region(Region(new.x, new.y, 1, 1), spacing=Spacing(2, 6, 1, 6),
                              animate=False, force=True, immediate=True)
        self.post_message(self.CursorMoved(self, new))

    def action_move(self, dx: int, dy: int) -> None:
        if not self.drawing.seats:
            return
        if dx:
            self.cursor = self.navigator.horizontal(self.cursor, dx)
        else:
            self.cursor = self.navigator.vertical(self.cursor, dy)

    def action_page(self, direction: int) -> None:
        if not self.drawing.seats:
            return
        seat = self.drawing.seats[self.cursor]
        step = max(1, self.scrollable_content_region.height - 2)
        self.cursor = self.navigator.at_or_below(max(0, seat.y + direction * step), seat.x) \
            if direction > 0 else self._at_or_above(max(0, seat.y - step), seat.x)

    def _at_or_above(self, y: int, x: int) -> int:
        ys = [line for line in self.navigator.ys if line <= y] or self.navigator.ys[:1]
        return self.navigator.nearest_on_line(ys[-1], x)

    def action_line_end(self, last: int) -> None:
        if self.drawing.seats:
            self.cursor = self.navigator.line_end(self.cursor, bool(last))

    def jump_to_row(self, label: str) -> bool:
        """Put the cursor on the middle seat of the row with this label (nearest the
        cursor's section first). Returns False when there is no such row."""
        wanted = label.strip().upper()
        current = self.seat
        matches = [i for i, s in enumerate(self.drawing.seats) if s.row.upper() == wanted]
        if not matches:
            return False
        if current is not None:
            same = [i for i in matches if self.drawing.seats[i].section == current.section]
            matches = same or matches
        section = self.drawing.seats[matches[0]].section
        row = [i for i in matches if self.drawing.seats[i].section == section]
        self.cursor = row[len(row) // 2]
        return True

    def select_seat(self, section: str, row: str, number: int) -> bool:
        for index, seat in enumerate(self.drawing.seats):
            if seat.key == (section, row, number):
                self.cursor = index
                return True
        return False

    # -- seat states -----------------------------------------------------------------

    def set_states(self, states: dict[tuple[str, str, int], tuple[str, str | None]],
                   hold_colors: dict[str, str] | None = None) -> None:
        """Show these seats as taken (see core.seat_plan); repaint only changed lines."""
        if hold_colors is not None:
            self._hold_styles = {code: Style(color=color, bold=True)
                                 for code, color in hold_colors.items()}
        changed = {key for key in states.keys() | self.states.keys()
                   if states.get(key) != self.states.get(key)}
        self.states = dict(states)
        for y in {self._line_of[key] for key in changed if key in self._line_of}:
            self._cache.pop(y, None)
            self.refresh_line(y)

    def set_heat(self, heat: bool) -> None:
        """Draw seats by state (sold, comp, held, open...) rather than by zone."""
        if heat != self.heat:
            self.heat = heat
            self._cache.clear()
            self.refresh()

    def _state_look(self, seat: Seat, style: Style) -> tuple[str, Style]:
        found = self.states.get(seat.key)
        if self.heat:
            glyph, look = _HEAT.get(found[0] if found else "open", _HEAT["sold"])
            return glyph or seat.glyph, self.rich_style + look
        if found is None:
            return seat.glyph, style
        state, hold = found
        if state == "mine":
            return seat.glyph, style + _MINE
        if state == "held":
            return (hold or "h")[0].lower(), style + self._hold_styles.get(hold or "", _HELD)
        return _TAKEN_GLYPHS.get(state, "x"), style + _TAKEN

    # -- drawing ---------------------------------------------------------------------

    def _line(self, y: int) -> Strip:
        strip = self._cache.get(y)
        if strip is not None:
            return strip
        base = self.rich_style
        text = self.drawing.lines[y] if y < len(self.drawing.lines) else ""
        text = text.ljust(self.drawing.width)
        # Runs of cells with the same style become one segment: a row of 30 seats of one
        # zone is one segment, not 30 (it matters when a 50,000-seat map scrolls).
        segments: list[Segment] = []
        run: list[str] = []
        run_style = base
        position = 0
        cursor = self.cursor if self.drawing.seats else -1
        seat_styles = {code: base + style for code, style in self._zone_styles.items()}

        def emit(chunk: str, style: Style) -> None:
            nonlocal run_style
            if style != run_style and run:
                segments.append(Segment("".join(run), run_style))
                run.clear()
            run_style = style
            run.append(chunk)

        for index in self._seats_on_line.get(y, ()):
            seat = self.drawing.seats[index]
            if seat.x > position:
                emit(text[position:seat.x], base)
            glyph, style = self._state_look(seat, seat_styles.get(seat.zone, base))
            if index == cursor:
                style = style + (self._cursor_style if self.has_focus
                                 else Style(underline=True))
            emit(glyph, style)
            position = seat.x + 1
        if position < len(text):
            emit(text[position:], base)
        if run:
            segments.append(Segment("".join(run), run_style))
        strip = Strip(segments, self.drawing.width)
        self._cache[y] = strip
        return strip

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        line_y = y + scroll_y
        width = self.scrollable_content_region.width
        if line_y >= self.drawing.height:
            return Strip.blank(width, self.rich_style)
        return self._line(line_y).crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # focus changes restyle the widget; only a real change of style voids the lines
        style = self.rich_style
        if style != getattr(self, "_cached_style", None):
            self._cached_style = style
            self._cache.clear()

    def on_focus(self) -> None:
        self._repaint_cursor()

    def on_blur(self) -> None:
        self._repaint_cursor()

    def _repaint_cursor(self) -> None:
        if self.drawing.seats:
            y = self.drawing.seats[self.cursor].y
            self._cache.pop(y, None)
            self.refresh_line(y)
