"""Parse and validate a seat map file (see docs/seatmap-format.md).

Every problem becomes a `SeatMapProblem` with the file, line, column and a message; the
parser collects them all and raises `SeatMapInvalid`. It raises nothing else on bad input.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import BoxOfficeError
from core.seatmap.locate import Locator
from core.seatmap.model import Area, Hotspot, Overview, Row, Seat, SeatMap, Section, Zone

COLORS = frozenset(
    base if bright == "" else f"bright_{base}"
    for base in ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
    for bright in ("", "bright_")
)
CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")
LABEL = re.compile(r"^[A-Za-z0-9]+$")
GAPS = frozenset(". ")
AISLE = "|"
RESERVED_CHARS = frozenset(".|: ")

TOP_KEYS = {"format", "venue", "zones", "legend", "section", "area", "overview"}
VENUE_KEYS = {"code", "name", "kind", "stage", "best_seats"}
BEST_SEATS = ("front-centre", "centre-front")
ZONE_KEYS = {"name", "color", "rank"}
LEGEND_KEYS = {"zone", "wheelchair", "companion", "view"}
SECTION_KEYS = {"code", "name", "kind", "at", "numbering", "first", "step", "blocks", "rows",
                "priority", "ideal_row"}
# a seat's rank (best available: lower is better), from the most to the least weighty
# part: its zone's rank (a better price zone first), its section's priority, then its
# place in the section (rows from the front or from the ideal row, and the distance from
# the centre line). Both default to 0: a file that states neither ranks by place alone.
ZONE_WEIGHT = 10_000_000_000
PRIORITY_WEIGHT = 100_000_000
BLOCK_KEYS = {"from", "first", "step"}
AREA_KEYS = {"code", "name", "zone", "capacity", "at", "size"}
OVERVIEW_KEYS = {"drawing"}

# Limits no venue reaches (the largest stadiums hold about 150,000; the shipped stadium
# file is 52 KB), so a mistaken or hostile file is refused in a moment instead of taking
# minutes and gigabytes to expand.
MAX_FILE_BYTES = 4_000_000
MAX_SEATS_PER_SECTION = 20_000
MAX_SEATS = 250_000
MAX_NUMBER = 1_000_000          # a seat number, a numbering's first seat
MAX_STEP = 100
MAX_PRIORITY = 1_000
MAX_COORDINATE = 100_000        # a section's or area's place on the drawing


@dataclass(frozen=True, slots=True)
class SeatMapProblem:
    path: str
    line: int
    column: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message} [{self.code}]"


class SeatMapInvalid(BoxOfficeError):
    code = "seatmap_invalid"

    def __init__(self, problems: list[SeatMapProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, p.column))
        first = self.problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{first}{more}")


@dataclass(frozen=True, slots=True)
class _Numbering:
    start_from: str   # "left" or "right"
    first: int
    step: int


@dataclass(slots=True)
class _Glyph:
    zone: str
    wheelchair: bool = False
    companion: bool = False
    view: str = "clear"


def load_seatmap(path: str | Path) -> SeatMap:
    """Read and parse a seat map file. Raises SeatMapInvalid for any problem, unreadable
    files included."""
    return parse_seatmap(read_seatmap_text(path), str(path))


def read_seatmap_text(path: str | Path) -> str:
    """A seat map file's text. Raises SeatMapInvalid when it cannot be read, is larger
    than MAX_FILE_BYTES or is not UTF-8."""
    name = str(path)
    try:
        with Path(path).open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SeatMapInvalid([SeatMapProblem(name, 1, 1, "unreadable",
                                             f"cannot read the file: {exc.strerror}")]) from exc
    if len(raw) > MAX_FILE_BYTES:
        raise SeatMapInvalid([SeatMapProblem(
            name, 1, 1, "too-large", f"the file is larger than {MAX_FILE_BYTES:,} bytes; "
            "no venue needs that much: is it the right file?")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SeatMapInvalid([SeatMapProblem(name, line, 1, "toml",
                                             "the file is not UTF-8 text")]) from exc
    return text


def parse_seatmap(text: str, path: str = "<string>") -> SeatMap:
    """Parse seat map TOML text. Raises SeatMapInvalid listing every problem found."""
    if len(text) > MAX_FILE_BYTES:
        raise SeatMapInvalid([SeatMapProblem(
            path, 1, 1, "too-large", f"the file is larger than {MAX_FILE_BYTES:,} "
            "characters; no venue needs that much: is it the right file?")])
    return _Parser(text, path).parse()


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.problems: list[SeatMapProblem] = []
        self.loc = Locator(text)
        self.zones: dict[str, Zone] = {}
        self.glyphs: dict[str, _Glyph] = {}
        self.best_seats = "front-centre"
        self.seats_so_far = 0
        self.zone_ranks: dict[str, int] = {}

    # -- reporting ------------------------------------------------------------------

    def problem(self, where: tuple[int, int], code: str, message: str) -> None:
        self.problems.append(SeatMapProblem(self.path, where[0], where[1], code, message))

    def _check_keys(self, data: dict[str, Any], allowed: set[str], table: str, index: int,
                    label: str) -> None:
        for key in data:
            if key not in allowed:
                self.problem(self.loc.key(table, index, key), "unknown-key",
                             f"{label}: unknown key '{key}' (expected one of: "
                             f"{', '.join(sorted(allowed))})")

    def _string(self, data: dict[str, Any], key: str, table: str, index: int, label: str,
                *, required: bool = True, default: str = "") -> str:
        if key not in data:
            if required:
                self.problem(self.loc.key(table, index), "missing-key",
                             f"{label}: missing '{key}'")
            return default
        value = data[key]
        if not isinstance(value, str):
            self.problem(self.loc.key(table, index, key), "bad-value",
                         f"{label}: '{key}' must be a string, not {value!r}")
            return default
        return value

    def _int(self, data: dict[str, Any], key: str, table: str, index: int, label: str,
             *, default: int | None, minimum: int, maximum: int) -> int | None:
        if key not in data:
            return default
        value = data[key]
        if not _is_int(value, minimum, maximum):
            self.problem(self.loc.key(table, index, key), "bad-value",
                         f"{label}: '{key}' must be an integer from {minimum} to "
                         f"{maximum:,}, not {value!r}")
            return default
        return int(value)

    def _pair(self, data: dict[str, Any], key: str, table: str, index: int,
              label: str) -> tuple[int, int] | None:
        if key not in data:
            return None
        value = data[key]
        if (not isinstance(value, list) or len(value) != 2
                or not all(_is_int(v, 0, MAX_COORDINATE) for v in value)):
            self.problem(self.loc.key(table, index, key), "bad-value",
                         f"{label}: '{key}' must be two integers from 0 to "
                         f"{MAX_COORDINATE:,} [column, line], not {value!r}")
            return None
        return (value[0], value[1])

    # -- the file -------------------------------------------------------------------

    def parse(self) -> SeatMap:
        try:
            data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
            where = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            raise SeatMapInvalid([SeatMapProblem(self.path, where[0], where[1], "toml",
                                                 f"not valid TOML: {message}")]) from None
        self._check_keys(data, TOP_KEYS, "", 0, "file")
        if data.get("format") != 1:
            self.problem(self.loc.key("", 0, "format"), "bad-value" if "format" in data
                         else "missing-key", "the file must start with 'format = 1'")
        venue = self._venue(data.get("venue"))
        self._zones(data.get("zones"))
        self._legend(data.get("legend", {}))
        has_overview = "overview" in data
        sections = self._sections(data.get("section", []), absolute=not has_overview)
        areas = self._areas(data.get("area", []))
        overview = self._overview(data["overview"], sections, areas) if has_overview else None
        if not has_overview:
            placed_sections, placed_areas = self._place(sections, areas, venue["stage"])
        else:
            placed_sections = [section for section, _ in sections]
            placed_areas = [area for area, _ in areas]
        if not data.get("section") and not data.get("area"):
            self.problem((1, 1), "empty-section", "the venue has no sections and no areas")
        if self.problems:
            raise SeatMapInvalid(self.problems)
        return SeatMap(
            code=venue["code"], name=venue["name"], kind=venue["kind"], stage=venue["stage"],
            zones=dict(self.zones), sections=tuple(placed_sections),
            areas=tuple(placed_areas), overview=overview,
            sha256=hashlib.sha256(self.text.encode()).hexdigest(), source_name=self.path,
        )

    def _venue(self, data: Any) -> dict[str, str]:
        venue = {"code": "", "name": "", "kind": "hall", "stage": ""}
        if not isinstance(data, dict):
            self.problem((1, 1), "missing-key", "the file needs a [venue] table")
            return venue
        self._check_keys(data, VENUE_KEYS, "venue", 0, "[venue]")
        code = self._string(data, "code", "venue", 0, "[venue]")
        if code and not CODE.match(code):
            self.problem(self.loc.key("venue", 0, "code"), "bad-value",
                         f"[venue]: code '{code}' must be upper-case letters, digits, - or _")
        venue["code"] = code
        venue["name"] = self._string(data, "name", "venue", 0, "[venue]")
        kind = self._string(data, "kind", "venue", 0, "[venue]", required=False, default="hall")
        if kind not in ("hall", "stadium"):
            self.problem(self.loc.key("venue", 0, "kind"), "bad-value",
                         f"[venue]: kind must be \"hall\" or \"stadium\", not {kind!r}")
            kind = "hall"
        venue["kind"] = kind
        venue["stage"] = self._string(data, "stage", "venue", 0, "[venue]", required=False)
        best = self._string(data, "best_seats", "venue", 0, "[venue]", required=False,
                            default="front-centre")
        if best not in BEST_SEATS:
            self.problem(self.loc.key("venue", 0, "best_seats"), "bad-value",
                         f"[venue]: best_seats must be \"front-centre\" or \"centre-front\", "
                         f"not {best!r}")
            best = "front-centre"
        self.best_seats = best
        return venue

    def _zones(self, data: Any) -> None:
        if not isinstance(data, dict) or not data:
            self.problem(self.loc.key("zones", 0), "missing-key",
                         "the file needs a [zones] table with at least one price zone")
            return
        for letter, spec in data.items():
            where = self.loc.key("zones", 0, letter)
            if len(letter) != 1 or not ("A" <= letter <= "Z"):
                self.problem(where, "bad-value",
                             f"zone '{letter}': a zone is one upper-case letter A-Z")
                continue
            if not isinstance(spec, dict):
                self.problem(where, "bad-value",
                             f"zone {letter}: expected {{ name = \"...\", color = \"...\" }}")
                continue
            self._check_keys(spec, ZONE_KEYS, "zones", 0, f"zone {letter}")
            name = self._string(spec, "name", "zones", 0, f"zone {letter}")
            color = self._string(spec, "color", "zones", 0, f"zone {letter}")
            if color and color not in COLORS:
                self.problem(where, "bad-value",
                             f"zone {letter}: color '{color}' is not one of the 16 terminal "
                             f"colours ({', '.join(sorted(COLORS))})")
                color = "white"
            self.zone_ranks[letter] = self._int(spec, "rank", "zones", 0, f"zone {letter}",
                                                default=0, minimum=0,
                                                maximum=MAX_PRIORITY) or 0
            self.zones[letter] = Zone(letter, name, color or "white")
            self.glyphs[letter] = _Glyph(letter)

    def _legend(self, data: Any) -> None:
        if not isinstance(data, dict):
            self.problem(self.loc.key("legend", 0), "bad-value", "[legend] must be a table")
            return
        for char, spec in data.items():
            where = self.loc.key("legend", 0, char)
            if len(char) != 1 or not char.isascii() or not char.isprintable() \
                    or char in RESERVED_CHARS or "A" <= char <= "Z":
                self.problem(where, "bad-value",
                             f"legend '{char}': a legend character is one printable ASCII "
                             "character other than an upper-case letter, '.', '|', ':' "
                             "or space")
                continue
            if not isinstance(spec, dict):
                self.problem(where, "bad-value", f"legend '{char}': expected {{ zone = ... }}")
                continue
            self._check_keys(spec, LEGEND_KEYS, "legend", 0, f"legend '{char}'")
            zone = self._string(spec, "zone", "legend", 0, f"legend '{char}'")
            if zone and zone not in self.zones:
                self.problem(where, "unknown-zone",
                             f"legend '{char}': zone '{zone}' is not in [zones]")
            glyph = _Glyph(zone)
            for flag in ("wheelchair", "companion"):
                value = spec.get(flag, False)
                if not isinstance(value, bool):
                    self.problem(where, "bad-value",
                                 f"legend '{char}': {flag} must be true or false")
                    value = False
                setattr(glyph, flag, value)
            view = spec.get("view", "clear")
            if view not in ("clear", "obstructed", "limited"):
                self.problem(where, "bad-value", f"legend '{char}': view must be "
                             f"\"obstructed\" or \"limited\", not {view!r}")
                view = "clear"
            glyph.view = view
            self.glyphs[char] = glyph

    # -- sections -------------------------------------------------------------------

    def _sections(self, data: Any, *, absolute: bool
                  ) -> list[tuple[Section, tuple[int, int] | None]]:
        if not isinstance(data, list):
            self.problem(self.loc.key("section", 0), "bad-value",
                         "sections are written as [[section]] tables")
            return []
        sections: list[tuple[Section, tuple[int, int] | None]] = []
        seen: dict[str, int] = {}
        for index, spec in enumerate(data):
            if not isinstance(spec, dict):
                continue
            section = self._section(spec, index)
            if section is None:
                continue
            where = self.loc.key("section", index, "code")
            if section[0].code in seen:
                self.problem(where, "duplicate-section",
                             f"section code '{section[0].code}' is used twice (first at "
                             f"line {seen[section[0].code]})")
                continue
            seen[section[0].code] = where[0]
            sections.append(section)
        return sections

    def _section(self, spec: dict[str, Any], index: int
                 ) -> tuple[Section, tuple[int, int] | None] | None:
        label = f"section #{index + 1}"
        code = self._string(spec, "code", "section", index, label)
        if code:
            label = f"section {code}"
            if not CODE.match(code):
                self.problem(self.loc.key("section", index, "code"), "bad-value",
                             f"{label}: code must be upper-case letters, digits, - or _")
                return None
        self._check_keys(spec, SECTION_KEYS, "section", index, label)
        name = self._string(spec, "name", "section", index, label)
        kind = self._string(spec, "kind", "section", index, label, required=False,
                            default="reserved")
        if kind not in ("reserved", "box"):
            self.problem(self.loc.key("section", index, "kind"), "bad-value",
                         f"{label}: kind must be \"reserved\" or \"box\", not {kind!r}")
        at = self._pair(spec, "at", "section", index, label)
        priority = self._int(spec, "priority", "section", index, label, default=0, minimum=0,
                             maximum=MAX_PRIORITY)
        ideal_row = self._string(spec, "ideal_row", "section", index, label, required=False)
        numbering = self._numbering(spec, index, label)
        rows_text = self._string(spec, "rows", "section", index, label)
        if not code or not rows_text or numbering is None:
            return None
        return self._rows(code, name or code, kind, rows_text, numbering, index, label, at,
                          priority or 0, ideal_row)

    def _numbering(self, spec: dict[str, Any], index: int, label: str
                   ) -> list[_Numbering] | str | None:
        """A list of per-block numberings, or "ltr"/"rtl" for whole-row numbering."""
        scheme = spec.get("numbering", "left-to-right")
        where = self.loc.key("section", index, "numbering")
        if scheme in ("left-to-right", "right-to-left"):
            if "blocks" in spec:
                self.problem(self.loc.key("section", index, "blocks"), "bad-value",
                             f"{label}: 'blocks' needs numbering = \"blocks\"")
            first = self._int(spec, "first", "section", index, label, default=1, minimum=0,
                              maximum=MAX_NUMBER)
            step = self._int(spec, "step", "section", index, label, default=1, minimum=1,
                             maximum=MAX_STEP)
            return [_Numbering("left" if scheme == "left-to-right" else "right",
                               first or 0, step or 1)]
        if scheme != "blocks":
            self.problem(where, "bad-value", f"{label}: numbering must be \"left-to-right\", "
                         f"\"right-to-left\" or \"blocks\", not {scheme!r}")
            return None
        blocks = spec.get("blocks")
        if not isinstance(blocks, list) or not blocks:
            self.problem(where, "missing-key",
                         f"{label}: numbering = \"blocks\" needs a 'blocks' list")
            return None
        result = []
        for number, block in enumerate(blocks, start=1):
            where = self.loc.key("section", index, "blocks")
            if not isinstance(block, dict):
                self.problem(where, "bad-value", f"{label}: block {number} must be a table")
                return None
            for key in block:
                if key not in BLOCK_KEYS:
                    self.problem(where, "unknown-key", f"{label}: block {number}: unknown "
                                 f"key '{key}' (expected from, first, step)")
            start_from = block.get("from", "left")
            first, step = block.get("first", 1), block.get("step", 1)
            if start_from not in ("left", "right") or not _is_int(first, 0, MAX_NUMBER) \
                    or not _is_int(step, 1, MAX_STEP):
                self.problem(where, "bad-value", f"{label}: block {number} needs from = "
                             f"\"left\" or \"right\", first from 0 to {MAX_NUMBER:,} and "
                             f"step from 1 to {MAX_STEP}")
                return None
            result.append(_Numbering(start_from, first, step))
        return result

    def _rows(self, code: str, name: str, kind: str, text: str,
              numbering: list[_Numbering] | str, index: int, label: str,
              at: tuple[int, int] | None, priority: int = 0, ideal_row: str = ""
              ) -> tuple[Section, tuple[int, int] | None] | None:
        # Count the seat characters before building anything: a runaway file stops here.
        glyph_count = sum(text.count(char) for char in self.glyphs)
        self.seats_so_far += glyph_count
        if glyph_count > MAX_SEATS_PER_SECTION or self.seats_so_far > MAX_SEATS:
            self.problem(self.loc.key("section", index, "rows"), "too-many-seats",
                         f"{label}: {glyph_count:,} seats; a section may have at most "
                         f"{MAX_SEATS_PER_SECTION:,} and a venue at most {MAX_SEATS:,}")
            return None
        lines = text.replace("\r\n", "\n").split("\n")
        if lines and lines[-1].strip() == "":
            lines.pop()
        assert isinstance(numbering, list)
        colon_column: int | None = None
        rows: list[Row] = []
        drawn: list[str] = []
        labels: dict[str, int] = {}
        seat_places: dict[tuple[str, int], tuple[int, int]] = {}   # -> (line, column)
        pending: list[tuple[str, int, list[tuple[int, str]], list[list[int]]]] = []
        for line_index, line in enumerate(lines):
            position = self.loc.text_position("section", index, "rows", line_index, 0)
            if line.strip() == "":
                drawn.append("")
                continue
            colon = line.find(":")
            if colon < 0 or line[:colon].strip() == "":
                self.problem(position, "unlabeled-row", f"{label}: a row needs its label, "
                             "a ':' and then its seats, as in 'B: AAAA|AAAA'")
                drawn.append("")
                continue
            row_label = line[:colon].strip()
            if not LABEL.match(row_label):
                self.problem(position, "bad-value", f"{label}: row label '{row_label}' "
                             "must be letters and digits")
                drawn.append("")
                continue
            if colon_column is None:
                colon_column = colon
            elif colon != colon_column:
                self.problem(
                    self.loc.text_position("section", index, "rows", line_index, colon),
                    "ragged-row", f"{label}: row {row_label}: ':' at column {colon + 1} of "
                    f"the grid, but the section's first row has it at column "
                    f"{colon_column + 1}; line the colons up so the drawing is true")
            if row_label in labels:
                self.problem(position, "duplicate-row", f"{label}: row '{row_label}' appears "
                             f"twice (first at line {labels[row_label]})")
                drawn.append("")
                continue
            labels[row_label] = position[0]
            cells: list[tuple[int, str]] = []   # (column in line, glyph char)
            blocks: list[list[int]] = [[]]      # indexes into cells, per aisle block
            for column in range(colon + 1, len(line)):
                char = line[column]
                if char in GAPS:
                    continue
                if char == AISLE:
                    if blocks[-1]:
                        blocks.append([])
                    continue
                if char not in self.glyphs:
                    self.problem(
                        self.loc.text_position("section", index, "rows", line_index, column),
                        "unknown-zone", f"{label}: row {row_label}: unknown seat character "
                        f"'{char}': not a zone letter or a [legend] character")
                    continue
                blocks[-1].append(len(cells))
                cells.append((column, char))
            if not blocks[-1]:
                blocks.pop()
            drawn.append(line[:colon] + " " + line[colon + 1:])
            pending.append((row_label, line_index, cells, blocks))
        if colon_column is None:
            self.problem(self.loc.key("section", index, "rows"), "empty-section",
                         f"{label} has no rows")
            return None
        # Numbers need the whole row; place each seat one line below the title. The rank
        # needs the section's centre line, so it is known before any seat is made.
        columns = [column for _, _, cells, _ in pending for column, _ in cells]
        centre2 = (min(columns) + max(columns)) if columns else 0
        front_centre = self.best_seats == "front-centre"
        # rows count from the front, or from the ideal row when the file names one: the
        # rows either side of it come next, the one nearer the front first
        labels_in_order = [row_label for row_label, _, _, _ in pending]
        ideal = 0
        if ideal_row:
            if ideal_row in labels_in_order:
                ideal = labels_in_order.index(ideal_row)
            else:
                self.problem(self.loc.key("section", index, "ideal_row"), "bad-value",
                             f"{label}: ideal_row '{ideal_row}' is not one of its rows "
                             f"({', '.join(labels_in_order)})")
        for order, (row_label, line_index, cells, blocks) in enumerate(pending):
            distance = 2 * abs(order - ideal) + (order > ideal)
            numbers = self._number_row(cells, blocks, numbering, label, row_label,
                                       self.loc.text_position("section", index, "rows",
                                                              line_index, 0))
            seats = []
            for (column, char), number in zip(cells, numbers, strict=True):
                if (row_label, number) in seat_places:
                    first = self.loc.text_position("section", index, "rows",
                                                   *seat_places[(row_label, number)])
                    self.problem(
                        self.loc.text_position("section", index, "rows", line_index, column),
                        "duplicate-seat", f"seat {code} {row_label}-{number} is numbered "
                        f"twice (first at line {first[0]}, column {first[1]})")
                    continue
                seat_places[(row_label, number)] = (line_index, column)
                glyph = self.glyphs[char]
                off_centre = abs(2 * column - centre2)
                rank = (priority * PRIORITY_WEIGHT
                        + self.zone_ranks.get(glyph.zone, 0) * ZONE_WEIGHT
                        + (distance * 10_000 + off_centre if front_centre
                           else off_centre * 1_000 + distance))
                seats.append(Seat(code, row_label, number, glyph.zone, char, column,
                                  line_index + 1, rank, glyph.wheelchair, glyph.companion,
                                  glyph.view))
            rows.append(Row(row_label, line_index + 1, tuple(seats)))
        if not any(row.seats for row in rows):
            self.problem(self.loc.key("section", index, "rows"), "empty-section",
                         f"{label} has no seats")
            return None
        width = max(len(line) for line in drawn)
        title = name if len(name) <= width else name[:width]
        lines_out = (title.center(width).rstrip(), *drawn)
        section = Section(code=code, name=name, kind=kind if kind in ("reserved", "box")
                          else "reserved", x=0, y=0, width=width, height=len(lines_out),
                          lines=lines_out, rows=tuple(rows))
        return section, at

    def _number_row(self, cells: list[tuple[int, str]], blocks: list[list[int]],
                    numbering: list[_Numbering], label: str, row_label: str,
                    where: tuple[int, int]) -> list[int]:
        numbers = [0] * len(cells)
        if len(numbering) == 1:
            groups = [[i for block in blocks for i in block]]
        else:
            groups = blocks
            if len(blocks) != len(numbering):
                self.problem(where, "block-count", f"{label}: row {row_label} has "
                             f"{len(blocks)} blocks of seats but numbering lists "
                             f"{len(numbering)}")
                # Number what we can so later checks still run.
                groups = blocks[: len(numbering)] + (
                    [[i for block in blocks[len(numbering):] for i in block]]
                    if len(blocks) > len(numbering) else [])
        for group, rule in zip(groups, numbering * len(groups), strict=False):
            ordered = group if rule.start_from == "left" else list(reversed(group))
            for position, cell in enumerate(ordered):
                numbers[cell] = rule.first + position * rule.step
        return numbers

    # -- areas, overview, placement -------------------------------------------------

    def _areas(self, data: Any) -> list[tuple[Area, tuple[int, int] | None]]:
        if not isinstance(data, list):
            self.problem(self.loc.key("area", 0), "bad-value",
                         "areas are written as [[area]] tables")
            return []
        areas = []
        for index, spec in enumerate(data):
            if not isinstance(spec, dict):
                continue
            label = f"area #{index + 1}"
            code = self._string(spec, "code", "area", index, label)
            if code:
                label = f"area {code}"
                if not CODE.match(code):
                    self.problem(self.loc.key("area", index, "code"), "bad-value",
                                 f"{label}: code must be upper-case letters, digits, - or _")
            self._check_keys(spec, AREA_KEYS, "area", index, label)
            name = self._string(spec, "name", "area", index, label)
            zone = self._string(spec, "zone", "area", index, label)
            if zone and zone not in self.zones:
                self.problem(self.loc.key("area", index, "zone"), "unknown-zone",
                             f"{label}: zone '{zone}' is not in [zones]")
            if "capacity" not in spec:
                self.problem(self.loc.key("area", index), "no-capacity",
                             f"{label} has no capacity: general admission is sold by "
                             "quantity up to it")
            capacity = self._int(spec, "capacity", "area", index, label, default=None,
                                 minimum=1, maximum=MAX_SEATS)
            at = self._pair(spec, "at", "area", index, label)
            size = self._pair(spec, "size", "area", index, label)
            if not code or capacity is None:
                continue
            inner = max(len(name), len(f"{capacity:,} standing"))
            width, height = size if size else (inner + 4, 4)
            areas.append((Area(code, name or code, zone, capacity, 0, 0, max(width, 3),
                               max(height, 3)), at))
        return areas

    def _overview(self, data: Any, sections: list[tuple[Section, Any]],
                  areas: list[tuple[Area, Any]]) -> Overview | None:
        where = self.loc.key("overview", 0, "drawing")
        if not isinstance(data, dict) or not isinstance(data.get("drawing"), str):
            self.problem(where, "overview", "[overview] needs a 'drawing' string")
            return None
        self._check_keys(data, OVERVIEW_KEYS, "overview", 0, "[overview]")
        lines = data["drawing"].replace("\r\n", "\n").split("\n")
        if lines and lines[-1].strip() == "":
            lines.pop()
        codes = {s.code for s, _ in sections} | {a.code for a, _ in areas}
        found: dict[str, Hotspot] = {}
        for y, line in enumerate(lines):
            for match in re.finditer(r"[A-Za-z0-9_-]+", line):
                code = match.group(0)
                if code not in codes:
                    continue
                if code in found:
                    self.problem(self.loc.text_position("overview", 0, "drawing", y,
                                                        match.start()), "overview",
                                 f"'{code}' appears twice in the overview")
                    continue
                found[code] = Hotspot(code, match.start(), y, len(code))
        for code in sorted(codes - set(found)):
            self.problem(where, "overview", f"'{code}' does not appear in the overview, so "
                         "a seller could not reach it")
        return Overview(tuple(lines), tuple(found.values()))

    def _place(self, sections: list[tuple[Section, tuple[int, int] | None]],
               areas: list[tuple[Area, tuple[int, int] | None]], stage: str
               ) -> tuple[list[Section], list[Area]]:
        """Put sections and areas into one venue drawing and move their seats there."""
        top = 2 if stage else 0
        next_y = top
        boxes: list[tuple[str, int, int, int, int, tuple[int, int]]] = []
        placed_sections: list[Section] = []
        placed_areas: list[Area] = []
        items: list[tuple[str, Section | Area, tuple[int, int] | None, int]] = (
            [("section", s, at, i) for i, (s, at) in enumerate(sections)]
            + [("area", a, at, i) for i, (a, at) in enumerate(areas)])
        for table, item, at, index in items:
            x, y = (at[0], at[1] + top) if at else (0, next_y)
            next_y = max(next_y, y + item.height + 1)
            kind = "section" if table == "section" else "area"
            where = self.loc.key(table, index, "at" if at else None)
            for other_code, ox, oy, ow, oh, _ in boxes:
                if x < ox + ow and ox < x + item.width and y < oy + oh and oy < y + item.height:
                    self.problem(where, "overlap", f"{kind} {item.code} overlaps "
                                 f"{other_code} at column {max(x, ox) + 1}, line "
                                 f"{max(y, oy) - top + 1} of the drawing")
            boxes.append((item.code, x, y, item.width, item.height, where))
            if isinstance(item, Section):
                rows = tuple(
                    Row(row.label, row.y + y, tuple(
                        _moved(seat, x, y) for seat in row.seats)) for row in item.rows)
                placed_sections.append(_replace_section(item, x, y, rows))
            else:
                placed_areas.append(Area(item.code, item.name, item.zone, item.capacity,
                                         x, y, item.width, item.height))
        return placed_sections, placed_areas


def _is_int(value: Any, minimum: int, maximum: int) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)
            and minimum <= value <= maximum)


def _moved(seat: Seat, dx: int, dy: int) -> Seat:
    return seat._replace(x=seat.x + dx, y=seat.y + dy)


def _replace_section(section: Section, x: int, y: int, rows: tuple[Row, ...]) -> Section:
    return Section(section.code, section.name, section.kind, x, y, section.width,
                   section.height, section.lines, rows)
