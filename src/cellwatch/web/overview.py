"""The estate overview: the first page after sign-in."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response

from cellwatch.access.roles import OrgKind
from cellwatch.access.service import Access
from cellwatch.web.charts import bars
from cellwatch.web.context import Page, WebRoute
from cellwatch.web.estate import overview as build_overview

router = APIRouter(route_class=WebRoute)


@router.get("/")
def overview(ctx: Page, establishment: str = "") -> Response:
    """Per establishment: finds, detections, disconnections, heat map, alerts, changes.

    ``establishment``: show that one in full (for users covering many, whose overview
    is otherwise a summary table).
    """
    if ctx.user.org_kind is OrgKind.OPERATOR:
        # An operator sees no prison: its users' first page is the lines served on them.
        return ctx.redirect("/operator")
    if ctx.user.org_kind in (OrgKind.PAROLE_BOARD, OrgKind.POLICE):
        # No prison of their own: their first page is what was referred or shared to them.
        return ctx.redirect("/work")
    last = ctx.session.last_visit
    since = datetime.fromtimestamp(last, UTC) if last else None
    focus = establishment.strip().upper() or None
    data = build_overview(Access(ctx.store, ctx.user), ctx.web, since, focus=focus)
    return ctx.render("overview.html", title="Estate overview", section="overview",
                      data=data, bars=bars)
