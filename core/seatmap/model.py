"""What a parsed seat map is: zones, sections of rows of seats, general-admission areas."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Zone:
    code: str
    name: str
    color: str


class Seat(NamedTuple):
    """One seat. Its identity is (section, row, number); x, y place it in its drawing:
    the venue drawing for a hall, its section's drawing for a venue with an overview.
    (A named tuple: a stadium has 40,000 of them, and a tuple is built 5x faster than a
    frozen dataclass.)"""

    section: str
    row: str
    number: int
    zone: str
    glyph: str
    x: int
    y: int
    rank: int
    wheelchair: bool = False
    companion: bool = False
    view: str = "clear"

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.section, self.row, self.number)

    @property
    def flags(self) -> tuple[str, ...]:
        found = []
        if self.wheelchair:
            found.append("wheelchair")
        if self.companion:
            found.append("companion")
        if self.view != "clear":
            found.append(f"{self.view} view")
        return tuple(found)


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    y: int
    seats: tuple[Seat, ...]


@dataclass(frozen=True, slots=True)
class Section:
    code: str
    name: str
    kind: str            # "reserved" or "box"
    x: int               # top-left corner of the section in its drawing (title line included)
    y: int
    width: int
    height: int
    lines: tuple[str, ...]   # the section as drawn: title, then rows (colons blanked)
    rows: tuple[Row, ...]

    @property
    def seats(self) -> list[Seat]:
        return [seat for row in self.rows for seat in row.seats]

    @property
    def seat_count(self) -> int:
        return sum(len(row.seats) for row in self.rows)


@dataclass(frozen=True, slots=True)
class Area:
    """A general-admission area: sold by quantity against its capacity."""

    code: str
    name: str
    zone: str
    capacity: int
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Hotspot:
    """A section or area code in an overview drawing: a place the seller drills into."""

    code: str
    x: int
    y: int
    width: int


@dataclass(frozen=True, slots=True)
class Overview:
    lines: tuple[str, ...]
    hotspots: tuple[Hotspot, ...]


@dataclass(frozen=True)
class SeatMap:
    code: str
    name: str
    kind: str            # "hall" or "stadium"
    stage: str
    zones: dict[str, Zone]
    sections: tuple[Section, ...]
    areas: tuple[Area, ...]
    overview: Overview | None
    sha256: str
    source_name: str
    _by_code: dict[str, Section] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_code.update({section.code: section for section in self.sections})

    def section(self, code: str) -> Section:
        return self._by_code[code]

    def area(self, code: str) -> Area:
        for area in self.areas:
            if area.code == code:
                return area
        raise KeyError(code)

    @property
    def seats(self) -> list[Seat]:
        return [seat for section in self.sections for seat in section.seats]

    @property
    def seat_count(self) -> int:
        return sum(section.seat_count for section in self.sections)

    @property
    def capacity(self) -> int:
        return self.seat_count + sum(area.capacity for area in self.areas)
