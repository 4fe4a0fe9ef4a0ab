"""A prisoner's timeline as inline SVG: one lane per identifier's attributions, then lanes
of detections, calls, seizures and intelligence, all on one axis of evidence days.

Dates are evidence days (08:00 to 08:00 UK time, as attribution's), so a night's bar and
its detections line up. Every mark carries a <title> (its date and what it is); the page
lists the same facts in its tables, for screen readers and for copying.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

from markupsafe import Markup

TEXT = "#0b0c0c"
COLOURS = {"attribution": "#1d70b8", "detections": "#00703c", "calls": "#4c2c92",
           "seizures": "#d4351c", "intelligence": "#f47738"}
WIDTH, LABEL, LANE = 900, 190, 22


@dataclass
class Lane:
    """One row of the chart: spans (from, to, strength 0-1, title) or daily counts."""

    label: str
    kind: str
    spans: list[tuple[date, date, float, str]] = field(default_factory=list)
    counts: dict[date, int] = field(default_factory=dict)
    href: str | None = None

    def days(self) -> list[date]:
        """Every day the lane marks."""
        return [d for a, b, _p, _t in self.spans for d in (a, b)] + list(self.counts)


@dataclass
class Timeline:
    """The lanes of one prisoner's timeline."""

    title: str
    lanes: list[Lane] = field(default_factory=list)

    def bounds(self) -> tuple[date, date] | None:
        """First and last day marked, or None for an empty chart."""
        days = [d for lane in self.lanes for d in lane.days()]
        return (min(days), max(days)) if days else None

    def svg(self) -> Markup:
        """The chart (empty when nothing is marked)."""
        span = self.bounds()
        if span is None:
            return Markup("")
        start, end = span
        total = max((end - start).days + 1, 1)
        plot = WIDTH - LABEL - 10
        height = LANE * len(self.lanes) + 34

        def x(d: date) -> float:
            return LABEL + plot * (d - start).days / total

        day_w = max(plot / total, 1.0)
        parts = [f'<svg role="img" aria-label="{escape(self.title)}" viewBox="0 0 {WIDTH} '
                 f'{height}" width="{WIDTH}" height="{height}" '
                 'xmlns="http://www.w3.org/2000/svg">']
        for i, lane in enumerate(self.lanes):
            y = 4 + i * LANE
            colour = COLOURS.get(lane.kind, TEXT)
            label = escape(lane.label)
            parts.append(f'<text x="{LABEL - 6}" y="{y + 14}" text-anchor="end" font-size="11" '
                         f'fill="{TEXT}">{label}</text>')
            parts.append(f'<line x1="{LABEL}" y1="{y + LANE - 2}" x2="{WIDTH - 10}" '
                         f'y2="{y + LANE - 2}" stroke="#b1b4b6"/>')
            for a, b, p, title in lane.spans:
                w = max(x(b + timedelta(days=1)) - x(a), 2.0)
                parts.append(f'<rect x="{x(a):.1f}" y="{y + 3}" width="{w:.1f}" height="14" '
                             f'fill="{colour}" fill-opacity="{0.25 + 0.75 * p:.2f}">'
                             f'<title>{escape(title)}</title></rect>')
            top = max(lane.counts.values(), default=0) or 1
            for d, n in sorted(lane.counts.items()):
                h = 3 + 14 * n / top
                parts.append(f'<rect x="{x(d):.1f}" y="{y + 17 - h:.1f}" width="{day_w:.1f}" '
                             f'height="{h:.1f}" fill="{colour}"><title>{d.isoformat()}: {n} '
                             f'{escape(lane.kind)}</title></rect>')
        axis = 4 + LANE * len(self.lanes) + 14
        for d in (start, start + (end - start) / 2, end):
            parts.append(f'<text x="{x(d):.1f}" y="{axis}" text-anchor="middle" font-size="10" '
                         f'fill="{TEXT}">{d.isoformat()}</text>')
        parts.append("</svg>")
        # Text went through escape(); the rest are numbers formatted here.
        return Markup("".join(parts))  # noqa: S704
