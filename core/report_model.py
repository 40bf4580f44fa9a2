"""What every report is made of, and its plain exports: a `Report` is a title, a few
facts and tables of typed cells. Money cells hold integer cents (`Cents`), so CSV and
JSON carry exact amounts; the text table, CSV and JSON renderings live here, the PDF in
`core.report_pdf`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.errors import BoxOfficeError
from core.money import format_cents
from core.times import stamp


class Cents(int):
    """An amount of money in cents (a cell shown as 123.45, exported exactly)."""


Cell = str | int | Cents | None


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total: tuple[Cell, ...] | None = None     # a totals row, shown last

    def column(self, name: str) -> list[Cell]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class Chart:
    """A line chart: each series is (name, points (x, y)); the PDF draws it, the window
    app plots it; CSV and JSON carry the same figures in the report's tables."""

    title: str
    x_label: str
    y_label: str
    series: tuple[tuple[str, tuple[tuple[int, int], ...]], ...]
    reversed_x: bool = False      # e.g. days before a start: 60 on the left, 0 on the right


@dataclass(frozen=True)
class Report:
    name: str                                 # as on the command line: settlement, sales, ...
    title: str
    subtitle: str = ""
    facts: tuple[tuple[str, Cell], ...] = ()  # label, value: the headline figures
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = field(default=())
    charts: tuple[Chart, ...] = field(default=())

    def fact(self, label: str) -> Cell:
        return next(value for key, value in self.facts if key == label)

    def table(self, title: str) -> Table:
        return next(t for t in self.tables if t.title == title)


def show(cell: Cell) -> str:
    """A cell as text: money as 123.45, nothing as ''."""
    if cell is None:
        return ""
    if isinstance(cell, Cents):
        return format_cents(cell)
    if isinstance(cell, int):
        return f"{cell:,}" if abs(cell) >= 10000 else str(cell)
    return cell


def _line(cells: Sequence[str], widths: Sequence[int], numeric: Sequence[bool]) -> str:
    return "  ".join(c.rjust(w) if num else c.ljust(w)
                     for c, w, num in zip(cells, widths, numeric, strict=True)).rstrip()


def to_text(report: Report) -> str:
    """A plain text rendering with aligned columns (for a terminal)."""
    out = [report.title]
    if report.subtitle:
        out.append(report.subtitle)
    out.append("")
    if report.facts:
        width = max(len(label) for label, _ in report.facts)
        out += [f"  {label:<{width}}  {show(value)}" for label, value in report.facts]
        out.append("")
    for table in report.tables:
        rows = [list(table.columns)] + [[show(c) for c in row] for row in table.rows]
        if table.total is not None:
            rows.append([show(c) for c in table.total])
        widths = [max(len(row[i]) for row in rows) for i in range(len(table.columns))]
        numeric = [all(isinstance(row[i], int) or row[i] is None for row in table.rows)
                   and bool(table.rows) for i in range(len(table.columns))]

        out.append(table.title)
        out.append(_line(rows[0], widths, numeric))
        out.append("  ".join("-" * w for w in widths))
        out += [_line(row, widths, numeric) for row in rows[1:len(table.rows) + 1]]
        if table.total is not None:
            out.append("  ".join("-" * w for w in widths))
            out.append(_line(rows[-1], widths, numeric))
        if not table.rows:
            out.append("(none)")
        out.append("")
    out += list(report.notes)
    return "\n".join(out).rstrip() + "\n"


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Cents):
        return format_cents(cell)    # exact: 1234.50, never a float
    return str(cell)


def to_csv(report: Report) -> str:
    """CSV: the facts as `fact,label,value` rows, then each table as a block: a row with
    its title, its header, its rows (and totals), a blank line. Money as 1234.50."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([report.title])
    if report.subtitle:
        writer.writerow([report.subtitle])
    for label, value in report.facts:
        writer.writerow(["fact", label, _csv_cell(value)])
    for table in report.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow([_csv_cell(c) for c in row])
        if table.total is not None:
            writer.writerow([_csv_cell(c) for c in table.total])
    return buffer.getvalue()


def _json_cell(cell: Cell) -> Any:
    return int(cell) if isinstance(cell, Cents) else cell


def to_json(report: Report) -> str:
    """JSON: money stays in integer cents (columns and facts whose values are money are
    listed under `money`)."""
    money = sorted({label for label, value in report.facts if isinstance(value, Cents)}
                   | {col for t in report.tables for i, col in enumerate(t.columns)
                      if any(isinstance(row[i], Cents) for row in t.rows)})
    return json.dumps({
        "report": report.name, "title": report.title, "subtitle": report.subtitle,
        "money_in": "cents", "money": money,
        "facts": {label: _json_cell(value) for label, value in report.facts},
        "tables": [{"title": t.title, "columns": list(t.columns),
                    "rows": [[_json_cell(c) for c in row] for row in t.rows],
                    "total": None if t.total is None else [_json_cell(c) for c in t.total]}
                   for t in report.tables],
        "notes": list(report.notes),
    }, indent=2)


def thermal_rows(report: Report, *, max_tables: int = 3) -> list[tuple[str, str]]:
    """Two-column rows for a receipt printer (hardware.tickets.report_job): the facts,
    then each table's first column against its last."""
    rows: list[tuple[str, str]] = []
    if report.subtitle:
        rows.append((report.subtitle, ""))
    rows += [(label, show(value)) for label, value in report.facts]
    for table in report.tables[:max_tables]:
        rows += [("-", ""), (table.title, "")]
        for row in table.rows:
            rows.append((show(row[0]), show(row[-1])))
        if table.total is not None:
            rows.append((show(table.total[0]), show(table.total[-1])))
    return rows


@dataclass(frozen=True)
class Scope:
    """What a report covers: a performance, a day in the venue's zone, or a shift; all
    None means everything."""

    zone: ZoneInfo
    now: datetime
    performance_id: int | None = None
    day: date | None = None
    shift_id: int | None = None
    compare: tuple[int, ...] = ()        # the pace's comparables, chosen by hand

    def day_bounds(self) -> tuple[str, str] | None:
        """The venue day as UTC text bounds [start, end), or None."""
        if self.day is None:
            return None
        start = datetime.combine(self.day, time(0), self.zone)
        return stamp(start), stamp(start + timedelta(days=1))

    def local(self, text: str) -> datetime:
        return datetime.fromisoformat(text).astimezone(self.zone)

    def describe(self) -> str:
        parts = []
        if self.performance_id is not None:
            parts.append(f"performance {self.performance_id}")
        if self.day is not None:
            parts.append(f"{self.day:%a %d %b %Y}")
        if self.shift_id is not None:
            parts.append(f"shift {self.shift_id}")
        return ", ".join(parts) or "everything"


class ReportError(BoxOfficeError):
    code = "report"


def performance_ids(text: str) -> tuple[int, ...]:
    """'3,5' (or '#3, p5') -> (3, 5): the performances a report compares with. Raises
    ReportError `bad_compare`."""
    parts = [part.strip().lstrip("#p") for part in text.split(",") if part.strip()]
    if not all(part.isdigit() and len(part) < 10 for part in parts):
        raise ReportError(f"'{text[:40]}' is not performance numbers such as 3,5",
                          code="bad_compare")
    return tuple(int(part) for part in parts)
