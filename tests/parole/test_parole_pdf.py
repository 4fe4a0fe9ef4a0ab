"""The Parole Board's PDF: made from the page's HTML, tagged (PDF/UA) with a title, names
in an embedded Unicode font exactly as recorded, handling codes and gradings left out
(and said so), dated, with its run and data cut-off, and the same text every time.

Read back with poppler's pdfinfo and pdftotext (scripts/install-pdf installs them)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from protect_support import PRISONER, TODAY, estate, graph
from sqlalchemy import update

from cellwatch.access.models import IntelligenceReport, IntelligenceSubject
from cellwatch.access.principal import Principal
from cellwatch.access.roles import OrgKind, Role
from cellwatch.lake.rule_context import RuleContext
from cellwatch.parole.render import render_html, render_pdf
from cellwatch.parole.summary import build_summary
from cellwatch.settings import Settings
from cellwatch.store import Prisoner, Store

PAROLE = Principal("pb", 7, "PAROLE", OrgKind.PAROLE_BOARD,
                   frozenset({Role.PAROLE_CASE_MANAGER}), frozenset())
SURNAME, FORENAMES = "Wiśniewski", "Łukasz Şerban"


def _poppler(tool: str, pdf: Path) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} is missing: run scripts/install-pdf (poppler-utils)"
    return subprocess.run([path, str(pdf)] + (["-"] if tool == "pdftotext" else []),
                          check=True, capture_output=True, text=True).stdout


@pytest.fixture
def summary_pdf(store: Store, settings: Settings, tmp_path: Path) -> tuple[str, str, bytes]:
    estate(store, settings, tmp_path)
    graph(store)
    with store.session() as s:
        s.execute(update(Prisoner).where(Prisoner.prison_number == PRISONER)
                  .values(surname=SURNAME, forenames=FORENAMES))
        rep = IntelligenceReport(report_ref="INT-1", ts=datetime(2026, 10, 1, tzinfo=UTC),
                                 source_evaluation="B", intelligence_assessment="2",
                                 handling_code="P", text="seen passing a phone on the landing")
        s.add(rep)
        s.flush()
        s.add(IntelligenceSubject(report_id=rep.id, prison_number=PRISONER))
    ctx = RuleContext(settings, store, TODAY)
    try:
        summary = build_summary(ctx, PAROLE, PRISONER)
        again = build_summary(ctx, PAROLE, PRISONER)
    finally:
        ctx.close()
    assert render_html(summary) == render_html(again)
    (tmp_path / "a.pdf").write_bytes(render_pdf(summary))
    (tmp_path / "b.pdf").write_bytes(render_pdf(again))
    first = _poppler("pdftotext", tmp_path / "a.pdf")
    assert first == _poppler("pdftotext", tmp_path / "b.pdf")  # reproducible
    return render_html(summary), first, (tmp_path / "a.pdf").read_bytes()


def test_the_pdf_prints_the_name_exactly(summary_pdf: tuple[str, str, bytes]) -> None:
    html, text, _pdf = summary_pdf
    assert f"{SURNAME}, {FORENAMES}" in html
    flat = " ".join(text.split())  # the heading wraps
    assert f"Parole intelligence summary: {PRISONER} {SURNAME}, {FORENAMES}" in flat
    assert "?" not in flat


def test_the_pdf_is_tagged_with_a_title(summary_pdf: tuple[str, str, bytes],
                                        tmp_path: Path) -> None:
    _html, _text, pdf = summary_pdf
    (tmp_path / "c.pdf").write_bytes(pdf)
    info = _poppler("pdfinfo", tmp_path / "c.pdf")
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    assert re.search(rf"^Title:\s+Parole intelligence summary {PRISONER}$", info, re.M), info
    fonts = subprocess.run([str(shutil.which("pdffonts")), str(tmp_path / "c.pdf")],
                           check=True, capture_output=True, text=True).stdout
    rows = [r for r in fonts.splitlines()[2:] if r.strip()]
    assert rows
    assert all(" yes yes yes " in f" {r} " or re.search(r"\byes\s+yes\s+yes\b", r)
               for r in rows), fonts


def test_the_parole_board_copy_leaves_out_codes_and_says_so(
        summary_pdf: tuple[str, str, bytes]) -> None:
    html, text, _pdf = summary_pdf
    flat = " ".join(text.split())
    assert "seen passing a phone on the landing" in flat
    assert "B/2/P" not in flat
    assert "graded B" not in flat
    assert "Handling codes and intelligence gradings" in flat
    assert "left out of this copy" in flat
    # Dated, with its run and data cut-off.
    assert f"Dated: {TODAY}" in flat
    assert "attribution run" in flat
    assert "data cut-off" in flat
    assert "UK time" in flat
    # The PDF is the page: every item of the HTML's chronology is in the PDF's text.
    for cell in re.findall(r"<td>([^<]{12,})</td>", html):
        words = " ".join(cell.replace("&#39;", "'").replace("&amp;", "&").split())
        assert words[:40] in flat, words
