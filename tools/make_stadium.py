"""Generate the Harbor Stadium seat map, seatmaps/harbor-stadium.toml.

The stadium has 48 reserved sections in two rings around the field, and too
many seats to draw by hand, so this script writes the file. Run it from the
repository root and commit its output together with any change to it:

    python tools/make_stadium.py > seatmaps/harbor-stadium.toml

Standard library only. The output follows docs/seatmap-format.md: every
section's rows are an ASCII grid (row 1 is nearest the field, seats numbered
left to right as seen facing the field), and the [overview] drawing below
shows each section code and the field once, where a seller expects them.

Layout, clockwise from the top-left corner of the overview:

    lower ring  124 corner, 101-106 north sideline, 107 corner,
                108-111 east end, 112 corner, 113-118 south sideline,
                119 corner, 120-123 west end
    upper ring  the same with 2xx: 224, 201-206, 207, 208-211, 212, ...
"""

from __future__ import annotations

import re
import sys

ZONES = [
    # letter, name, colour
    ("A", "Lower Sideline", "yellow"),
    ("B", "Lower End and Corner", "green"),
    ("C", "Upper Sideline", "cyan"),
    ("D", "Upper End and Corner", "blue"),
    ("E", "Field (standing)", "magenta"),
]

# Wheelchair platforms: a space for a wheelchair beside a companion seat.
LEGEND = [
    # character, zone, flags, comment
    ("w", "A", "wheelchair = true", "wheelchair space, lower sideline"),
    ("c", "A", "companion = true", "companion seat, lower sideline"),
    ("v", "B", "wheelchair = true", "wheelchair space, lower end"),
    ("k", "B", "companion = true", "companion seat, lower end"),
]

FIELD_CAPACITY = 2500

OVERVIEW = """\
 224            201     202     203      204     205     206            207
     +----------------------------------------------------------------+
     |                                                                |
     | 124      101     102     103      104     105     106      107 |
     |      +--------------------------------------------------+      |
 223 | 123  |                         :                        |  108 | 208
     |      |                         :                        |      |
 222 | 122  |                         :                        |  109 | 209
     |      |]                      FIELD                     [|      |
 221 | 121  |                         :                        |  110 | 210
     |      |                         :                        |      |
 220 | 120  |                         :                        |  111 | 211
     |      +--------------------------------------------------+      |
     | 119      118     117     116      115     114     113      112 |
     |                                                                |
     +----------------------------------------------------------------+
 219            218     217     216      215     214     213            212
"""

# Shapes: (rows, seats in row 1, one more seat every this many rows).
LOWER_SIDELINE = (28, 26, 7)
LOWER_END = (26, 24, 7)
UPPER_SIDELINE = (31, 31, 8)
UPPER_END = (28, 28, 7)
# Corners are wedges: (rows, seats in row 1, seats in the last row).
LOWER_CORNER = (26, 12, 26)
UPPER_CORNER = (28, 16, 32)

VOMITORY_ROWS = range(21, 28)  # a tunnel through the back of lower sideline sections
VOMITORY_WIDTH = 6
PLATFORM_PAIRS = 6  # wheelchair + companion pairs on a back-row platform


def widths_widening(rows: int, front: int, every: int) -> list[int]:
    return [front + (r - 1) // every for r in range(1, rows + 1)]


def widths_wedge(rows: int, front: int, back: int) -> list[int]:
    return [front + (back - front) * (r - 1) // (rows - 1) for r in range(1, rows + 1)]


def grid(
    widths: list[int],
    zone: str,
    vomitory: bool = False,
    platform: str | None = None,
) -> str:
    """The rows of one section, each row centred on the section's axis.

    vomitory: leave a tunnel mouth (no seats) in the middle of VOMITORY_ROWS.
    platform: two legend characters (wheelchair, companion); the last row then
    has PLATFORM_PAIRS pairs of them in the middle, regular seats either side.
    """
    widest = max(widths)
    lines = []
    for row, width in enumerate(widths, start=1):
        cells = [zone] * width
        middle = width // 2
        if vomitory and row in VOMITORY_ROWS:
            start = middle - VOMITORY_WIDTH // 2
            cells[start : start + VOMITORY_WIDTH] = [" "] * VOMITORY_WIDTH
        if platform and row == len(widths):
            pairs = list(platform * PLATFORM_PAIRS)
            start = middle - len(pairs) // 2
            cells[start : start + len(pairs)] = pairs
        lead = " " * ((widest - width) // 2)
        lines.append(f"{row:>2}: {lead}{''.join(cells)}".rstrip())
    return "\n".join(lines)


def sections() -> list[tuple[str, str, str]]:
    """(code, name, rows) for every section, in overview order."""
    out = []

    def add(code: int, name: str, rows: str) -> None:
        out.append((str(code), f"{name} {code}", rows))

    for ring, first in (("Lower", 100), ("Upper", 200)):
        lower = ring == "Lower"
        side_zone, end_zone = ("A", "B") if lower else ("C", "D")
        side = widths_widening(*(LOWER_SIDELINE if lower else UPPER_SIDELINE))
        end = widths_widening(*(LOWER_END if lower else UPPER_END))
        corner = widths_wedge(*(LOWER_CORNER if lower else UPPER_CORNER))
        sidelines = [*range(first + 1, first + 7), *range(first + 13, first + 19)]
        ends = [*range(first + 8, first + 12), *range(first + 20, first + 24)]
        corners = [first + 7, first + 12, first + 19, first + 24]
        for n in range(first + 1, first + 25):
            if n in sidelines:
                # The four middle sideline sections have a wheelchair platform.
                middle = (n - first) in (2, 3, 4, 5, 14, 15, 16, 17)
                rows = grid(
                    side,
                    side_zone,
                    vomitory=lower,
                    platform="wc" if lower and middle else None,
                )
                add(n, f"{ring} Sideline", rows)
            elif n in ends:
                middle = (n - first) in (9, 10, 21, 22)
                rows = grid(end, end_zone, platform="vk" if lower and middle else None)
                add(n, f"{ring} End", rows)
            else:
                assert n in corners
                add(n, f"{ring} Corner", grid(corner, end_zone))
    return out


def main() -> None:
    secs = sections()
    codes = [code for code, _, _ in secs] + ["FIELD"]
    words = re.findall(r"[A-Za-z0-9_-]+", OVERVIEW)
    for code in codes:
        assert words.count(code) == 1, f"{code} must appear once in the overview"
    assert max(len(line) for line in OVERVIEW.splitlines()) <= 76

    out = sys.stdout
    w = out.write
    w("# Harbor Stadium: a bowl of two rings of 24 sections around the field,\n")
    w("# plus standing room on the field.\n")
    w("# GENERATED by tools/make_stadium.py; edit that script, not this file:\n")
    w("#     python tools/make_stadium.py > seatmaps/harbor-stadium.toml\n")
    w("#\n")
    w("# Each section is drawn facing the field: row 1 at the top, seats numbered\n")
    w("# left to right. Lower sideline sections have a vomitory (tunnel mouth)\n")
    w(f"# through rows {VOMITORY_ROWS[0]}-{VOMITORY_ROWS[-1]}. The middle lower sections\n")
    w("# have a wheelchair platform on their back row: w and v are wheelchair\n")
    w("# spaces, c and k companion seats.\n\n")
    w("format = 1\n\n")
    w('[venue]\ncode = "HARBOR"\nname = "Harbor Stadium"\nkind = "stadium"\n\n')
    w("[zones]\n")
    for letter, name, color in ZONES:
        w(f'{letter} = {{ name = "{name}", color = "{color}" }}\n')
    w("\n[legend]\n")
    for char, zone, flags, comment in LEGEND:
        entry = f'{char} = {{ zone = "{zone}", {flags} }}'
        w(f"{entry:<42} # {comment}\n")
    w("\n[overview]\ndrawing = '''\n")
    w(OVERVIEW)
    w("'''\n\n")
    w("[[area]]\n")
    w('code = "FIELD"\nname = "Field"\nzone = "E"\n')
    w(f"capacity = {FIELD_CAPACITY}\n")
    for code, name, rows in secs:
        w("\n[[section]]\n")
        w(f'code = "{code}"\nname = "{name}"\n')
        w(f"rows = '''\n{rows}\n'''\n")


if __name__ == "__main__":
    main()
