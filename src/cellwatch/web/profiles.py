"""Prisoner and identifier (device, SIM, number, account) pages, the reason prompt, search.

Opening a record outside one's own organisation needs a stated reason: the service
layer refuses without one, the page asks for it, and the reason is kept in the session
for that record only and passed on to the audit trail with every later view.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from cellwatch.access.policy import can, needs_reason
from cellwatch.access.roles import Action, Resource, permitted
from cellwatch.access.service import Access
from cellwatch.attribution.service.knowledge import knowledge_of
from cellwatch.attribution.service.records import (
    identifier_profile,
    parse_identifier,
    prisoner_profile,
)
from cellwatch.errors import (
    Denied,
    InvalidIdentifier,
    LakeError,
    NotFound,
    ReasonRequired,
)
from cellwatch.identifiers import classify
from cellwatch.ingest.service.extractions import device_extractions
from cellwatch.lake.analytics import CallSummary, identifier_calls
from cellwatch.lake.rule_context import RuleContext
from cellwatch.parole import service as parole
from cellwatch.parole.service import Summary as ParoleSummary
from cellwatch.protect.service.persons import list_protected_persons
from cellwatch.search.service import MAX_QUERY, find_prisoners, find_records, imei_reading, terms
from cellwatch.store import AllowListEntry, Store
from cellwatch.web.context import Page, PageContext, WebRoute
from cellwatch.web.profile_views import PrisonerView, cards, prisoner_view

router = APIRouter(route_class=WebRoute)
PRISON_NUMBER = re.compile(r"^[A-Z]\d{4}[A-Z]{2}$")


def _reason_for(ctx: PageContext, key: str) -> str | None:
    for item in ctx.session.reasons:
        scope, _, reason = item.partition("=")
        if scope == key:
            return reason
    return None


def _needs_reason_prompt(ctx: PageContext, exc: Denied) -> bool:
    """The denial is only for want of a reason (the policy itself would allow)."""
    principal = ctx.user
    action = Action(exc.action)
    return bool(can(principal, action, exc.target)) and needs_reason(principal, exc.target) \
        and not exc.reason


def _prompt(ctx: PageContext, key: str, label: str, page: str | None = None) -> Response:
    # ``page``: where the reason leads back to when this is not the page's own URL (a form
    # posted elsewhere shows the page again).
    return ctx.render("reason.html", title="Why are you opening this record?", key=key,
                      label=label, next_url=page or ctx.request.url.path)


@router.get("/prisoners/{prison_number}")
def prisoner_page(ctx: Page, prison_number: str) -> Response:
    """The prisoner profile."""
    return show_prisoner(ctx, prison_number)


def show_prisoner(ctx: PageContext, prison_number: str, status: int = 200,
                  **extra: Any) -> Response:
    """Render the prisoner page; ``extra`` carries a posted form's error to show by it."""
    number = prison_number.upper()
    key = f"PRISONER:{number}"
    try:
        profile = prisoner_profile(Access(ctx.store, ctx.user), prison_number,
                                   _reason_for(ctx, key))
    except Denied as exc:
        if _needs_reason_prompt(ctx, exc):
            return _prompt(ctx, key, f"prisoner {number}", f"/prisoners/{quote(number)}")
        raise
    p = profile.prisoner
    settings = ctx.web.settings
    access = Access(ctx.store, ctx.user, settings)
    try:
        # DuckDB over a cursor on the app's lake connection (views made once, footers
        # cached); the counts are written against the engine interface.
        with ctx.web.engine() as engine:
            view = prisoner_view(access, RuleContext.over(settings, ctx.store, date.today(),
                                                          engine),
                                 p.prison_number, profile.attributions,
                                 settings.parole_probability_floor,
                                 settings.parole_probability_threshold)
    except LakeError:  # an unreadable lake empties the chart, not the page
        view = PrisonerView(cards(access, profile.attributions))
    return ctx.render("prisoner.html", status=status,
                      title=f"{p.surname}, {p.forenames} ({p.prison_number})",
                      profile=profile, view=view, section="overview", **extra)


def open_parole_summary(ctx: PageContext, prison_number: str) -> ParoleSummary | Response:
    """A prisoner's parole summary for the reader's audience, or the page asking for a reason.

    Opened by :func:`cellwatch.parole.service.open_summary` (the policy, reason and audit
    trail), so the download and the review page answer alike."""
    key = f"PRISONER:{prison_number.upper()}"
    try:
        return parole.open_summary(Access(ctx.store, ctx.user, ctx.web.settings),
                                   prison_number, reason=_reason_for(ctx, key))
    except ReasonRequired:
        return _prompt(ctx, key, f"prisoner {prison_number.upper()}")


@router.get("/prisoners/{prison_number}/parole-summary.{fmt}")
def parole_summary(ctx: Page, prison_number: str, fmt: str) -> Response:
    """The parole intelligence summary as HTML or PDF, redacted for the reader's audience."""
    if fmt not in ("html", "pdf"):
        raise NotFound("the parole summary comes as .html or .pdf")
    summary = open_parole_summary(ctx, prison_number)
    if isinstance(summary, Response):
        return summary
    name = f"parole-summary-{summary.prison_number}-{summary.generated.isoformat()}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"',
               "Cache-Control": "no-store"}
    if fmt == "html":
        return HTMLResponse(parole.render_html(summary), headers=headers)
    return Response(parole.render_pdf(summary), media_type="application/pdf", headers=headers)


def _privileged_numbers(store: Store) -> set[str]:
    with store.session() as s:
        return set(s.scalars(select(AllowListEntry.identifier)
                             .where(AllowListEntry.reason == "PRIVILEGED")))


@router.get("/identifiers/{kind}/{value}")
def identifier_page(ctx: Page, kind: str, value: str) -> Response:
    """The device, SIM, number or account profile."""
    return show_identifier(ctx, kind, value)


def show_identifier(ctx: PageContext, kind: str, value: str, status: int = 200,
                    **extra: Any) -> Response:
    """Render the identifier page; ``extra`` carries a posted form's error to show by it."""
    info = parse_identifier(kind, value)
    key = f"IDENTIFIER:{info.value}"
    try:
        profile = identifier_profile(Access(ctx.store, ctx.user), info, _reason_for(ctx, key))
    except Denied as exc:
        if _needs_reason_prompt(ctx, exc):
            return _prompt(ctx, key, f"{info.type} {info.display}",
                           f"/identifiers/{info.type}/{quote(info.value, safe='')}")
        raise
    privileged = _privileged_numbers(ctx.store)
    access = Access(ctx.store, ctx.user, ctx.web.settings)
    try:
        with ctx.web.engine() as engine:  # the app's lake connection, not one per page
            summary: CallSummary | None = None
            # A privileged number is never analysed nor shown; calls to one are never
            # shown either.
            if str(info.type) in ("IMEI", "IMSI", "MSISDN") and info.value not in privileged:
                try:
                    # The timeline and the count of call records in one scan.
                    summary, profile.calls = identifier_calls(
                        engine, info.value, limit=50, hidden=sorted(privileged),
                        kind=str(info.type))
                except LakeError:
                    profile.calls = []  # an unreadable lake empties this section only
            # The same answer as `cellwatch identify` and /api/v1/identifiers (and audited
            # as a look-up, as they are), so the page and the other doors never disagree.
            known = knowledge_of(access, value, hint=kind, lake=engine,
                                 calls=summary)
    except LakeError:
        known = knowledge_of(access, value, hint=kind)  # it says the lake could not be read
    holders = cards(access, profile.attributions)  # one card per prisoner, periods listed
    phones = [] if known.get("privileged") or str(info.type) == "ACCOUNT" else \
        device_extractions(access, info.value, str(info.type))
    return ctx.render("identifier.html", status=status, title=f"{info.type} {info.display}",
                      profile=profile, info=info, known=known, cards=holders,
                      extractions=phones, section="overview", **extra)


@router.post("/reason")
async def give_reason(ctx: Page) -> Response:
    """Keep the stated reason for one record in the session and go back to it."""
    fields = await ctx.form()
    reason = " ".join(fields.get("reason", "").split())
    key, target = fields.get("key", ""), fields.get("next", "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    if len(reason) < 10:
        message = ("Enter a reason of at least 10 characters, such as a case or "
                   "intelligence reference")
        return ctx.render("reason.html", status=422, title="Why are you opening this record?",
                          key=key, label=key.partition(":")[2], next_url=target, error=message,
                          reason=reason, error_summary=[("#reason", message)])
    ctx.new_session = ctx.session.with_reason(f"{key}={reason[:300]}")
    return ctx.redirect(target)


@router.get("/search")
def search(ctx: Page, q: str = "") -> Response:
    """One box: a prison number, any identifier, a name, or a case's or order's reference;
    goes straight to the page when there is one match (``cellwatch.search.service``).

    A role that may not read prisoners searches what it may see (identifiers, references;
    the protected persons of a prison number for victim liaison) and is told nothing about
    prisoners, not even that they were left out. A query that cannot be read (an IMEI with
    a wrong check digit, too long, nothing to search for) shows the form again (422) with
    the message, the nearest valid reading and the results found so far.
    """
    text = q.strip()
    access = Access(ctx.store, ctx.user)
    prisoners = permitted(ctx.user.roles, Resource.PRISONER, Action.READ)
    shown: dict[str, Any] = {"query": q, "prisoners": prisoners, "results": [],
                             "records": [], "protected": [], "error": None, "nearest": None}
    if not text:
        return ctx.render("search.html", title="Search", **shown)
    if len(text) > MAX_QUERY:
        return _search_error(ctx, shown, f"Enter at most {MAX_QUERY} characters")
    title = f"Search results for {text}"
    if PRISON_NUMBER.match(text.upper()):
        if prisoners:
            return ctx.redirect(f"/prisoners/{text.upper()}")
        if permitted(ctx.user.roles, Resource.PROTECTED_PERSON, Action.READ):
            shown["protected"] = list_protected_persons(access, text.upper())
        return ctx.render("search.html", title=title, **shown)
    try:
        info = classify(text)
    except InvalidIdentifier:
        info = None
    if info is not None:
        return ctx.redirect(f"/identifiers/{info.type}/{quote(info.value, safe='')}")
    shown["records"] = records = find_records(access, text)
    if prisoners and terms(text):
        shown["results"] = find_prisoners(access, text)
    reading = imei_reading(text)
    if reading is not None:
        shown["nearest"] = reading.nearest
        return _search_error(ctx, shown, reading.message)
    if not terms(text):
        return _search_error(ctx, shown, "Enter a name, prison number, identifier or "
                             "reference: the search has no letters or digits")
    hits = [f"/prisoners/{p.prison_number}" for p in shown["results"]] + \
        [r.href for r in records]
    if len(hits) == 1 and hits[0]:
        return ctx.redirect(hits[0])
    return ctx.render("search.html", title=title, **shown)


def _search_error(ctx: PageContext, shown: dict[str, Any], message: str) -> Response:
    return ctx.render("search.html", status=422, title="Search", **{
        **shown, "error": message, "error_summary": [("#search-q", message)]})
