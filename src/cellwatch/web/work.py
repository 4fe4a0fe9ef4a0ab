"""Each role's day: a landing page of what needs doing now, and referring a prisoner.

``/work`` lists, for whoever signs in, only what their roles may open: referrals received
and not yet acknowledged (the Parole Board's are prisoners referred for a review, each
with its summary), open alerts in their establishments, orders waiting for a step, open
cases of their organisation or shared with it, and the protected persons a
victim-liaison officer looks after. Everything is read through the
services (cases, alerts, TRO orders, protect), which decide and audit; a section the role
may not use is left out, never shown as an error.

``/reviews/{prison_number}`` shows a referred prisoner's parole summary in the page (the
summary's own route downloads it), through the same door as the prisoner's record: the
policy, the reason prompt and the audit trail.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

from cellwatch.access.directory import list_orgs
from cellwatch.access.roles import Action, OrgKind, Resource, permitted
from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.alerts.service import list_for
from cellwatch.cases.service import create_referrals, list_cases, list_referrals
from cellwatch.errors import CellwatchError
from cellwatch.parole.service import render_html
from cellwatch.protect.service import contacts, liaison, outcomes, updates
from cellwatch.tro.service import orders as tro
from cellwatch.web.context import Page, PageContext, WebRoute, may_use
from cellwatch.web.profiles import open_parole_summary

router = APIRouter(route_class=WebRoute)
SHOWN = Paging(limit=50)
# Orders whose next step is the prison's (not the court's or an operator's).
WAITING = ("DRAFT", "APPROVED", "GRANTED", "VARIED")


def _sections(ctx: PageContext) -> dict[str, Any]:
    user = ctx.user
    access = Access(ctx.store, user, ctx.web.settings)
    found: dict[str, Any] = {}
    if may_use(user, "referrals"):
        received = list_referrals(access, SHOWN, status="SENT", direction="in")
        found["referrals"] = sorted(received, key=lambda r: -r.id)
        found.update(_follow_up(access, user.org_kind is OrgKind.PAROLE_BOARD))
    # Alerts are a prison's: a national unit (establishments None: every one) or a team
    # covering some; police, Parole Board and operators cover none.
    if user.is_system or user.establishments is None or user.establishments:
        found["alerts"] = [a for a in list_for(access, SHOWN, status="OPEN")][:10]
    if may_use(user, "orders"):
        found["orders"] = [o for o in tro.list_orders(access, Paging(limit=200))
                           if o["state"] in WAITING][:10]
    if permitted(user.roles, Resource.CASE, Action.READ):
        found["cases"] = list_cases(access, SHOWN, status="OPEN")
    if permitted(user.roles, Resource.PROTECTED_PERSON, Action.READ):
        # The officer's own organisation's persons (protect.service.liaison's scope).
        found["persons"] = liaison.list_persons(access)
        found["person_alerts"] = contacts.person_alerts(access, open_only=True)[:10]
    return found


def _follow_up(access: Access, parole: bool) -> dict[str, Any]:
    """Requests for an update the organisation must answer; for a receiver of referrals
    other than the Parole Board, those it acknowledged and has recorded no outcome of."""
    found: dict[str, Any] = {
        "update_requests": updates.list_update_requests(access, direction="in",
                                                        status="OPEN")}
    if not parole:
        taken = list_referrals(access, SHOWN, status="ACKNOWLEDGED", direction="in")
        known = outcomes.current_outcomes(access, taken)
        found["awaiting_outcome"] = [r for r in sorted(taken, key=lambda r: -r.id)
                                     if r.id not in known][:10]
    return found


@router.get("/work")
def work(ctx: Page) -> Response:
    """What needs doing now, for the signed-in user's roles."""
    if ctx.user.org_kind is OrgKind.OPERATOR:
        # An operator's work is the order lines served on its network, on its own page.
        return ctx.redirect("/operator")
    return ctx.render("work.html", title="Your work", sections=_sections(ctx),
                      parole=ctx.user.org_kind is OrgKind.PAROLE_BOARD,
                      refer_to=_refer_to(ctx))


def _refer_to(ctx: PageContext) -> list[tuple[str, str]]:
    # Prison users refer a prisoner on (the Parole Board, a force); who may is the service's.
    if not permitted(ctx.user.roles, Resource.REFERRAL, Action.CREATE):
        return []
    orgs = list_orgs(Access(ctx.store, ctx.user), Paging(limit=500))
    return [(o.code, o.name) for o in orgs if o.code != ctx.user.org_code
            and o.kind in ("PAROLE_BOARD", "POLICE")]


@router.post("/referrals")
async def refer(ctx: Page) -> Response:
    """Refer a prisoner to another organisation (the cases service decides and audits)."""
    fields = await ctx.form()
    to = fields.get("to_org", "").strip()
    number = fields.get("prison_number", "").strip().upper()
    summary = " ".join(fields.get("summary", "").split())
    problems: list[tuple[str | None, str]] = [(f"#{name}", message) for name, message in (
        ("to_org", "Choose whom to refer to" if not to else ""),
        ("prison_number", "Enter the prison number" if not number else ""),
        ("summary", "Say why you are referring" if not summary else "")) if message]
    status = 422
    if not problems:
        try:
            made = create_referrals(Access(ctx.store, ctx.user), [to], summary[:500],
                                    prison_number=number)
            return ctx.redirect("/work", done="referral_sent", id=made[0].id, to=to)
        except CellwatchError as exc:
            if exc.http_status >= 500:
                raise
            # Refused (403), not found or out of scope (404, alike), or invalid (422): the
            # form again with its values, under the refusal's own status.
            problems, status = [(None, exc.message)], exc.http_status
    return ctx.render("work.html", status=status, title="Your work", sections=_sections(ctx),
                      parole=ctx.user.org_kind is OrgKind.PAROLE_BOARD,
                      refer_to=_refer_to(ctx), values=fields, error_summary=problems)


@router.get("/reviews/{prison_number}")
def review(ctx: Page, prison_number: str) -> Response:
    """A prisoner's parole summary, shown in the page (the policy decides who may open it)."""
    summary = open_parole_summary(ctx, prison_number)
    if isinstance(summary, Response):
        return summary
    response = HTMLResponse(render_html(summary), headers={"Cache-Control": "no-store"})
    ctx.finish(response)
    return response
