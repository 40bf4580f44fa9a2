"""Reports as PDF, made with fpdf2 (a real PDF library: text stays text, so the totals
can be searched and copied). A4 landscape for wide tables, portrait otherwise; the
standard Helvetica font, so nothing has to be embedded.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Any

from core.report_model import Cents, Chart, Report, show


def latin1(text: str) -> str:
    """The core PDF fonts cover Latin-1: anything else becomes '?' instead of failing."""
    return text.encode("latin-1", "replace").decode("latin-1")


def to_pdf(report: Report, *, generated_at: datetime | None = None) -> bytes:
    """The report as PDF bytes: title, facts, then each table with a heading row and its
    totals row; money right-aligned."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    wide = any(len(t.columns) > 6 for t in report.tables)
    pdf = FPDF(orientation="L" if wide else "P", unit="mm", format="A4")
    pdf.set_title(latin1(report.title))
    pdf.set_creator("boxoffice")
    if generated_at is not None:
        pdf.set_creation_date(generated_at)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, latin1(report.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    if report.subtitle:
        pdf.multi_cell(0, 5, latin1(report.subtitle), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if report.facts:
        with pdf.table(col_widths=(60, 50), width=110, align="LEFT",
                       first_row_as_headings=False, borders_layout="HORIZONTAL_LINES",
                       line_height=5.5) as facts:
            for label, value in report.facts:
                row = facts.row()
                row.cell(latin1(label))
                row.cell(latin1(show(value)), align="RIGHT")
        pdf.ln(4)
    bold = FontFace(emphasis="BOLD")
    for table in report.tables:
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, latin1(table.title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9 if wide else 10)
        if not table.rows:
            pdf.multi_cell(0, 5, "(none)", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
            continue
        numeric = [any(isinstance(row[i], int) for row in table.rows)
                   for i in range(len(table.columns))]
        with pdf.table(headings_style=bold, borders_layout="SINGLE_TOP_LINE",
                       line_height=5, text_align="LEFT", wrapmode="CHAR") as grid:
            head = grid.row()
            for name, num in zip(table.columns, numeric, strict=True):
                head.cell(latin1(name), align="RIGHT" if num else "LEFT")
            body = list(table.rows) + ([table.total] if table.total is not None else [])
            for index, cells in enumerate(body):
                style = bold if table.total is not None and index == len(body) - 1 else None
                row = grid.row(style=style)
                for cell, num in zip(cells, numeric, strict=True):
                    row.cell(latin1(show(cell)),
                             align="RIGHT" if num or isinstance(cell, Cents) else "LEFT")
        pdf.ln(4)
    for chart in report.charts:
        _chart(pdf, chart)
    pdf.set_font("Helvetica", "I", 8)
    for note in report.notes:
        pdf.multi_cell(0, 4, latin1(note), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# series colours: dark enough to print in grey, told apart by dash too
_INKS = ((20, 60, 160), (200, 90, 20), (40, 140, 60), (120, 40, 140))


def _chart(pdf: Any, chart: Chart) -> None:
    """A line chart with its axes' ends labelled and a legend: fpdf2's own lines, no
    plotting library."""
    points = [p for _, series in chart.series for p in series]
    if not points:
        return
    if pdf.get_y() > pdf.h - 90:
        pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(0, 7, latin1(chart.title), new_x="LMARGIN", new_y="NEXT")
    left, top = pdf.l_margin + 14, pdf.get_y() + 2
    width, height = min(170.0, pdf.w - pdf.r_margin - left), 60.0
    xs = [x for x, _ in points]
    low_x, high_x = min(xs), max(xs)
    high_y = max(max(y for _, y in points), 1)

    def place(x: int, y: int) -> tuple[float, float]:
        share = (x - low_x) / (high_x - low_x) if high_x != low_x else 0.0
        if chart.reversed_x:
            share = 1 - share
        return left + share * width, top + height - y / high_y * height

    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
    pdf.line(left, top, left, top + height)
    pdf.line(left, top + height, left + width, top + height)
    pdf.set_font("Helvetica", "", 8)
    pdf.text(pdf.l_margin, top + 3, str(high_y))
    pdf.text(pdf.l_margin, top + height, "0")
    first, last = (high_x, low_x) if chart.reversed_x else (low_x, high_x)
    pdf.text(left, top + height + 4, str(first))
    pdf.text(left + width - 4, top + height + 4, str(last))
    pdf.text(left + width / 2 - 10, top + height + 4, latin1(chart.x_label))
    for index, (name, series) in enumerate(chart.series):
        ink = _INKS[index % len(_INKS)]
        pdf.set_draw_color(*ink)
        pdf.set_line_width(0.6)
        if index % 2:
            pdf.set_dash_pattern(dash=1.5, gap=1)
        ordered = sorted(series)
        for (x1, y1), (x2, y2) in pairwise(ordered):
            pdf.line(*place(x1, y1), *place(x2, y2))
        pdf.set_dash_pattern()
        pdf.set_text_color(*ink)
        pdf.text(left + width + 2 - 40, top + 4 + 4 * index, latin1(name))
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(top + height + 8)
