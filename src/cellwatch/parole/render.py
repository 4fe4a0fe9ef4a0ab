"""Rendering a parole summary: HTML (Jinja2, autoescaped), and the PDF made from that
very HTML by WeasyPrint, so the two cannot differ.

The PDF is PDF/UA-1 (tagged, with the page's title), its text in an embedded Unicode
font (DejaVu Sans, Debian's fonts-dejavu-core): names print exactly as recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from cellwatch.parole.summary import LEFT_OUT, Summary

LONDON = ZoneInfo("Europe/London")


def uk_time(value: datetime | None) -> str:
    """A stored (UTC) time as UK local time, labelled."""
    if value is None:
        return "none"
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return f"{aware.astimezone(LONDON):%Y-%m-%d %H:%M} UK time"


def render_html(summary: Summary) -> str:
    """The summary as a standalone HTML page (what the web shows and the PDF prints)."""
    env = Environment(loader=PackageLoader("cellwatch.parole", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    env.filters["uk_time"] = uk_time
    return env.get_template("summary.html.j2").render(s=summary, left_out=LEFT_OUT)


def render_pdf(summary: Summary) -> bytes:
    """The summary's HTML as a tagged A4 PDF (PDF/UA-1)."""
    # WeasyPrint loads pango through cffi on import: pay for it only when a PDF is made.
    from weasyprint import HTML

    pdf: bytes = HTML(string=render_html(summary)).write_pdf(pdf_variant="pdf/ua-1")
    return pdf


def write_summary(summary: Summary, folder: Path) -> tuple[Path, Path]:
    """Write ``parole-<number>-<date>.html`` and ``.pdf`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"parole-{summary.prison_number}-{summary.generated.isoformat()}"
    html, pdf = stem.with_suffix(".html"), stem.with_suffix(".pdf")
    html.write_text(render_html(summary), encoding="utf-8")
    pdf.write_bytes(render_pdf(summary))
    return html, pdf
