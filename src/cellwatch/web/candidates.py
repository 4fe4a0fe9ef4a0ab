"""Two more work queues: disconnection candidates (draft an application from the ticked
ones) and referrals (acknowledge the ones received), each a
:class:`~cellwatch.web.queue_table.Queue`.

Candidates come through the TRO service layer (:mod:`cellwatch.tro.service.orders`), which
decides, audits and keeps them to the principal's establishments:
:func:`~cellwatch.tro.service.candidates` for the queue (the materialised set, filtered,
sorted and paged in SQL, with when it was computed) and one
:func:`~cellwatch.tro.service.create_application` per establishment for the draft.
Referrals go through the service layer (:mod:`cellwatch.cases.service`) likewise.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.cases.service import acknowledge_referral, get_referral
from cellwatch.errors import CellwatchError, InvalidData
from cellwatch.protect.service.referrals import list_referrals_seen
from cellwatch.tro.service import orders as tro
from cellwatch.tro.service.shared import CandidateSet, Narrowing
from cellwatch.web.context import Page, PageContext, WebRoute
from cellwatch.web.queue_table import (
    BulkAction,
    Column,
    Filter,
    Outcome,
    Queue,
    Row,
    View,
    bulk,
    describe_each,
    each,
    key_number,
    show,
)

router = APIRouter(route_class=WebRoute)
IDENTIFIER_TYPES = ("IMEI", "IMSI", "ICCID", "MSISDN")


def _access(ctx: PageContext) -> Access:
    return Access(ctx.store, ctx.user, ctx.web.settings)


def _candidates(ctx: PageContext, establishment: str | None = None,
                page: Paging | None = Paging(limit=500),
                narrow: Narrowing = Narrowing()) -> CandidateSet:
    """The principal's candidates, best first per establishment (decided and audited)."""
    return tro.candidates(_access(ctx), establishment, page=page, narrow=narrow)


def _key(establishment: str, identifier_type: str, identifier: str) -> str:
    return f"{establishment}:{identifier_type}:{identifier}"


def _candidate_rows(ctx: PageContext, view: View, page: Paging) -> list[Row]:
    found = _candidates(ctx, view.text("establishment"), page, Narrowing(
        min_score=view.number("score"), identifier_type=view.text("type"),
        seen_since=view.since("from"), seen_before=view.before("to"), order=view.order))
    ctx.request.state.candidates_as_of = (found.computed_at, found.batch_watermark)
    return [{"key": _key(c.establishment, c.identifier_type, c.identifier),
             "row_id": f"{c.establishment}-{c.identifier_type}-{n}",
             "label": f"{c.identifier_type} {c.identifier} at {c.establishment}",
             "identifier_type": c.identifier_type, "identifier": c.identifier,
             "establishment": c.establishment, "operator": c.operator or "Not known",
             "evidence_days": c.evidence_days, "first_seen": c.first_seen,
             "last_seen": c.last_seen, "score": c.score,
             "prison_numbers": ", ".join(c.prison_numbers[:3]), "guard_flag": c.guard_flag}
            for n, c in enumerate(found.candidates, start=page.offset + 1)]


def _describe_candidates(ctx: PageContext, keys: list[str]) -> list[tuple[str, str]]:
    described = []
    for key in keys:
        place, _, rest = key.partition(":")
        kind, _, identifier = rest.partition(":")
        described.append((key, f"{kind} {identifier} at {place}: into a draft application "
                               f"for {place}"))
    return described


def _draft(ctx: PageContext, action: str, keys: list[str],
           fields: dict[str, str]) -> list[Outcome]:
    # One application per establishment, of the ticked identifiers that are still its
    # candidates; the others are reported as not candidates (nothing is drafted for them).
    wanted: dict[str, list[str]] = {}
    for key in keys:
        place, _, rest = key.partition(":")
        wanted.setdefault(place, []).append(rest.partition(":")[2])
    outcomes = []
    for place, identifiers in sorted(wanted.items()):
        try:
            found = {c.identifier for c in _candidates(ctx, place, None).candidates}
            ok = [i for i in identifiers if i in found]
            if ok:
                order = tro.create_application(
                    _access(ctx), place, ok, reason="application drafted from the candidates queue")
                outcomes += [Outcome(i, f"{i} at {place}", True, f"in {order.ref}") for i in ok]
            outcomes += [Outcome(i, f"{i} at {place}", False,
                                 "not a candidate in your establishments", 404)
                         for i in identifiers if i not in found]
        except CellwatchError as exc:
            outcomes += [Outcome(i, f"{i} at {place}", False, exc.message, exc.http_status)
                         for i in identifiers]
    return outcomes


CANDIDATES = Queue(
    name="candidates", title="Disconnection candidates", path="/queues/candidates",
    noun="candidate",
    columns=(Column("identifier_type", "Type", sortable=True),
             Column("identifier", "Identifier", sortable=True, kind="ident"),
             Column("establishment", "Where", sortable=True),
             Column("operator", "Operator", sortable=True),
             Column("evidence_days", "Days of evidence", sortable=True, kind="number"),
             Column("first_seen", "First seen", sortable=True, kind="date"),
             Column("last_seen", "Last seen", sortable=True, kind="date"),
             Column("score", "Score", sortable=True, kind="number"),
             Column("prison_numbers", "Attributed to")),
    filters=(Filter("establishment", "Establishment"),
             Filter("type", "Type", "choice", tuple((t, t) for t in IDENTIFIER_TYPES)),
             Filter("score", "Score at least", "min"),
             Filter("from", "Last seen from", "date_from"),
             Filter("to", "Last seen to", "date_to")),
    default_sort="score", default_desc=True, fetch=_candidate_rows,
    describe=_describe_candidates, act=_draft,
    actions=(BulkAction("draft", "Draft an application"),),
    template="candidates.html")


@router.get("/queues/candidates")
async def candidates_queue(ctx: Page) -> Response:
    """Identifiers with enough evidence of use in the principal's establishments."""
    return await show(ctx, CANDIDATES)


@router.post("/queues/candidates/bulk")
async def candidates_bulk(ctx: Page) -> Response:
    """Draft applications for the ticked candidates, after a confirmation page."""
    return await bulk(ctx, CANDIDATES)


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


def _referral_rows(ctx: PageContext, view: View, page: Paging) -> list[Row]:
    # As the reader may see them: a force is not shown who received its crime referral.
    rows = list_referrals_seen(Access(ctx.store, ctx.user), page, view.text("status"),
                               view.text("direction"), since=view.since("from"),
                               before=view.before("to"), order=view.order)
    org = ctx.user.org_code
    return [{"key": str(r.id), "row_id": r.id, "label": f"referral {r.id}: {r.summary}",
             "id": r.id, "created_at": r.created_at, "status": r.status,
             "from_org": r.from_org, "to_org": r.to_org, "summary": r.summary,
             "crime_reference": r.crime_reference, "prison_number": r.prison_number,
             "acknowledged_by": r.acknowledged_by,
             "selectable": r.status == "SENT" and r.to_org == org} for r in rows]


def _describe_referrals(ctx: PageContext, keys: list[str]) -> list[tuple[str, str]]:
    access = Access(ctx.store, ctx.user)

    def one(key: str) -> str:
        r = get_referral(access, _number(key))
        return f"referral {r.id} from {r.from_org} ({r.status}): {r.summary}"
    return describe_each(keys, one, "referral")


def _number(key: str) -> int:
    return key_number(key, "a referral")


def _acknowledge(ctx: PageContext, action: str, keys: list[str],
                 fields: dict[str, str]) -> list[Outcome]:
    access = Access(ctx.store, ctx.user)
    return each(keys, lambda k: f"referral {k}",
                lambda k: acknowledge_referral(access, _number(k)))


REFERRALS = Queue(
    name="referrals", title="Referrals", path="/queues/referrals", noun="referral",
    columns=(Column("created_at", "Sent (UK time)", sortable=True, kind="time"),
             Column("status", "Status", sortable=True, kind="tag"),
             Column("from_org", "From", sortable=True),
             Column("to_org", "To", sortable=True),
             Column("summary", "Summary"),
             Column("crime_reference", "Crime reference"),
             Column("prison_number", "Prisoner", sortable=True, kind="prisoner"),
             Column("acknowledged_by", "Acknowledged by")),
    filters=(Filter("direction", "Received or sent", "choice",
                    (("in", "Received"), ("out", "Sent"))),
             Filter("status", "Status", "choice",
                    tuple((s, s.capitalize()) for s in ("SENT", "ACKNOWLEDGED", "CLOSED"))),
             Filter("from", "Sent from", "date_from"), Filter("to", "Sent to", "date_to")),
    default_sort="created_at", default_desc=True, fetch=_referral_rows,
    describe=_describe_referrals, act=_acknowledge,
    actions=(BulkAction("acknowledge", "Acknowledge"),),
    intro="Referrals your organisation received and sent. Select received ones to "
          "acknowledge them (you are asked to confirm).")


@router.get("/queues/referrals")
async def referrals_queue(ctx: Page) -> Response:
    """Referrals received by the principal's organisation, and those it sent."""
    return await show(ctx, REFERRALS)


@router.post("/queues/referrals/bulk")
async def referrals_bulk(ctx: Page) -> Response:
    """Acknowledge the ticked referrals, one by one, after a confirmation page."""
    return await bulk(ctx, REFERRALS)


@router.post("/referrals/{referral_id}/acknowledge")
async def acknowledge(ctx: Page, referral_id: int) -> Response:
    """The receiving organisation acknowledges a referral (the service layer decides)."""
    await ctx.form()
    acknowledge_referral(Access(ctx.store, ctx.user), referral_id)
    return ctx.redirect("/queues/referrals", done="referral_acknowledged", id=referral_id)
