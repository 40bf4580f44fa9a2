"""Convert a pretix seating plan (JSON) into a seat map file (docs/seatmap-format.md).

The pretix format, as we rely on it. Sources:

- the JSON schema ``src/pretix/static/seating/seating-plan.schema.json`` in pretix/pretix
  (two stored versions read: an early one where ``size`` is optional and positions are
  integers, and a later one where ``size`` is required and ``x``/``y`` are numbers);
- ``SeatingPlan.iter_all_seats`` in ``src/pretix/base/models/seating.py`` (pretix/pretix),
  which computes a seat's absolute position as zone position + row position + seat
  position;
- pretix pull request #6303 "Seating: fix handling optional position attribute": a row's
  ``position`` may be missing (the schema does not require it), read as (0, 0) here;
- docs.pretix.eu, REST resource "Seating plans": ``layout`` holds the plan (we accept that
  wrapper too).

Fields used (everything else, e.g. ``uuid``, ``zone_id``, ``row_label``, ``seat_label``,
``row_number_position``, ``start_direction``, ``radius``, is ignored):

- plan: ``name`` (string), ``categories`` (list), ``zones`` (list), ``size`` (optional
  ``{width, height}``; checked, not used);
- category: ``name`` (string, required), ``color`` (string, optional: the plan editor
  writes ``#rrggbb``; pretix's own test plans use CSS names such as ``red``);
- zone: ``name`` (string; optional in the schema, falls back to ``zone_id``),
  ``position`` ``{x, y}`` (required), ``rows`` (required), ``areas`` (decoration: stage,
  text, shapes; never seats, so reported and skipped);
- row: ``row_number`` (string, required), ``seats`` (required), ``position`` (optional);
- seat: ``seat_guid``, ``seat_number`` (strings), ``position`` ``{x, y}``, ``category``
  (a category name), all required.

Pure Python, standard library only.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import NoReturn

__all__ = [
    "TERMINAL_COLORS",
    "ImportedSeat",
    "PretixConversion",
    "PretixImportError",
    "convert_pretix",
    "convert_pretix_json",
    "convert_pretix_plan",
    "nearest_terminal_color",
]


class PretixImportError(ValueError):
    """The input is not a pretix seating plan we can convert. The message names the place
    (``zones[1].rows[3].seats[0]: no position``)."""


@dataclass(frozen=True, slots=True)
class ImportedSeat:
    """Where one pretix seat ended up in the seat map."""

    path: str            # e.g. "zones[0].rows[2].seats[5]"
    guid: str            # pretix seat_guid
    zone: str            # pretix zone name
    row_number: str      # pretix row_number
    seat_number: str     # pretix seat_number
    category: str        # pretix category name
    section: str         # seat map section code
    row: str             # seat map row label
    number: int          # seat map seat number
    zone_letter: str     # seat map zone letter


@dataclass
class PretixConversion:
    toml: str
    warnings: list[str] = field(default_factory=list)
    seats: list[ImportedSeat] = field(default_factory=list)

    @property
    def seat_count(self) -> int:
        return len(self.seats)


# The 16 terminal colours of the spec, with the xterm default RGB values.
TERMINAL_COLORS: dict[str, tuple[int, int, int]] = {
    "black": (0, 0, 0),
    "red": (205, 0, 0),
    "green": (0, 205, 0),
    "yellow": (205, 205, 0),
    "blue": (0, 0, 238),
    "magenta": (205, 0, 205),
    "cyan": (0, 205, 205),
    "white": (229, 229, 229),
    "bright_black": (127, 127, 127),
    "bright_red": (255, 0, 0),
    "bright_green": (0, 255, 0),
    "bright_yellow": (255, 255, 0),
    "bright_blue": (92, 92, 255),
    "bright_magenta": (255, 0, 255),
    "bright_cyan": (0, 255, 255),
    "bright_white": (255, 255, 255),
}

# Common CSS colour names (pretix passes the colour string to the browser as is).
_CSS_COLORS: dict[str, tuple[int, int, int]] = {
    "black": (0, 0, 0), "white": (255, 255, 255), "red": (255, 0, 0),
    "lime": (0, 255, 0), "green": (0, 128, 0), "blue": (0, 0, 255),
    "yellow": (255, 255, 0), "cyan": (0, 255, 255), "aqua": (0, 255, 255),
    "magenta": (255, 0, 255), "fuchsia": (255, 0, 255), "silver": (192, 192, 192),
    "gray": (128, 128, 128), "grey": (128, 128, 128), "maroon": (128, 0, 0),
    "olive": (128, 128, 0), "purple": (128, 0, 128), "teal": (0, 128, 128),
    "navy": (0, 0, 128), "orange": (255, 165, 0), "gold": (255, 215, 0),
    "pink": (255, 192, 203), "brown": (165, 42, 42), "violet": (238, 130, 238),
    "indigo": (75, 0, 130), "turquoise": (64, 224, 208), "darkred": (139, 0, 0),
    "darkgreen": (0, 100, 0), "darkblue": (0, 0, 139), "lightblue": (173, 216, 230),
    "lightgreen": (144, 238, 144), "skyblue": (135, 206, 235), "crimson": (220, 20, 60),
    "coral": (255, 127, 80), "salmon": (250, 128, 114), "khaki": (240, 230, 140),
    "beige": (245, 245, 220), "tan": (210, 180, 140), "darkgray": (169, 169, 169),
    "darkgrey": (169, 169, 169), "lightgray": (211, 211, 211),
    "lightgrey": (211, 211, 211), "orangered": (255, 69, 0), "tomato": (255, 99, 71),
}

# Colours handed out, in order, to categories that have none.
_DEFAULT_COLORS = ("yellow", "green", "cyan", "magenta", "blue", "red",
                   "bright_yellow", "bright_green", "bright_cyan", "bright_magenta",
                   "bright_blue", "bright_red", "white", "bright_white")

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_EPS = 1e-6
# Bigger than any real hall in character cells; stops a stray coordinate from building a
# drawing of a billion columns.
_MAX_COLUMNS = 2000
_MAX_LINES = 5000

Scheme = tuple[str, int, int]   # (numbering, first, step)


# --------------------------------------------------------------------------- checking


def _fail(path: str, message: str) -> NoReturn:
    raise PretixImportError(f"{path}: {message}")


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _join(path: str, key: str) -> str:
    return key if path == "plan" else f"{path}.{key}"


def _object(value: object, path: str) -> dict[str, object]:
    if not isinstance(value, dict):
        _fail(path, f"expected an object, got {_kind(value)}")
    for key in value:
        if not isinstance(key, str):
            _fail(path, f"key {key!r} is not a string")
    return value


def _need(obj: dict[str, object], key: str, path: str) -> object:
    if key not in obj:
        _fail(path, f"no {key}")
    return obj[key]


def _list(value: object, path: str) -> list[object]:
    if not isinstance(value, list):
        _fail(path, f"expected a list, got {_kind(value)}")
    return value


def _string(value: object, path: str, *, allow_int: bool = False) -> str:
    if isinstance(value, str):
        return value
    if allow_int and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    _fail(path, f"expected a string, got {_kind(value)}")


def _number(value: object, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(path, f"expected a number, got {_kind(value)}")
    result = float(value)
    if not math.isfinite(result):
        _fail(path, f"expected a finite number, got {value!r}")
    return result


def _position(obj: dict[str, object], path: str, *, required: bool) -> tuple[float, float]:
    if "position" not in obj:
        if required:
            _fail(path, "no position")
        return (0.0, 0.0)
    where = _join(path, "position")
    pos = _object(obj["position"], where)
    x = _number(_need(pos, "x", where), f"{where}.x")
    y = _number(_need(pos, "y", where), f"{where}.y")
    return (x, y)


# --------------------------------------------------------------------------- parsing


@dataclass
class _Seat:
    path: str
    guid: str
    number: str
    category: str
    x: float
    y: float
    order: int
    col: int = 0
    new_number: int = 0


@dataclass
class _Row:
    path: str
    row_number: str
    seats: list[_Seat]
    y: float
    order: int
    label: str = ""
    line: int = 0
    ints: list[int] | None = None


@dataclass
class _Zone:
    path: str
    name: str
    rows: list[_Row]
    areas: int


@dataclass
class _Category:
    name: str
    color: str | None
    path: str


def _parse_plan(plan: object, warnings: list[str]) -> tuple[str, list[_Category], list[_Zone]]:
    top = _object(plan, "plan")
    if "zones" not in top and isinstance(top.get("layout"), dict):
        # The REST resource: {"id": ..., "name": ..., "layout": {the plan}}
        top = _object(top["layout"], "layout")
    name = _string(_need(top, "name", "plan"), "name")
    raw_categories = _list(_need(top, "categories", "plan"), "categories")
    raw_zones = _list(_need(top, "zones", "plan"), "zones")
    if "size" in top and top["size"] is not None:
        size = _object(top["size"], "size")
        for key in ("width", "height"):
            if key in size:
                _number(size[key], f"size.{key}")

    categories: list[_Category] = []
    seen_names: dict[str, str] = {}
    for ci, raw in enumerate(raw_categories):
        path = f"categories[{ci}]"
        cat = _object(raw, path)
        cname = _string(_need(cat, "name", path), f"{path}.name")
        if not cname.strip():
            _fail(f"{path}.name", "is empty")
        if cname in seen_names:
            _fail(f"{path}.name", f"{cname!r} is already the name of {seen_names[cname]}")
        seen_names[cname] = path
        color: str | None = None
        if cat.get("color") is not None:
            color = _string(cat["color"], f"{path}.color")
        categories.append(_Category(cname, color, path))

    if not raw_zones:
        _fail("zones", "the plan has no zones")
    zones: list[_Zone] = []
    guids: dict[str, str] = {}
    for zi, raw_zone in enumerate(raw_zones):
        zpath = f"zones[{zi}]"
        zone = _object(raw_zone, zpath)
        zname = ""
        if zone.get("name") is not None:
            zname = _string(zone["name"], f"{zpath}.name").strip()
        if not zname and zone.get("zone_id") is not None:
            zname = _string(zone["zone_id"], f"{zpath}.zone_id", allow_int=True).strip()
        if not zname:
            zname = f"Zone {zi + 1}"
        zx, zy = _position(zone, zpath, required=True)
        raw_rows = _list(_need(zone, "rows", zpath), f"{zpath}.rows")
        areas = 0
        if zone.get("areas") is not None:
            areas = len(_list(zone["areas"], f"{zpath}.areas"))
        rows: list[_Row] = []
        for ri, raw_row in enumerate(raw_rows):
            rpath = f"{zpath}.rows[{ri}]"
            row = _object(raw_row, rpath)
            row_number = _string(_need(row, "row_number", rpath), f"{rpath}.row_number",
                                 allow_int=True)
            rx, ry = _position(row, rpath, required=False)
            raw_seats = _list(_need(row, "seats", rpath), f"{rpath}.seats")
            seats: list[_Seat] = []
            for si, raw_seat in enumerate(raw_seats):
                spath = f"{rpath}.seats[{si}]"
                seat = _object(raw_seat, spath)
                guid = _string(_need(seat, "seat_guid", spath), f"{spath}.seat_guid",
                               allow_int=True)
                number = _string(_need(seat, "seat_number", spath), f"{spath}.seat_number",
                                 allow_int=True)
                sx, sy = _position(seat, spath, required=True)
                category = _string(_need(seat, "category", spath), f"{spath}.category")
                if guid in guids:
                    warnings.append(f"{spath}: seat_guid {guid!r} is also used by "
                                    f"{guids[guid]}")
                else:
                    guids[guid] = spath
                seats.append(_Seat(spath, guid, number, category,
                                   zx + rx + sx, zy + ry + sy, si))
            if not seats:
                warnings.append(f"{rpath}: row {row_number!r} of zone {zname!r} has no seats; "
                                "skipped")
                continue
            ys = sorted(s.y for s in seats)
            rows.append(_Row(rpath, row_number, seats, _median(ys), ri))
        if areas:
            warnings.append(f"{zpath}: {areas} area(s) of zone {zname!r} (stage, text, "
                            "shapes) are decoration in pretix and were not converted")
        if not rows:
            warnings.append(f"{zpath}: zone {zname!r} has no seats; skipped")
            continue
        zones.append(_Zone(zpath, zname, rows, areas))
    if not zones:
        _fail("zones", "the plan has no seats")
    return name, categories, zones


# --------------------------------------------------------------------------- helpers


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    if n % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def _snap(value: float) -> int:
    return math.floor(value + 0.5)


def _ascii_upper(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.upper())
    return text.encode("ascii", "ignore").decode("ascii")


def _code(text: str) -> str:
    code = re.sub(r"[^A-Z0-9]+", "-", _ascii_upper(text))
    return code.strip("-")


def _unique(base: str, taken: set[str], joiner: str = "-") -> str:
    if base not in taken:
        taken.add(base)
        return base
    n = 2
    while f"{base}{joiner}{n}" in taken:
        n += 1
    result = f"{base}{joiner}{n}"
    taken.add(result)
    return result


def _unique_label(base: str, taken: set[str]) -> str:
    candidates = [base] + [base + letter for letter in _LETTERS[1:]]
    for candidate in candidates:
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    return _unique(base, taken, joiner="X")


def _clean_label(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]", "", text)


def _parse_color(text: str) -> tuple[int, int, int] | None:
    value = text.strip().lower()
    if value in _CSS_COLORS:
        return _CSS_COLORS[value]
    match = re.fullmatch(r"#?([0-9a-f]{3,8})", value)
    if match:
        digits = match.group(1)
        if len(digits) in (3, 4):
            return (int(digits[0] * 2, 16), int(digits[1] * 2, 16), int(digits[2] * 2, 16))
        if len(digits) in (6, 8):
            return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
        return None
    match = re.fullmatch(r"rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*"
                         r"(?:,\s*[0-9.]+%?\s*)?\)", value)
    if match:
        r, g, b = (min(255, int(match.group(i))) for i in (1, 2, 3))
        return (r, g, b)
    return None


def _lab(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    """sRGB (0-255) to CIE L*a*b* (D65)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


_TERMINAL_LAB = {name: _lab(rgb) for name, rgb in TERMINAL_COLORS.items()}


def nearest_terminal_color(rgb: tuple[int, int, int]) -> str:
    """The terminal colour nearest to `rgb`: the smallest CIE76 colour difference (delta E
    in L*a*b*), so a muted green is green rather than grey."""
    lab = _lab(rgb)
    return min(_TERMINAL_LAB, key=lambda name: math.dist(lab, _TERMINAL_LAB[name]))


def _toml_str(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _comment(text: str) -> str:
    flat = "".join(" " if ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in text)
    return f"# {flat}".rstrip()


def _parse_int(text: str) -> int | None:
    value = text.strip()
    if value.isascii() and value.isdigit():
        return int(value)
    return None


def _numbers(scheme: Scheme, count: int) -> list[int]:
    """The numbers `scheme` gives to `count` seats, listed left to right."""
    numbering, first, step = scheme
    numbers = [first + i * step for i in range(count)]
    return numbers if numbering == "left-to-right" else numbers[::-1]


def _own_scheme(ints: list[int]) -> Scheme | None:
    """The scheme of a row of two or more seats whose numbers (left to right) are `ints`."""
    step = ints[1] - ints[0]
    if step == 0 or any(b - a != step for a, b in itertools.pairwise(ints)):
        return None
    if step > 0:
        return ("left-to-right", ints[0], step)
    return ("right-to-left", ints[-1], -step)


def _describe(scheme: Scheme) -> str:
    numbering, first, step = scheme
    direction = "left to right" if numbering == "left-to-right" else "right to left"
    return f"{first}, {first + step}, {first + 2 * step}, ... {direction}"


# --------------------------------------------------------------------------- layout


@dataclass
class _Run:
    rows: list[_Row] = field(default_factory=list)
    scheme: Scheme | None = None
    single: int | None = None

    def fits(self, row: _Row) -> bool:
        if row.ints is None:
            return True
        if self.scheme is not None:
            return _numbers(self.scheme, len(row.ints)) == row.ints
        if len(row.ints) == 1:
            return self.single is None or self.single == row.ints[0]
        own = _own_scheme(row.ints)
        assert own is not None
        return all(_numbers(own, len(r.ints)) == r.ints for r in self.rows if r.ints)

    def add(self, row: _Row) -> None:
        self.rows.append(row)
        if row.ints is None or self.scheme is not None:
            return
        if len(row.ints) == 1:
            self.single = row.ints[0]
        else:
            self.scheme = _own_scheme(row.ints)

    def final_scheme(self) -> Scheme:
        if self.scheme is not None:
            return self.scheme
        return ("left-to-right", self.single if self.single is not None else 1, 1)


@dataclass
class _Section:
    code: str
    name: str
    zone: _Zone
    rows: list[_Row]
    scheme: Scheme
    unmapped: list[_Row]
    col: int = 0          # column of the line start (first label character)
    line: int = 0         # line of the first row
    width: int = 0
    height: int = 0
    label_width: int = 0
    first_col: int = 0    # grid column of the leftmost seat

    def box(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom), exclusive right/bottom; the title line included."""
        return (self.col, self.line - 1, self.col + self.width, self.line + self.height)


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _pitches(zones: list[_Zone], cell_width: float | None) -> tuple[float, float]:
    xgaps: list[float] = []
    ygaps: list[float] = []
    for zone in zones:
        for row in zone.rows:
            xs = sorted(s.x for s in row.seats)
            xgaps.extend(b - a for a, b in itertools.pairwise(xs) if b - a > _EPS)
        ys = sorted({round(r.y, 6) for r in zone.rows})
        ygaps.extend(b - a for a, b in itertools.pairwise(ys) if b - a > _EPS)
    xpitch = cell_width if cell_width is not None else (_median(xgaps) if xgaps else 0.0)
    ypitch = _median(ygaps) if ygaps else 0.0
    if xpitch <= 0:
        xpitch = ypitch if ypitch > 0 else 1.0
    if ypitch <= 0:
        ypitch = xpitch
    return xpitch, ypitch


def _layout(zones: list[_Zone], xpitch: float, ypitch: float,
            warnings: list[str]) -> list[_Section]:
    x0 = min(s.x for z in zones for r in z.rows for s in r.seats)
    y0 = min(r.y for z in zones for r in z.rows)
    sections: list[_Section] = []
    codes: set[str] = set()
    for zone in zones:
        # Rows: snap to lines; a row_number seen twice on the same line is one row.
        merged: dict[tuple[str, int], _Row] = {}
        ordered: list[_Row] = []
        for row in sorted(zone.rows, key=lambda r: (r.y, r.order)):
            key = (row.row_number, _snap((row.y - y0) / ypitch))
            if key in merged:
                target = merged[key]
                target.seats.extend(row.seats)
                target.path = f"{target.path}+{row.path.rsplit('.', 1)[-1]}"
                continue
            merged[key] = row
            ordered.append(row)
        previous_line: int | None = None
        labels: set[str] = set()
        for row in ordered:
            line = _snap((row.y - y0) / ypitch)
            if previous_line is not None and line <= previous_line:
                line = previous_line + 1
            row.line = previous_line = line
            label = _unique_label(_clean_label(row.row_number) or "R", labels)
            if label != row.row_number:
                warnings.append(f"{row.path}: row {row.row_number!r} of zone {zone.name!r} "
                                f"is labelled {label!r} (labels are letters and digits, "
                                "unique in a section)")
            row.label = label
            # Seats: snap to columns, left to right; a taken column moves a seat right.
            row.seats.sort(key=lambda s: (s.x, s.order))
            previous_col: int | None = None
            for seat in row.seats:
                col = _snap((seat.x - x0) / xpitch)
                if previous_col is not None and col <= previous_col:
                    col = previous_col + 1
                seat.col = previous_col = col
            ints = [_parse_int(s.number) for s in row.seats]
            row.ints = None if any(i is None for i in ints) else [i for i in ints if i is not None]
            if row.ints is not None and len(row.ints) > 1 and _own_scheme(row.ints) is None:
                row.ints = None

        # Consecutive rows that share a numbering form one section.
        runs: list[_Run] = []
        for row in ordered:
            if not runs or not runs[-1].fits(row):
                runs.append(_Run())
            runs[-1].add(row)
        base_code = _code(zone.name) or "ZONE"
        if len(runs) > 1:
            warnings.append(f"{zone.path}: the rows of zone {zone.name!r} are numbered in "
                            f"{len(runs)} different ways; the zone is split into {len(runs)} "
                            "sections to keep the pretix seat numbers")
        for run in runs:
            name = zone.name
            if len(runs) > 1:
                name = f"{zone.name}, rows {run.rows[0].label}-{run.rows[-1].label}" \
                    if len(run.rows) > 1 else f"{zone.name}, row {run.rows[0].label}"
            scheme = run.final_scheme()
            unmapped = [r for r in run.rows if r.ints is None]
            section = _Section(_unique(base_code, codes), name, zone, run.rows, scheme,
                               unmapped)
            for row in unmapped:
                shown = ", ".join(s.number for s in row.seats)
                warnings.append(f"{row.path}: seat numbers of row {row.row_number!r} in zone "
                                f"{zone.name!r} ({shown}) are not a constant-step sequence "
                                f"of whole numbers; section {section.code} numbers them "
                                f"{_describe(scheme)}")
            for row in run.rows:
                for seat, number in zip(row.seats, _numbers(scheme, len(row.seats)), strict=True):
                    seat.new_number = number
            sections.append(section)

    for section in sections:
        section.label_width = max(len(r.label) for r in section.rows)
        section.first_col = min(r.seats[0].col for r in section.rows)
        last_col = max(r.seats[-1].col for r in section.rows)
        section.width = section.label_width + 1 + last_col - section.first_col + 1
        section.line = section.rows[0].line
        section.height = section.rows[-1].line - section.line + 1
        section.col = section.first_col - section.label_width - 1
        if section.width > _MAX_COLUMNS or section.height > _MAX_LINES:
            raise PretixImportError(
                f"{section.zone.path}: zone {section.zone.name!r} would be drawn "
                f"{section.width} columns by {section.height} lines (seat pitch "
                f"{xpitch:g} x {ypitch:g}); a larger cell_width makes it narrower")
    # Everything on the drawing: columns from 0, the first title line on line 0.
    shift_col = -min(s.col for s in sections)
    shift_line = 1 - min(s.line for s in sections)
    for section in sections:
        section.col += shift_col
        section.line += shift_line
    _separate(sections)
    right = max(s.col + s.width for s in sections)
    bottom = max(s.line + s.height for s in sections)
    if right > _MAX_COLUMNS or bottom > _MAX_LINES:
        raise PretixImportError(
            f"zones: the plan would be drawn {right} columns by {bottom} lines (seat pitch "
            f"{xpitch:g} x {ypitch:g}); are some zones or seats far off? A larger "
            "cell_width makes it narrower")
    return sections


def _separate(sections: list[_Section]) -> None:
    """Move sections so that none overlaps another: a little to the right if that is
    enough, otherwise down below what is in the way."""
    placed: list[_Section] = []
    for section in sorted(sections, key=lambda s: (s.line, s.col)):
        origin_col = section.col
        while True:
            hits = [p for p in placed if _overlaps(section.box(), p.box())]
            if not hits:
                break
            # one blank column after the neighbour, so labels do not touch its seats
            trial_col = max(p.box()[2] for p in hits) + 1
            if trial_col - origin_col <= max(4, section.width // 4):
                section.col = trial_col
                if not any(_overlaps(section.box(), p.box()) for p in placed):
                    break
            # below what is in the way, one blank line apart (as sections without `at`)
            section.col = origin_col
            section.line = max(p.box()[3] for p in hits) + 2
        placed.append(section)


# --------------------------------------------------------------------------- output


def _row_text(row: _Row, section: _Section, letters: dict[str, str]) -> str:
    cells = [" "] * (row.seats[-1].col - section.first_col + 1)
    for seat in row.seats:
        cells[seat.col - section.first_col] = letters[seat.category]
    return f"{row.label.rjust(section.label_width)}:{''.join(cells)}".rstrip()


def _render(plan_name: str, venue_code: str, zone_lines: list[str],
            sections: list[_Section], letters: dict[str, str], warnings: list[str],
            seat_count: int) -> str:
    out: list[str] = [
        _comment(f"Converted from the pretix seating plan {plan_name!r}: "
                 f"{len(sections)} section(s), {seat_count} seats."),
    ]
    if warnings:
        out.append("# Conversion warnings:")
        out.extend(_comment(f"- {w}") for w in warnings)
    out += ["format = 1", "", "[venue]",
            f"code = {_toml_str(venue_code)}",
            f"name = {_toml_str(plan_name.strip() or 'Imported pretix plan')}",
            'kind = "hall"', "", "[zones]"]
    out += zone_lines
    for section in sections:
        numbering, first, step = section.scheme
        out += ["", "[[section]]",
                f"code = {_toml_str(section.code)}",
                f"name = {_toml_str(section.name)}",
                f"at = [{section.col}, {section.line}]",
                f"numbering = {_toml_str(numbering)}",
                f"first = {first}",
                f"step = {step}"]
        for row in section.unmapped:
            out.append(_comment(
                f"row {row.label}: the pretix seat numbers "
                f"({', '.join(s.number for s in row.seats)}) could not be mapped; "
                f"numbered {_describe(section.scheme)}"))
        out.append("rows = '''")
        previous: int | None = None
        for row in section.rows:
            if previous is not None:
                out.extend("" for _ in range(row.line - previous - 1))
            out.append(_row_text(row, section, letters))
            previous = row.line
        out.append("'''")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- API


def convert_pretix(plan: object, *, venue_code: str | None = None,
                   cell_width: float | None = None) -> PretixConversion:
    """Convert a pretix seating plan (the decoded JSON) to a seat map.

    Returns the TOML text, the warnings (also written into the TOML as comments) and,
    for every pretix seat, where it is in the seat map. Raises PretixImportError when
    the plan is not a pretix seating plan.
    """
    if venue_code is not None and not re.fullmatch(r"[A-Z0-9_-]+", venue_code):
        raise PretixImportError(f"venue_code {venue_code!r}: use upper-case letters, "
                                "digits, '-' or '_'")
    if cell_width is not None and (
            isinstance(cell_width, bool) or not isinstance(cell_width, (int, float))
            or not math.isfinite(cell_width) or cell_width <= 0):
        raise PretixImportError(f"cell_width {cell_width!r}: expected a positive number")
    warnings: list[str] = []
    plan_name, categories, zones = _parse_plan(plan, warnings)

    # Categories become zones A, B, C, ... in order; categories that seats name but the
    # plan does not define get letters after them.
    used: list[str] = []
    used_set: set[str] = set()
    for zone in zones:
        for row in zone.rows:
            for seat in row.seats:
                if seat.category not in used_set:
                    used_set.add(seat.category)
                    used.append(seat.category)
    defined = {c.name for c in categories}
    extra = [name for name in used if name not in defined]
    for name in extra:
        first = next(s.path for z in zones for r in z.rows for s in r.seats
                     if s.category == name)
        shown = repr(name) if name else "(empty)"
        warnings.append(f"{first}: category {shown} is not in the plan's categories; "
                        "it becomes a zone of its own")
    all_categories = categories + [_Category(n, None, "") for n in extra]
    if len(all_categories) > len(_LETTERS):
        raise PretixImportError(f"categories: {len(all_categories)} categories, but a seat "
                                f"map has at most {len(_LETTERS)} zones (A-Z)")
    letters: dict[str, str] = {}
    zone_lines: list[str] = []
    defaults = iter(_DEFAULT_COLORS * 2)
    for letter, category in zip(_LETTERS, all_categories, strict=False):
        letters[category.name] = letter
        color: str | None = None
        if category.color is not None:
            rgb = _parse_color(category.color)
            if rgb is None:
                warnings.append(f"{category.path}.color: cannot read colour "
                                f"{category.color!r}; using a default")
            else:
                color = nearest_terminal_color(rgb)
        if color is None:
            color = next(defaults)
        zname = category.name.strip() or "Uncategorised seats"
        zone_lines.append(f"{letter} = {{ name = {_toml_str(zname)}, "
                          f"color = {_toml_str(color)} }}")
        if category.name not in used_set:
            warnings.append(f"{category.path}: category {category.name!r} has no seats")

    xpitch, ypitch = _pitches(zones, cell_width)
    sections = _layout(zones, xpitch, ypitch, warnings)

    code = venue_code or re.sub(r"-+", "-", _code(plan_name)) or "PRETIX"
    seats: list[ImportedSeat] = []
    for section in sections:
        for row in section.rows:
            for seat in row.seats:
                seats.append(ImportedSeat(
                    path=seat.path, guid=seat.guid, zone=section.zone.name,
                    row_number=row.row_number, seat_number=seat.number,
                    category=seat.category, section=section.code, row=row.label,
                    number=seat.new_number, zone_letter=letters[seat.category]))
    seats.sort(key=lambda s: _path_key(s.path))
    text = _render(plan_name, code, zone_lines, sections, letters, warnings, len(seats))
    return PretixConversion(toml=text, warnings=warnings, seats=seats)


def _path_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\[(\d+)\]", path))


def convert_pretix_plan(plan: object, *, venue_code: str | None = None,
                        cell_width: float | None = None) -> str:
    """The TOML text of the seat map for a pretix seating plan; see convert_pretix."""
    return convert_pretix(plan, venue_code=venue_code, cell_width=cell_width).toml


def convert_pretix_json(text: str | bytes, *, venue_code: str | None = None,
                        cell_width: float | None = None) -> PretixConversion:
    """Like convert_pretix, from the JSON text of a plan (as exported by pretix)."""
    try:
        plan = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PretixImportError(f"plan: not JSON ({exc})") from None
    return convert_pretix(plan, venue_code=venue_code, cell_width=cell_width)
