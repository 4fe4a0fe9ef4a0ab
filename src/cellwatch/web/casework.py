"""A referral's page (its state, acknowledging it, recording what came of it) and the
Parole Board's request for an update, answered by the prison team from its /work page.

Each action goes through the service the API calls (:mod:`cellwatch.cases.service`,
:mod:`cellwatch.protect.service.referrals`, ``outcomes`` and ``updates``), which decide
and audit: a referral of other organisations answers as an unknown one (404), one the
principal sent but may not change as a refusal (403). A refused or incomplete form comes
back with its values and the reasons.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Response

from cellwatch.access.roles import Action, Resource, permitted
from cellwatch.access.service import Access
from cellwatch.cases.service import acknowledge_referral
from cellwatch.errors import CellwatchError, InvalidData
from cellwatch.protect.service import outcomes, updates
from cellwatch.protect.service.outcomes import OUTCOME_LABELS, OUTCOMES
from cellwatch.protect.service.referrals import get_crime_referral
from cellwatch.timestamps import parse_date
from cellwatch.web.context import Page, PageContext, WebRoute

router = APIRouter(route_class=WebRoute)
Problems = list[tuple[str | None, str]]
OUTCOME_FIELDS = {"outcome": "Outcome", "outcome_date": "Date", "note": "Note"}


def _access(ctx: PageContext) -> Access:
    return Access(ctx.store, ctx.user, ctx.web.settings)


def _problems(exc: CellwatchError, fields: dict[str, str]) -> tuple[Problems, int]:
    if exc.http_status >= 500 or exc.http_status in (403, 404):
        raise exc  # refused or out of scope: the error page the API's status would be
    if isinstance(exc, InvalidData) and exc.errors:
        return [(f"#{k}" if k in fields else None,
                 f"{fields.get(k, k)}: {'; '.join(v)}") for k, v in exc.errors.items()], 422
    return [(None, exc.message)], exc.http_status


def _referral_page(ctx: PageContext, referral_id: int, status: int = 200,
                   **values: Any) -> Response:
    access = _access(ctx)
    referral = get_crime_referral(access, referral_id)
    user = ctx.user
    receiver = user.is_system or referral.to_org == user.org_code
    may_act = receiver and (user.is_system or permitted(user.roles, Resource.REFERRAL,
                                                        Action.ACKNOWLEDGE))
    return ctx.render("referral.html", status=status, title=f"Referral {referral_id}",
                      referral=referral, outcomes=outcomes.list_outcomes(access, referral_id),
                      receiver=receiver, may_act=may_act, labels=OUTCOME_LABELS,
                      choices=[(o, OUTCOME_LABELS[o]) for o in OUTCOMES],
                      today=outcomes.uk_today(), **values)


@router.get("/referrals/{referral_id}")
def referral(ctx: Page, referral_id: int) -> Response:
    """A referral sent or received: its state, its outcomes, and the receiver's actions."""
    return _referral_page(ctx, referral_id)


@router.post("/referrals/{referral_id}/outcome")
async def record_outcome(ctx: Page, referral_id: int) -> Response:
    """The receiver records what came of the referral (acknowledging it first if asked)."""
    fields = await ctx.form()
    problems: Problems = []
    outcome = fields.get("outcome", "").strip()
    if not outcome:
        problems.append(("#outcome", "Choose the outcome"))
    on: date | None = None
    if fields.get("outcome_date", "").strip():
        try:
            on = parse_date(fields["outcome_date"])
        except InvalidData:
            problems.append(("#outcome_date", "Enter the date as YYYY-MM-DD"))
    status = 422
    if not problems:
        try:
            access = _access(ctx)
            outcomes.record_outcome(access, referral_id, outcome, on,
                                    fields.get("note") or None)
            return ctx.redirect(f"/referrals/{referral_id}", done="outcome_recorded",
                                id=referral_id,
                                outcome=OUTCOME_LABELS.get(outcome.upper(), outcome))
        except CellwatchError as exc:
            problems, status = _problems(exc, OUTCOME_FIELDS)
    return _referral_page(ctx, referral_id, status=status, values=fields,
                          error_summary=problems)


@router.post("/referrals/{referral_id}/receipt")
async def acknowledge(ctx: Page, referral_id: int) -> Response:
    """Acknowledge from the referral's own page, and come back to it."""
    await ctx.form()
    acknowledge_referral(_access(ctx), referral_id)
    return ctx.redirect(f"/referrals/{referral_id}", done="referral_acknowledged",
                        id=referral_id)


def _update_page(ctx: PageContext, prison_number: str, status: int = 200,
                 **values: Any) -> Response:
    number = prison_number.strip().upper()
    asked = updates.list_update_requests(_access(ctx), direction="out", prison_number=number)
    return ctx.render("update_request.html", status=status,
                      title=f"Request an update on {number}", prison_number=number,
                      asked=asked, **values)


@router.get("/reviews/{prison_number}/update")
def update_form(ctx: Page, prison_number: str) -> Response:
    """The form asking the referring team for an update, and the requests made so far."""
    return _update_page(ctx, prison_number)


@router.post("/reviews/{prison_number}/update")
async def request_update(ctx: Page, prison_number: str) -> Response:
    """Ask the team that referred the prisoner for an update (the service decides)."""
    fields = await ctx.form()
    note = " ".join(fields.get("note", "").split())
    problems: Problems = [] if note else [("#note", "Say what you would like to know")]
    status = 422
    if not problems:
        try:
            made = updates.request_update(_access(ctx), prison_number, note)
            return ctx.redirect(f"/reviews/{made.prison_number}/update",
                                done="update_requested", to=made.to_org,
                                prisoner=made.prison_number)
        except CellwatchError as exc:
            problems, status = _problems(exc, {"note": "What you would like to know"})
    return _update_page(ctx, prison_number, status=status, values=fields,
                        error_summary=problems)


@router.post("/update-requests/{request_id}/done")
async def mark_done(ctx: Page, request_id: int) -> Response:
    """The team asked marks a request for an update done, with what it did."""
    fields = await ctx.form()
    done = updates.complete_update_request(_access(ctx), request_id,
                                           fields.get("answer") or None)
    return ctx.redirect("/work", done="update_done", id=done.id, to=done.from_org)
