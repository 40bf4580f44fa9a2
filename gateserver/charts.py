"""Inline SVG charts for the admissions page: drawn on the server, so the page needs no
JavaScript. Each function returns an SVG element as markup-safe text."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, PAD = 640, 220, 32


def arrival_curve(buckets: Sequence[tuple[int, int]], bucket_minutes: int) -> Markup:
    """Admissions per bucket as bars against minutes from the start; a line at the start."""
    if not buckets:
        return Markup('<p class="empty">No admissions yet.</p>')
    top = max(count for _, count in buckets) or 1
    first, last = buckets[0][0], buckets[-1][0] + bucket_minutes
    span = max(last - first, 1)
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def x(minute: float) -> float:
        return PAD + (minute - first) / span * inner_w

    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="Admissions per {bucket_minutes} minutes against the start">']
    bar_w = max(inner_w * bucket_minutes / span - 1, 1)
    for minute, count in buckets:
        h = inner_h * count / top
        parts.append(f'<rect x="{x(minute):.1f}" y="{PAD + inner_h - h:.1f}" '
                     f'width="{bar_w:.1f}" height="{h:.1f}" class="bar">'
                     f'<title>{minute:+d} min: {count}</title></rect>')
    if first <= 0 <= last:
        parts.append(f'<line x1="{x(0):.1f}" y1="{PAD - 8}" x2="{x(0):.1f}" '
                     f'y2="{PAD + inner_h}" class="start"/>'
                     f'<text x="{x(0) + 4:.1f}" y="{PAD - 10}">start</text>')
    parts.append(f'<line x1="{PAD}" y1="{PAD + inner_h}" x2="{PAD + inner_w}" '
                 f'y2="{PAD + inner_h}" class="axis"/>')
    for minute in range(first, last + 1, max(bucket_minutes, span // 8 // 5 * 5 or 5)):
        parts.append(f'<text x="{x(minute):.1f}" y="{HEIGHT - 10}" '
                     f'text-anchor="middle">{minute:+d}</text>')
    parts.append(f'<text x="{PAD}" y="{PAD - 10}">{top} a bar at most</text></svg>')
    return Markup("".join(parts))


def per_minute_bars(rows: Sequence[tuple[str, int]]) -> Markup:
    """Horizontal bars: scans in the last minute per gate (or lane)."""
    if not rows:
        return Markup('<p class="empty">No scans yet.</p>')
    top = max(count for _, count in rows) or 1
    row_h = 22
    height = row_h * len(rows) + 8
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             'aria-label="Scans in the last minute">']
    for i, (name, count) in enumerate(rows):
        w = (WIDTH - 200) * count / top
        y = 4 + i * row_h
        parts.append(f'<text x="0" y="{y + 15}">{escape(name[:20])}</text>'
                     f'<rect x="150" y="{y}" width="{w:.1f}" height="{row_h - 6}" '
                     f'class="bar"/><text x="{155 + w:.1f}" y="{y + 15}">{count}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
