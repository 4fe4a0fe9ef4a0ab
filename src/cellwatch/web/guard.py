"""The "Suspected staff or visitor phones" queue: phones held out of disconnection
candidates and attribution, with the evidence for each hold, and a form per row to
allow-list it (with a reason) or release it as contraband.

Everything goes through :mod:`cellwatch.guard.service`, which decides (scoped like the
candidates), audits and answers a row outside the user's establishments as missing.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.guard import service
from cellwatch.web.context import Page, PageContext, WebRoute

router = APIRouter(route_class=WebRoute)


def _access(ctx: PageContext) -> Access:
    return Access(ctx.store, ctx.user, ctx.web.settings)


@router.get("/queues/guard")
def guard_queue(ctx: Page) -> Response:
    """Held and flagged phones first, then those decided."""
    rows = service.list_holds(_access(ctx), page=Paging(limit=500))
    return ctx.render("guard.html", title="Suspected staff or visitor phones",
                      section="queues", tab="guard",
                      open_rows=[r for r in rows if r["status"] in ("HELD", "FLAGGED")],
                      decided=[r for r in rows if r["status"] not in ("HELD", "FLAGGED")],
                      kinds=service.ALLOW_KINDS)


async def _fields(ctx: PageContext) -> dict[str, str]:
    await ctx.form()
    data = await ctx.request.form()
    return {k: v for k, v in data.items() if isinstance(v, str)}


@router.post("/queues/guard/{hold_id}/allow")
async def allow(ctx: Page, hold_id: int) -> Response:
    """Allow-list the phone (a supervisor of its establishment or a national unit)."""
    form = await _fields(ctx)
    row = service.allow(_access(ctx), hold_id, form.get("reason", ""),
                        form.get("kind", "STAFF"))
    return ctx.redirect("/queues/guard", done="guard_allowed", identifier=row["identifier"])


@router.post("/queues/guard/{hold_id}/release")
async def release(ctx: Page, hold_id: int) -> Response:
    """Release the phone as contraband: back among the candidates."""
    form = await _fields(ctx)
    row = service.release(_access(ctx), hold_id, form.get("reason", ""))
    return ctx.redirect("/queues/guard", done="guard_released",
                        identifier=row["identifier"])
