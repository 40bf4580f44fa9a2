"""Drawings: a seat map turned into lines of text plus where each seat sits.

A hall is one drawing (stage, section titles, row labels, aisles, standing areas). A venue
with an overview has an overview drawing and one drawing per section. The window app
and `boxoffice seatmap show` both draw from these, so they always agree with the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.seatmap.model import Area, Hotspot, Seat, SeatMap, Section


@dataclass(frozen=True)
class Drawing:
    title: str
    width: int
    height: int
    lines: tuple[str, ...]          # background: labels, aisles, titles; blanks where seats are
    seats: tuple[Seat, ...]         # in reading order (top to bottom, left to right)
    hotspots: tuple[Hotspot, ...] = ()
    areas: tuple[Area, ...] = ()


def _canvas(width: int, height: int) -> list[list[str]]:
    return [[" "] * width for _ in range(height)]


def _put(canvas: list[list[str]], x: int, y: int, text: str) -> None:
    row = canvas[y]
    for offset, char in enumerate(text):
        if 0 <= x + offset < len(row):
            row[x + offset] = char


def _draw_section(canvas: list[list[str]], section: Section, x: int, y: int) -> None:
    for dy, line in enumerate(section.lines):
        # dots are gaps in the file; on screen a gap is blank, and seats are drawn on top
        _put(canvas, x, y + dy, line.replace(".", " "))
    for seat in section.seats:
        canvas[seat.y - section.y + y][seat.x - section.x + x] = " "


def _draw_area(canvas: list[list[str]], area: Area) -> None:
    w, h = area.width, area.height
    _put(canvas, area.x, area.y, "+" + "-" * (w - 2) + "+")
    for dy in range(1, h - 1):
        _put(canvas, area.x, area.y + dy, "|" + " " * (w - 2) + "|")
    _put(canvas, area.x, area.y + h - 1, "+" + "-" * (w - 2) + "+")
    inner = w - 2
    _put(canvas, area.x + 1, area.y + 1, area.name[:inner].center(inner))
    if h > 3:
        _put(canvas, area.x + 1, area.y + 2, f"{area.capacity:,} standing"[:inner].center(inner))


def _finish(title: str, canvas: list[list[str]], seats: list[Seat],
            hotspots: tuple[Hotspot, ...] = (), areas: tuple[Area, ...] = ()) -> Drawing:
    lines = tuple("".join(row).rstrip() for row in canvas)
    width = max((len(line) for line in lines), default=0)
    width = max([width, *(s.x + 1 for s in seats)])
    seats.sort(key=lambda s: (s.y, s.x))
    return Drawing(title, width, len(lines), lines, tuple(seats), hotspots, areas)


def venue_drawing(seatmap: SeatMap) -> Drawing:
    """The whole venue in one drawing (for a venue without an overview)."""
    right = max([s.x + s.width for s in seatmap.sections]
                + [a.x + a.width for a in seatmap.areas] + [len(seatmap.stage)])
    bottom = max([s.y + s.height for s in seatmap.sections]
                 + [a.y + a.height for a in seatmap.areas] + [1])
    canvas = _canvas(right, bottom)
    if seatmap.stage:
        _put(canvas, 0, 0, seatmap.stage.center(right))
    for section in seatmap.sections:
        _draw_section(canvas, section, section.x, section.y)
    for area in seatmap.areas:
        _draw_area(canvas, area)
    return _finish(seatmap.name, canvas, seatmap.seats, areas=seatmap.areas)


def section_drawing(seatmap: SeatMap, code: str) -> Drawing:
    """One section on its own, as opened from the overview."""
    section = seatmap.section(code)
    canvas = _canvas(section.width, section.height)
    _draw_section(canvas, section, section.x, section.y)
    return _finish(f"{seatmap.name} - {section.name}", canvas, section.seats)


def overview_drawing(seatmap: SeatMap) -> Drawing:
    """The overview: decoration plus one hotspot per section and area."""
    if seatmap.overview is None:
        raise ValueError(f"{seatmap.code} has no overview")
    lines = seatmap.overview.lines
    width = max((len(line) for line in lines), default=0)
    canvas = _canvas(width, len(lines))
    for y, line in enumerate(lines):
        _put(canvas, 0, y, line)
    return _finish(seatmap.name, canvas, [], hotspots=seatmap.overview.hotspots,
                   areas=seatmap.areas)
