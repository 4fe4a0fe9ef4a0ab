"""Cases and operations in the web: those of the organisation and those shared with it;
open one, add prisoners it may see, share it with another organisation.

Every list, read and change goes through :mod:`cellwatch.cases.service` (the API's
``/cases``): a case of other organisations answers as an unknown one (404); one shared
at a level below what is asked, as a refusal (403); a prisoner the user may not read
named as a subject, as an unknown prisoner. A refused form comes back with its values.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from cellwatch.access.directory import list_orgs
from cellwatch.access.policy import SHARE_LEVELS
from cellwatch.access.roles import Action, Resource, permitted
from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.attribution.service import attributions
from cellwatch.cases import service as cases
from cellwatch.cases.service import CASE_KINDS
from cellwatch.errors import CellwatchError, Denied, InvalidData, NotFound
from cellwatch.web.context import Page, PageContext, WebRoute

router = APIRouter(route_class=WebRoute)
Problems = list[tuple[str | None, str]]
CASE_FIELDS = {"ref": "Reference", "title": "Title", "kind": "Kind", "subjects": "Prisoners",
               "establishment": "Establishment", "org": "Organisation", "level": "Level"}


def _access(ctx: PageContext) -> Access:
    return Access(ctx.store, ctx.user, ctx.web.settings)


def _problems(exc: CellwatchError) -> tuple[Problems, int]:
    if exc.http_status >= 500 or exc.http_status in (403, 404):
        raise exc  # refused or out of scope: the error page the API's status would be
    if isinstance(exc, InvalidData) and exc.errors:
        return [(f"#{k}" if k in CASE_FIELDS else None,
                 f"{CASE_FIELDS.get(k, k)}: {'; '.join(v)}") for k, v in exc.errors.items()], 422
    return [(None, exc.message)], exc.http_status


def _numbers(text: str) -> list[str]:
    return [n for n in text.replace(",", " ").upper().split() if n]


def _cases_page(ctx: PageContext, status: int = 200, **values: Any) -> Response:
    access = _access(ctx)
    return ctx.render("cases.html", status=status, title="Cases",
                      cases=cases.list_cases(access, Paging(limit=200)),
                      may_create=ctx.user.is_system or permitted(
                          ctx.user.roles, Resource.CASE, Action.CREATE),
                      kinds=CASE_KINDS, **values)


@router.get("/cases")
def case_list(ctx: Page) -> Response:
    """Cases owned by or shared with the user's organisation, and a form to open one."""
    return _cases_page(ctx)


@router.post("/cases")
async def create(ctx: Page) -> Response:
    """Open a case owned by the user's organisation."""
    fields = await ctx.form()
    ref, title = fields.get("ref", "").strip(), " ".join(fields.get("title", "").split())
    problems: Problems = [(f"#{name}", message) for name, message in (
        ("ref", "Enter a reference for the case" if not ref else ""),
        ("title", "Enter a title" if not title else "")) if message]
    status = 422
    if not problems:
        try:
            case = cases.create_case(_access(ctx), ref[:64], title[:300],
                                     fields.get("kind") or "CASE",
                                     fields.get("description") or None,
                                     subjects=_numbers(fields.get("subjects", "")))
            return ctx.redirect(f"/cases/{case.ref}", done="case_created", ref=case.ref)
        except CellwatchError as exc:
            problems, status = _problems(exc)
    return _cases_page(ctx, status=status, values=fields, error_summary=problems)


def _case_page(ctx: PageContext, ref: str, status: int = 200, **values: Any) -> Response:
    access = _access(ctx)
    case = cases.get_case(access, ref)
    subjects, shares = cases.case_details(access, case)
    user = ctx.user
    own = user.is_system or case.owner_org == user.org_code
    level = None if own else shares.get(user.org_code or "")
    rank = len(SHARE_LEVELS) if own else (SHARE_LEVELS.index(level) + 1 if level else 0)
    may = {"subjects": rank >= 2 and (user.is_system or permitted(
                user.roles, Resource.CASE, Action.UPDATE)),
           "share": rank >= 3 and (user.is_system or permitted(
                user.roles, Resource.CASE, Action.SHARE)),
           "close": rank >= 3 and case.status != "CLOSED" and (user.is_system or permitted(
                user.roles, Resource.CASE, Action.UPDATE))}
    orgs = [(o.code, o.name) for o in list_orgs(access, Paging(limit=500))
            if o.code not in (case.owner_org, user.org_code)] if may["share"] else []
    return ctx.render("case.html", status=status, title=f"Case {case.ref}", case=case,
                      subjects=subjects, shares=shares, level=level, may=may, orgs=orgs,
                      levels=SHARE_LEVELS, identifiers=_identifiers(access, case.ref, subjects),
                      **values)


def _identifiers(access: Access, ref: str, subjects: list[str]) -> list[dict[str, Any]]:
    """The identifiers attributed (latest run) to the case's prisoners the user may read.

    Each prisoner is opened as its own page opens it, the case named as the reason (audited);
    one the user may not read is left out, not shown as an error.
    """
    rows: list[dict[str, Any]] = []
    for number in subjects:
        try:
            view = attributions.prisoner_attributions(access, number, reason=f"case {ref}")
        except (Denied, NotFound):
            continue
        rows.extend({"prison_number": number, "kind": i["identifier_type"].lower(),
                     "value": i["identifier"], "probability": i["max_probability"],
                     # Linked only where its page opens for the user (a force reading a
                     # shared prisoner covers no establishment where the phone is known).
                     "linked": attributions.may_open_identifier(
                         access, i["identifier"], i["identifier_type"])}
                    for i in view["identifiers"])
    return rows


@router.get("/cases/{ref}")
def case_page(ctx: Page, ref: str) -> Response:
    """One case: its prisoners, whom it is shared with, and the forms the user may use."""
    return _case_page(ctx, ref)


@router.post("/cases/{ref}/subjects")
async def add_subjects(ctx: Page, ref: str) -> Response:
    """Add prisoners the user may see to the case."""
    fields = await ctx.form()
    numbers = _numbers(fields.get("subjects", ""))
    problems: Problems = [] if numbers else [("#subjects", "Enter one or more prison numbers")]
    status = 422
    if not problems:
        try:
            cases.add_case_subjects(_access(ctx), ref, numbers)
            return ctx.redirect(f"/cases/{ref}", done="case_subjects", ref=ref,
                                n=len(numbers))
        except CellwatchError as exc:
            problems, status = _problems(exc)
    return _case_page(ctx, ref, status=status, values=fields, error_summary=problems)


@router.post("/cases/{ref}/shares")
async def share(ctx: Page, ref: str) -> Response:
    """Share the case with another organisation at a level."""
    fields = await ctx.form()
    org = fields.get("org", "").strip()
    problems: Problems = [] if org else [("#org", "Choose the organisation")]
    status = 422
    if not problems:
        try:
            cases.share_case(_access(ctx), ref, org, fields.get("level") or "READ")
            return ctx.redirect(f"/cases/{ref}", done="case_shared", ref=ref, org=org)
        except CellwatchError as exc:
            problems, status = _problems(exc)
    return _case_page(ctx, ref, status=status, values=fields, error_summary=problems)


@router.post("/cases/{ref}/close")
async def close(ctx: Page, ref: str) -> Response:
    """Close the case (the owner, or a MANAGE share); refusals are the error page."""
    await ctx.form()
    try:
        cases.close_case(_access(ctx), ref)
    except CellwatchError as exc:
        problems, status = _problems(exc)  # 409: already closed, said on the page
        return _case_page(ctx, ref, status=status, error_summary=problems)
    return ctx.redirect(f"/cases/{ref}", done="case_closed", ref=ref)
