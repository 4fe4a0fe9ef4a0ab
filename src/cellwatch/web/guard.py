"""The "Suspected staff or visitor phones" queue: phones held out of disconnection
candidates and attribution, with the evidence for each hold, a form per row to allow-list
it (with a reason) or release it as contraband, and the same two as bulk actions.

Everything goes through :mod:`cellwatch.guard.service`, which decides (scoped like the
candidates), filters, sorts and pages in SQL, audits and answers a row outside the user's
establishments as missing. The queue is a :class:`~cellwatch.web.queue_table.Queue`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response

from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.guard import service
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
STATUSES = ("HELD", "FLAGGED", "ALLOWED", "RELEASED")
WHY = {"NIGHT_USE": "Night in a cell", "LINKED": "Linked to a held phone",
       "STAFF_PATTERN": "Staff or visitor pattern"}


def _access(ctx: PageContext) -> Access:
    return Access(ctx.store, ctx.user, ctx.web.settings)


def _figures(row: dict[str, Any]) -> str:
    e = row["evidence"] or {}
    if row["flag"] == "LINKED":
        return f"Seen with {', '.join(e.get('linked_to', []))}"
    return (f"{e.get('days', 0)} days, {e.get('work_share', 0) * 100:.0f}% in working hours, "
            f"{e.get('weekday_share', 0) * 100:.0f}% of days on weekdays, "
            f"{e.get('zones', 0)} zones, {e.get('access_share', 0) * 100:.0f}% at the gate, "
            f"visits or reception, {e.get('cell_nights', 0)} night(s) in the cells")


def _rows(ctx: PageContext, view: View, page: Paging) -> list[Row]:
    rows = service.list_holds(_access(ctx), view.text("establishment"), view.text("status"),
                              page, flag=view.text("flag"), since=view.since("from"),
                              before=view.before("to"), order=view.order)
    return [r | {"key": str(r["id"]), "row_id": r["id"],
                 "label": f"{r['identifier_type']} {r['identifier']} at {r['establishment']}",
                 "why": WHY.get(r["flag"], r["flag"]) + (" (on the allow list)"
                                                         if r["allow_listed"] else ""),
                 "figures": _figures(r),
                 "first_flagged_at": datetime.fromisoformat(r["first_flagged_at"]),
                 "selectable": r["status"] in ("HELD", "FLAGGED"),
                 "decision": {"ALLOWED": "Allow-listed",
                              "RELEASED": "Released as contraband"}.get(r["status"], "")}
            for r in rows]


def _describe(ctx: PageContext, keys: list[str]) -> list[tuple[str, str]]:
    def one(key: str) -> str:
        r = service.get_hold(_access(ctx), _number(key))
        return f"{r['identifier_type']} {r['identifier']} at {r['establishment']} ({r['status']})"
    return describe_each(keys, one, "phone")


def _number(key: str) -> int:
    return key_number(key, "a queue row")


def _act(ctx: PageContext, action: str, keys: list[str],
         fields: dict[str, str]) -> list[Outcome]:
    access, reason = _access(ctx), fields.get("reason", "")
    if action == "allow":
        return each(keys, lambda k: f"phone {k}", lambda k: service.allow(
            access, _number(k), reason, fields.get("kind", "STAFF")))
    return each(keys, lambda k: f"phone {k}",
                lambda k: service.release(access, _number(k), reason))


QUEUE = Queue(
    name="guard", title="Suspected staff or visitor phones", path="/queues/guard",
    noun="phone",
    columns=(Column("identifier_type", "Type"),
             Column("identifier", "Identifier", sortable=True, kind="ident"),
             Column("establishment", "Where", sortable=True),
             Column("status", "Status", sortable=True, kind="tag"),
             Column("why", "Why"),
             Column("figures", "Evidence"),
             Column("first_flagged_at", "First flagged (UK time)", sortable=True, kind="time"),
             Column("decision", "Decision"),
             Column("decided_by", "By"),
             Column("decision_reason", "Reason")),
    filters=(Filter("status", "Status", "choice", tuple((s, s.capitalize()) for s in STATUSES)),
             Filter("flag", "Why held", "choice", tuple((f, WHY[f]) for f in service.FLAGS)),
             Filter("establishment", "Establishment"),
             Filter("from", "First flagged from", "date_from"),
             Filter("to", "First flagged to", "date_to")),
    default_sort="status", default_desc=False, fetch=_rows, describe=_describe, act=_act,
    actions=(BulkAction("release", "Release as contraband", needs=("reason",), warning=True),
             BulkAction("allow", "Allow-list", needs=("reason", "kind"))),
    template="guard.html",
    extra={"kinds": service.ALLOW_KINDS,
           "field_labels": {"reason": "Reason", "kind": "Allow-list as"},
           "field_choices": {"kind": [(k, k.title()) for k in service.ALLOW_KINDS]}})


@router.get("/queues/guard")
async def guard_queue(ctx: Page) -> Response:
    """Held and flagged phones first, then those decided (sorted, filtered, paged)."""
    return await show(ctx, QUEUE)


@router.post("/queues/guard/bulk")
async def guard_bulk(ctx: Page) -> Response:
    """Release or allow-list the ticked phones, one by one, after a confirmation page."""
    return await bulk(ctx, QUEUE)


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
