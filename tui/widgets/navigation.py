"""Keyboard cursor movement over points of a drawing (seats, or overview hotspots)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence


class RowNavigator:
    """Moves over seats line by line: left/right within a drawn line, up/down to the
    nearest seat on the next line that has seats. Points are (x, y)."""

    def __init__(self, points: Sequence[tuple[int, int]]) -> None:
        self.points = list(points)
        self._lines: dict[int, list[tuple[int, int]]] = {}
        for index, (x, y) in enumerate(self.points):
            self._lines.setdefault(y, []).append((x, index))
        for line in self._lines.values():
            line.sort()
        self.ys = sorted(self._lines)

    def _line_position(self, index: int) -> tuple[list[tuple[int, int]], int]:
        x, y = self.points[index]
        line = self._lines[y]
        return line, bisect.bisect_left(line, (x, index))

    def horizontal(self, index: int, delta: int) -> int:
        line, position = self._line_position(index)
        return line[max(0, min(len(line) - 1, position + delta))][1]

    def line_end(self, index: int, last: bool) -> int:
        line, _ = self._line_position(index)
        return line[-1 if last else 0][1]

    def vertical(self, index: int, lines: int) -> int:
        """Move `lines` seat lines down (negative: up), to the seat nearest in column."""
        x, y = self.points[index]
        position = bisect.bisect_left(self.ys, y) + lines
        target_y = self.ys[max(0, min(len(self.ys) - 1, position))]
        return self.nearest_on_line(target_y, x)

    def nearest_on_line(self, y: int, x: int) -> int:
        line = self._lines[y]
        position = bisect.bisect_left(line, (x, -1))
        candidates = line[max(0, position - 1): position + 1]
        return min(candidates, key=lambda item: (abs(item[0] - x), item[0]))[1]

    def at_or_below(self, y: int, x: int) -> int:
        """The seat nearest `x` on the first seat line at or below drawing line `y`."""
        position = min(bisect.bisect_left(self.ys, y), len(self.ys) - 1)
        return self.nearest_on_line(self.ys[position], x)


class DirectionalNavigator:
    """Moves between scattered points (the sections of an overview): to the nearest point
    in the pressed direction, preferring points straight ahead."""

    def __init__(self, points: Sequence[tuple[int, int]]) -> None:
        self.points = list(points)

    def move(self, index: int, dx: int, dy: int) -> int:
        x0, y0 = self.points[index]
        best, best_score = index, None
        for candidate, (x, y) in enumerate(self.points):
            ahead = (x - x0) * dx + (y - y0) * dy * 2   # a line is about 2 columns tall
            if candidate == index or ahead <= 0:
                continue
            across = abs((x - x0) * dy) + abs((y - y0) * dx) * 2
            score = ahead + 2 * across
            if best_score is None or score < best_score:
                best, best_score = candidate, score
        return best
