"""A venue's seat map as SVG, drawn from the same drawing the window uses: one circle a
seat at its column and line, coloured by zone, with the row labels and aisles of the
drawing as text. The geometry is drawn once per map version (its SHA-256) and cached;
only the seats' states change, and the page asks for those separately."""

from __future__ import annotations

from html import escape

from core.seatmap import Drawing, Seat, SeatMap, section_drawing, venue_drawing

CELL_W, CELL_H = 12, 16

# The 16 terminal colours the seat map files name, as web colours readable on white
# with a dark outline (WCAG: the seat's meaning never rests on colour alone: every seat
# has a label, and the list view says it in words)
WEB_COLOURS = {
    "black": "#333333", "red": "#c62828", "green": "#2e7d32", "yellow": "#b8860b",
    "blue": "#1565c0", "magenta": "#8e24aa", "cyan": "#00838f", "white": "#757575",
}


def web_colour(name: str) -> str:
    return WEB_COLOURS.get(name.removeprefix("bright_"), "#555555")


_CACHE: dict[tuple[str, str], str] = {}


def seat_map_svg(seatmap: SeatMap, section: str = "") -> str:
    """The whole map's SVG, or one section's (a stadium's), cached by the map's SHA-256;
    each seat a <circle> whose id is its key (SECTION-ROW-N)."""
    key = (seatmap.sha256, section)
    cached = _CACHE.get(key)
    if cached is None:
        if len(_CACHE) > 256:
            _CACHE.clear()
        drawing = section_drawing(seatmap, section) if section else venue_drawing(seatmap)
        cached = _CACHE[key] = _draw(seatmap, drawing)
    return cached


def seat_words(seat: Seat, zone_name: str) -> str:
    """How a seat is said: 'ORCH, row F, seat 12, Premium, wheelchair space'."""
    words = f"{escape(seat.section)}, row {escape(seat.row)}, seat {seat.number}, " \
            f"{escape(zone_name)}"
    if seat.wheelchair:
        words += ", wheelchair space"
    if seat.companion:
        words += ", companion seat"
    return words


def _draw(seatmap: SeatMap, drawing: Drawing) -> str:
    width, height = drawing.width * CELL_W, drawing.height * CELL_H
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="Seat map of {escape(drawing.title)}" class="seatmap">']
    for y, line in enumerate(drawing.lines):
        text = line.rstrip()
        if text.strip():
            parts.append(f'<text x="0" y="{(y + 1) * CELL_H - 4}" class="map-label" '
                         f'xml:space="preserve">{escape(text)}</text>')
    for seat in drawing.seats:
        zone = seatmap.zones[seat.zone]
        key = f"{seat.section}-{seat.row}-{seat.number}"
        kind = (" wheelchair" if seat.wheelchair else "") + (
            " companion" if seat.companion else "")
        cx, cy = seat.x * CELL_W + CELL_W / 2, seat.y * CELL_H + CELL_H / 2
        parts.append(
            f'<circle id="s-{escape(key)}" class="seat z-{seat.zone}{kind}" '
            f'cx="{cx}" cy="{cy}" r="{CELL_W / 2 - 1}" fill="{web_colour(zone.color)}">'
            f"<title>{seat_words(seat, zone.name)}</title></circle>")
        if seat.wheelchair or seat.companion:
            # a letter on the seat too: the kind never rests on colour alone
            parts.append(f'<text x="{cx}" y="{cy + 3.5}" class="seat-mark" '
                         f'aria-hidden="true">{"W" if seat.wheelchair else "C"}</text>')
    parts.append("</svg>")
    return "".join(parts)
