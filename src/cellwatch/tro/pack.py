"""The application pack: per identifier, the evidence of use in the institution, as HTML
(Jinja2 template) and PDF (fpdf2), for the s.80 Serious Crime Act 2015 application."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from jinja2 import Environment, PackageLoader, select_autoescape

from cellwatch.store import Establishment, Store
from cellwatch.tro.orders import Order, get_order

GROUNDS = (
    "The applicant believes that each device listed below is being used in the custodial "
    "institution named above without authorisation (Prison Act 1952 s.40D), that its use "
    "there is evidenced by the detections, call records and seizures set out for it, and "
    "that an order requiring the operators to disconnect or block it is appropriate."
)


def _context(store: Store, order: Order) -> dict[str, Any]:
    with store.session() as s:
        est = s.get(Establishment, order.application.establishment)
        name = est.name if est else order.application.establishment
    empty = {"detection_days": 0, "detections": 0, "call_days": 0, "seizures": 0,
             "seizure_refs": [], "locations": [], "linked_imsis": [], "linked_imeis": []}
    lines = []
    for ln in order.lines:
        ev = {**empty, **(ln.evidence or {})}
        lines.append({
            "line_no": ln.line_no, "identifier_type": ln.identifier_type,
            "identifier": ln.identifier, "action": ln.action, "operator": ln.operator,
            "first_seen": _day(ln.first_seen), "last_seen": _day(ln.last_seen),
            "evidence_days": ln.evidence_days, "score": ln.score, "ev": ev,
        })
    return {"order": order, "establishment_name": name, "lines": lines, "grounds": GROUNDS,
            "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}


def _day(ts: datetime | None) -> str:
    return ts.strftime("%Y-%m-%d") if ts else ""


def render_html(store: Store, ref: str) -> str:
    """The pack as one self-contained HTML page."""
    env = Environment(loader=PackageLoader("cellwatch.tro", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    return env.get_template("pack.html.j2").render(**_context(store, get_order(store, ref)))


def _pdf_text(text: object) -> str:
    # The core PDF fonts are Latin-1 only; anything else is replaced, never dropped silently.
    return str(text).encode("latin-1", "replace").decode("latin-1")


def render_pdf(store: Store, ref: str) -> bytes:
    """The pack as a PDF with the same content as the HTML."""
    c = _context(store, get_order(store, ref))
    order: Order = c["order"]
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    _para(pdf, 8, "Application for a Telecommunications Restriction Order")
    pdf.set_font("Helvetica", "", 10)
    subtitle = f"Serious Crime Act 2015, section 80 - reference {order.ref}"
    _para(pdf, 6, _pdf_text(subtitle))
    pdf.ln(2)
    a = order.application
    _rows(pdf, [("Custodial institution", f"{c['establishment_name']} ({a.establishment})"),
                ("Status", order.state), ("Court", a.court or "not yet filed"),
                ("Order date", a.order_date or ""),
                ("Prepared", f"{c['generated']} by {a.created_by}")])
    _heading(pdf, "Grounds")
    pdf.set_font("Helvetica", "", 10)
    _para(pdf, 5, _pdf_text(c["grounds"]))
    _heading(pdf, "Identifiers and evidence of use in the institution")
    for ln in c["lines"]:
        ev = ln["ev"]
        pdf.set_font("Helvetica", "B", 11)
        title = f"{ln['line_no']}. {ln['identifier_type']} {ln['identifier']}"
        _para(pdf, 7, _pdf_text(title))
        seized = str(ev["seizures"]) + (f" ({', '.join(ev['seizure_refs'])})" if ev["seizure_refs"]
                                   else "")
        _rows(pdf, [
            ("Requested action", ln["action"]),
            ("Operator (home network)", ln["operator"] or "unknown: route manually"),
            ("First / last seen", f"{ln['first_seen']} / {ln['last_seen']}"),
            ("Days with evidence", ln["evidence_days"]),
            ("Detection days", f"{ev['detection_days']} ({ev['detections']} detections)"),
            ("Days of calls via the mast", ev["call_days"]),
            ("Seizures", seized),
            ("Locations", ", ".join(ev["locations"]) or "not recorded"),
            ("Used with", ", ".join(ev["linked_imsis"] + ev["linked_imeis"]) or "none seen"),
            ("Evidence score", f"{ln['score'] or 0:.3f}"),
        ])
    _heading(pdf, "History")
    _rows(pdf, [(t.at.strftime("%Y-%m-%d %H:%M"),
                 f"{t.from_state or '-'} -> {t.to_state} by {t.actor}: {t.reason}")
                for t in order.transitions])
    return bytes(pdf.output())


def _para(pdf: FPDF, height: float, text: str) -> None:
    # multi_cell leaves the cursor at the right edge by default; each block starts a new line.
    pdf.multi_cell(0, height, _pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    _para(pdf, 7, _pdf_text(text))


def _rows(pdf: FPDF, rows: list[tuple[object, object]]) -> None:
    pdf.set_font("Helvetica", "", 9)
    with pdf.table(col_widths=(55, 125), text_align="LEFT", first_row_as_headings=False) as table:
        for label, value in rows:
            row = table.row()
            row.cell(_pdf_text(label))
            row.cell(_pdf_text(value))
    pdf.ln(1)


def write_pack(store: Store, ref: str, out_dir: Path) -> tuple[Path, Path]:
    """Write ``{ref}.html`` and ``{ref}.pdf`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html, pdf = out_dir / f"{ref}.html", out_dir / f"{ref}.pdf"
    html.write_text(render_html(store, ref), encoding="utf-8")
    pdf.write_bytes(render_pdf(store, ref))
    return html, pdf
