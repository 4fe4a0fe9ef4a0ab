"""Charts as inline SVG: plain bars and a heat map, each shown beside its data as a table.

SVG keeps pages fast (no image requests, no plotting library per request) and prints
sharply; every chart's numbers are also in a table, for screen readers and for copying.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

BLUE = "#1d70b8"
TEXT = "#0b0c0c"


@dataclass(frozen=True)
class Series:
    """Labelled counts, in display order."""

    title: str
    labels: list[str]
    values: list[int]


def bars(series: Series, width: int = 520, height: int = 180) -> Markup:
    """A bar chart of ``series`` (the accessible name is the title; the table has the data)."""
    n = max(len(series.values), 1)
    top = max(series.values, default=0) or 1
    left, bottom = 36, 24
    plot_w, plot_h = width - left - 8, height - bottom - 10
    step = plot_w / n
    parts = [f'<svg role="img" aria-label="{escape(series.title)}" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<line x1="{left}" y1="{10 + plot_h}" x2="{width - 8}" y2="{10 + plot_h}" '
             f'stroke="{TEXT}"/>',
             f'<text x="{left - 4}" y="16" text-anchor="end" font-size="11" fill="{TEXT}">'
             f'{top}</text>',
             f'<text x="{left - 4}" y="{10 + plot_h}" text-anchor="end" font-size="11" '
             f'fill="{TEXT}">0</text>']
    for i, (label, value) in enumerate(zip(series.labels, series.values, strict=True)):
        h = plot_h * value / top
        x = left + i * step + step * 0.1
        parts.append(f'<rect x="{x:.1f}" y="{10 + plot_h - h:.1f}" width="{step * 0.8:.1f}" '
                     f'height="{h:.1f}" fill="{BLUE}">'
                     f'<title>{escape(label)}: {value}</title></rect>')
        # Label every bar when few, else every few, so the axis stays readable.
        if n <= 12 or i % max(n // 8, 1) == 0:
            parts.append(f'<text x="{x + step * 0.4:.1f}" y="{height - 8}" text-anchor="middle" '
                         f'font-size="10" fill="{TEXT}">{escape(label)}</text>')
    parts.append("</svg>")
    # Every text value above went through escape(); the rest are numbers we formatted.
    return Markup("".join(parts))  # noqa: S704


def heat_colour(value: int, top: int) -> tuple[str, str]:
    """Background and text colour for a heat-map cell (text always meets 4.5:1 contrast)."""
    if value == 0 or top == 0:
        return "#ffffff", TEXT
    share = value / top
    # Five steps of the Design System's blue; dark text on the light ones, white on the dark.
    steps = ["#d2e2f1", "#a5c6e3", "#5694ca", "#1d70b8", "#003078"]
    index = min(int(share * len(steps)), len(steps) - 1)
    # #5694ca is too light for white text (3.3:1) but fine for near-black (5.6:1).
    return steps[index], (TEXT if index < 3 else "#ffffff")


@dataclass(frozen=True)
class HeatMap:
    """Counts by row (wing/landing) and hour of day (0-23, Europe/London)."""

    title: str
    rows: list[str]
    cells: dict[tuple[str, int], int]

    @property
    def top(self) -> int:
        return max(self.cells.values(), default=0)

    def row(self, name: str) -> list[tuple[int, str, str]]:
        """(count, background, text colour) for each hour of one row."""
        out = []
        for hour in range(24):
            value = self.cells.get((name, hour), 0)
            out.append((value, *heat_colour(value, self.top)))
        return out


def heat_map(title: str, counts: Sequence[tuple[str, int, int]]) -> HeatMap:
    """A heat map from (row, hour, count) triples."""
    cells: dict[tuple[str, int], int] = {}
    for row, hour, n in counts:
        cells[(row, hour)] = cells.get((row, hour), 0) + n
    rows = sorted({r for r, _ in cells})
    return HeatMap(title, rows, cells)
