"""Two more work queues: disconnection candidates (draft an application from the ticked
ones) and referrals received (acknowledge them).

Candidates come through the TRO service layer (:mod:`cellwatch.tro.service.orders`), which
decides, audits and keeps them to the principal's establishments:
:func:`~cellwatch.tro.service.candidates` for the queue (the materialised set, with when
it was computed) and one :func:`~cellwatch.tro.service.create_application` per
establishment for the draft.
Referrals go through the service layer (:mod:`cellwatch.cases.service`) likewise.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.cases.service import acknowledge_referral, list_referrals
from cellwatch.errors import InvalidData
from cellwatch.tro.materialise import CandidateSet
from cellwatch.tro.service import orders as tro
from cellwatch.web.context import Page, PageContext, WebRoute

router = APIRouter(route_class=WebRoute)


def _access(ctx: PageContext) -> Access:
    return Access(ctx.store, ctx.user, ctx.web.settings)


def _candidates(ctx: PageContext) -> CandidateSet:
    """The principal's candidates, best first per establishment (decided and audited)."""
    return tro.candidates(_access(ctx), page=Paging(limit=500))


@router.get("/queues/candidates")
async def candidates_queue(ctx: Page) -> Response:
    """Identifiers with enough evidence of use in the principal's establishments."""
    found = await run_in_threadpool(_candidates, ctx)
    return ctx.render("candidates.html", title="Disconnection candidates", section="queues",
                      tab="candidates", candidates=found.candidates,
                      as_of=found.computed_at, batch=found.batch_watermark)


@router.post("/queues/candidates")
async def draft_application(ctx: Page) -> Response:
    """Draft one application per establishment for the ticked candidates."""
    await ctx.form()
    data = await ctx.request.form()
    wanted = {v for v in data.getlist("identifier") if isinstance(v, str) and v}
    if not wanted:
        raise InvalidData("select at least one identifier for the application")
    found = await run_in_threadpool(_candidates, ctx)
    by_place: dict[str, list[str]] = {}
    for c in found.candidates:
        if c.identifier in wanted:
            by_place.setdefault(c.establishment, []).append(c.identifier)
    missing = wanted - {i for ids in by_place.values() for i in ids}
    if missing:
        raise InvalidData(f"not a candidate in your establishments: {', '.join(sorted(missing))}")
    refs = []
    for place, identifiers in sorted(by_place.items()):
        order = await run_in_threadpool(
            tro.create_application, _access(ctx), place, identifiers,
            reason="application drafted from the candidates queue")
        refs.append(order.ref)
    target = f"/orders/{refs[0]}" if len(refs) == 1 else "/queues/orders"
    return ctx.redirect(target, done="drafted", refs=", ".join(refs))


@router.get("/queues/referrals")
def referrals_queue(ctx: Page) -> Response:
    """Referrals received by the principal's organisation, and those it sent."""
    access = Access(ctx.store, ctx.user)
    received = list_referrals(access, Paging(limit=200), direction="in")
    sent = list_referrals(access, Paging(limit=200), direction="out")
    received.sort(key=lambda r: (r.status != "SENT", -r.id))
    return ctx.render("referrals.html", title="Referrals", section="queues", tab="referrals",
                      received=received, sent=sorted(sent, key=lambda r: -r.id))


@router.post("/referrals/{referral_id}/acknowledge")
async def acknowledge(ctx: Page, referral_id: int) -> Response:
    """The receiving organisation acknowledges a referral (the service layer decides)."""
    await ctx.form()
    acknowledge_referral(Access(ctx.store, ctx.user), referral_id)
    return ctx.redirect("/queues/referrals", done="referral_acknowledged", id=referral_id)
