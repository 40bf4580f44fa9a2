"""Where things are in a seat map file, for error messages.

tomllib gives values but no positions, so this scans the text for table headers, keys and
the start of multi-line strings. It understands the style the format documents; for
anything fancier it falls back to the nearest header it knows.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=\s*""")


class Locator:
    """Maps (table, index, key) to 1-based (line, column) positions in the source."""

    def __init__(self, text: str) -> None:
        self.headers: dict[tuple[str, int], int] = {}
        self.keys: dict[tuple[str, int, str], tuple[int, int]] = {}
        # where the content of a multi-line string starts: (line, column) of its first char
        self.strings: dict[tuple[str, int, str], tuple[int, int]] = {}
        counts: dict[str, int] = {}
        table, index = "", 0
        closing: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if closing is not None:
                if closing in line:
                    closing = None
                continue
            header = _HEADER.match(line)
            if header:
                table = header.group(2)
                if header.group(1) == "[[":
                    index = counts.get(table, 0)
                    counts[table] = index + 1
                else:
                    index = 0
                self.headers.setdefault((table, index), number)
                continue
            key = _KEY.match(line)
            if not key:
                continue
            name = key.group(1).strip("\"'")
            self.keys.setdefault((table, index, name), (number, key.start(1) + 1))
            rest = line[key.end():]
            for delimiter in ("'''", '"""'):
                if rest.startswith(delimiter):
                    after = rest[3:]
                    if after.strip() == "":
                        self.strings[(table, index, name)] = (number + 1, 1)
                    else:
                        self.strings[(table, index, name)] = (
                            number, key.end() + 3 + 1)
                    if delimiter not in after:
                        closing = delimiter
                    break

    def key(self, table: str, index: int, key: str | None = None) -> tuple[int, int]:
        if key is not None and (table, index, key) in self.keys:
            return self.keys[(table, index, key)]
        if (table, index) in self.headers:
            return (self.headers[(table, index)], 1)
        return (1, 1)

    def text_position(self, table: str, index: int, key: str,
                      line_index: int, column_index: int) -> tuple[int, int]:
        """Position of character `column_index` of line `line_index` of a string value."""
        start = self.strings.get((table, index, key))
        if start is None:
            return self.key(table, index, key)
        first_line, first_column = start
        if line_index == 0:
            return (first_line, first_column + column_index)
        return (first_line + line_index, column_index + 1)
