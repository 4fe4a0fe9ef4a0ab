"""Rendering a parole summary as HTML (Jinja2, autoescaped) and PDF (fpdf2).

The PDF uses the core Helvetica font, which only covers Latin-1; text is folded to it
(anything else becomes ``?``) rather than failing on a name with an unusual character.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace
from jinja2 import Environment, PackageLoader, select_autoescape

from cellwatch.parole.summary import Summary

COLUMNS = (("Date", 22), ("Kind", 32), ("Item", 92), ("Evidence strength", 44))


def render_html(summary: Summary) -> str:
    """The summary as a standalone HTML page."""
    env = Environment(loader=PackageLoader("cellwatch.parole", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    return env.get_template("summary.html.j2").render(s=summary)


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def render_pdf(summary: Summary) -> bytes:
    """The summary as an A4 PDF with a chronology table."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", size=8)
    pdf.cell(0, 5, _latin1(f"OFFICIAL-SENSITIVE. Prepared for: {summary.audience}."),
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, _latin1(f"Parole intelligence summary: {summary.prison_number} "
                                 f"{summary.name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, 5, _latin1(
        f"Establishment: {summary.establishment or 'none (released)'}. Next parole review: "
        f"{summary.review_date or 'not set'}. Generated: {summary.generated}.\n"
        f"Items inferred with a probability below {summary.threshold:.2f} are marked "
        "UNCONFIRMED and must not be read as fact. Protected persons are not identified and "
        "their contact details and whereabouts are never included. Intelligence with "
        "handling code C not released to this audience is withheld."),
        new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    counts = ", ".join(f"{k.replace('_', ' ').lower()}: {n}"
                       for k, n in summary.counts().items()) or "no evidence recorded"
    pdf.multi_cell(0, 5, _latin1(f"Overview: {counts}."), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", size=8)
    with pdf.table(col_widths=tuple(w for _n, w in COLUMNS), text_align="LEFT",
                   line_height=4.5) as table:
        header = table.row()
        for name, _w in COLUMNS:
            header.cell(name)
        for item in summary.items:
            # Unconfirmed and withheld items are set in italics, as in the HTML.
            style = None if item.confirmed else FontFace(emphasis="ITALICS", color=(110, 70, 0))
            row = table.row()
            for text in (str(item.when), item.kind.replace("_", " ").lower(), item.text,
                         item.strength):
                row.cell(_latin1(text), style=style)
    return bytes(pdf.output())


def write_summary(summary: Summary, folder: Path) -> tuple[Path, Path]:
    """Write ``parole-<number>-<date>.html`` and ``.pdf`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"parole-{summary.prison_number}-{summary.generated.isoformat()}"
    html, pdf = stem.with_suffix(".html"), stem.with_suffix(".pdf")
    html.write_text(render_html(summary), encoding="utf-8")
    pdf.write_bytes(render_pdf(summary))
    return html, pdf
