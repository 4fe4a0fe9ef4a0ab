"""Graded intelligence in the web: the reports the user may read, one report, and a form
to submit one graded 3x5x2 (source 1-3, assessment A-E, handling code P or C).

Everything goes through :mod:`cellwatch.intelligence.service` (the API's
``/intelligence``), which decides, records what crosses an organisation's boundary and
audits: a C-coded report not released to the user's organisation answers as an unknown one
(404); one outside the organisation asks for a reason first. A prisoner named as a subject
that the user may not read is answered as unknown, on the form. A refused form comes back
with its values (422).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Response

from cellwatch.access.roles import Action, Resource, permitted
from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.errors import CellwatchError, Denied, InvalidData
from cellwatch.identifiers import classify
from cellwatch.intelligence import service as intel
from cellwatch.web.context import Page, PageContext, WebRoute
from cellwatch.web.profiles import _needs_reason_prompt, _prompt, _reason_for

router = APIRouter(route_class=WebRoute)
Problems = list[tuple[str | None, str]]
FIELDS = {"text": "Intelligence", "source_evaluation": "Source evaluation",
          "intelligence_assessment": "Intelligence assessment",
          "handling_code": "Handling code", "handling_conditions": "Handling conditions",
          "establishment": "Establishment", "subjects": "Prisoners",
          "identifiers": "Identifiers"}
SOURCE = (("1", "Reliable"), ("2", "Untested"), ("3", "Not reliable"))
ASSESSMENT = (("A", "Known directly to the source"),
              ("B", "Known indirectly to the source but corroborated"),
              ("C", "Known indirectly to the source"), ("D", "Not known"),
              ("E", "Suspected to be false"))
HANDLING = (("P", "Lawful sharing permitted"),
            ("C", "Lawful sharing permitted with conditions"))


def _access(ctx: PageContext) -> Access:
    return Access(ctx.store, ctx.user, ctx.web.settings)


def _may_submit(ctx: PageContext) -> bool:
    user = ctx.user
    return permitted(user.roles, Resource.INTELLIGENCE, Action.CREATE) and \
        user.org_code is not None


def _linked(values: list[str]) -> list[tuple[str, str]]:
    # (kind for the identifier page's URL, value); stored values are normal forms.
    out = []
    for value in values:
        try:
            out.append((classify(value).type.name.lower(), value))
        except CellwatchError:
            out.append(("", value))
    return out


@router.get("/intelligence")
def intelligence_list(ctx: Page, handling_code: str = "", establishment: str = "",
                      subject: str = "") -> Response:
    """The reports the user may read, newest first (their text only on opening one)."""
    access = _access(ctx)
    code = handling_code.strip().upper()
    shown = {"handling_code": code if code in ("P", "C") else "",
             "establishment": establishment.strip().upper()[:8],
             "subject": subject.strip().upper()[:7]}
    rows = intel.list_intelligence(access, Paging(limit=200), intel.IntelligenceFilter(
        shown["establishment"] or None, shown["handling_code"] or None,
        shown["subject"] or None), channel="WEB")
    subjects = intel.subjects_of(access, [r.id for r in rows])
    return ctx.render("intelligence/list.html", title="Intelligence", reports=rows,
                      subjects=subjects, filters=shown, may_submit=_may_submit(ctx))


def _form(ctx: PageContext, status: int = 200, **values: Any) -> Response:
    if not _may_submit(ctx):
        _access(ctx).require_role(Action.CREATE, Resource.INTELLIGENCE)
    return ctx.render("intelligence/new.html", status=status,
                      title="Submit intelligence", source=SOURCE, assessment=ASSESSMENT,
                      handling=HANDLING, **values)


@router.get("/intelligence/new")
def new_report(ctx: Page) -> Response:
    """The form to submit a graded report."""
    return _form(ctx)


@router.post("/intelligence")
async def submit(ctx: Page) -> Response:
    """Record a graded report owned by the user's organisation (the service decides)."""
    fields = await ctx.form()
    draft = intel.IntelligenceDraft(
        text=fields.get("text", "")[:50_000],
        source_evaluation=fields.get("source_evaluation", ""),
        intelligence_assessment=fields.get("intelligence_assessment", ""),
        handling_code=fields.get("handling_code", ""),
        handling_conditions=fields.get("handling_conditions", "")[:2000] or None,
        establishment=fields.get("establishment", "")[:8] or None,
        subjects=fields.get("subjects", "")[:5000],
        identifiers=fields.get("identifiers", "")[:5000])
    try:
        report = intel.submit_intelligence(_access(ctx), draft)
    except InvalidData as exc:
        problems: Problems = [(f"#{k}" if k in FIELDS else None,
                               f"{FIELDS.get(k, k)}: {'; '.join(v)}")
                              for k, v in exc.errors.items()] or [(None, exc.message)]
        return _form(ctx, status=422, values=fields, error_summary=problems,
                     errors={k: "; ".join(v) for k, v in exc.errors.items()})
    grade = f"{report.source_evaluation}{report.intelligence_assessment}{report.handling_code}"
    return ctx.redirect(f"/intelligence/{quote(report.report_ref)}",
                        done="intelligence_submitted", ref=report.report_ref, grade=grade)


@router.get("/intelligence/{report_ref}")
def report_page(ctx: Page, report_ref: str) -> Response:
    """One report; outside the user's organisation a reason is asked first and recorded."""
    key = f"INTELLIGENCE:{report_ref}"
    access = _access(ctx)
    try:
        report = intel.get_intelligence(access, report_ref[:64], _reason_for(ctx, key),
                                        channel="WEB")
    except Denied as exc:
        if _needs_reason_prompt(ctx, exc):
            return _prompt(ctx, key, f"intelligence report {report_ref}",
                           f"/intelligence/{quote(report_ref)}")
        raise
    subjects = intel.subjects_of(access, [report.id])[report.id]
    return ctx.render("intelligence/report.html", title=f"Intelligence {report.report_ref}",
                      report=report, subjects=subjects, identifiers=_linked(report.identifiers),
                      labels={"source": dict(SOURCE), "assessment": dict(ASSESSMENT),
                              "handling": dict(HANDLING)})
