"""Work queues: disconnection orders, kept to the principal's establishments, and the
quarantine of rejected rows.

The alerts queue is :mod:`cellwatch.web.alerts`; candidates and referrals are
:mod:`cellwatch.web.candidates`; each is a :class:`~cellwatch.web.queue_table.Queue`.

Orders are read and walked through their lifecycle by :mod:`cellwatch.tro.service.orders`, which
decides (role and establishment) and audits; the web only renders. The quarantine is
listed by :mod:`cellwatch.ingest.service.batches` and retried or discarded through
:mod:`cellwatch.ingest.service.uploads`, the API's functions.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response

from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.errors import AccessDenied, InvalidData, NotFound
from cellwatch.ingest.service import batches, uploads
from cellwatch.tro.service import orders as service
from cellwatch.tro.service.shared import Order, default_lifecycle
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


def _access(ctx: PageContext) -> Access:
    return Access(ctx.store, ctx.user, ctx.web.settings)


def _order_in_scope(ctx: PageContext, ref: str) -> Order:
    try:
        return service.get_order(_access(ctx), ref)
    except AccessDenied as exc:
        # The same page as a missing order: refs are guessable, their existence is not told
        # (the refusal is in the audit log all the same).
        raise NotFound(f"no disconnection order {ref}") from exc


def _orders(ctx: PageContext, view: View, page: Paging) -> list[Row]:
    # Filtered, sorted and paged by the TRO service in SQL (audited with the refs).
    rows = service.list_orders(_access(ctx), page, view.text("establishment"),
                               view.text("state"), since=view.since("from"),
                               before=view.before("to"), order=view.order)
    return [r | {"key": r["ref"], "row_id": r["ref"], "label": f"order {r['ref']}"}
            for r in rows]


def _describe_orders(ctx: PageContext, keys: list[str]) -> list[tuple[str, str]]:
    def one(ref: str) -> str:
        order = _order_in_scope(ctx, ref)
        return (f"order {ref} ({order.application.establishment}, {order.state}, "
                f"{len(order.lines)} identifiers)")
    return describe_each(keys, one, "order")


def _act_orders(ctx: PageContext, action: str, keys: list[str],
                fields: dict[str, str]) -> list[Outcome]:
    access, reason = _access(ctx), fields.get("reason", "").strip()
    # A ref outside the scope is answered as a missing one, as on the order's page.
    return each(keys, lambda ref: f"order {ref}", lambda ref: service.transition(
        access, _order_in_scope(ctx, ref).ref, "APPROVED", reason))


ORDERS = Queue(
    name="orders", title="Disconnection orders", path="/queues/orders", noun="order",
    columns=(Column("ref", "Reference", sortable=True, kind="link", link="/orders/{ref}"),
             Column("establishment", "Establishment", sortable=True),
             Column("state", "State", sortable=True, kind="tag"),
             Column("lines", "Identifiers", sortable=True, kind="number"),
             Column("created_at", "Drafted (UK time)", sortable=True, kind="time"),
             Column("updated_at", "Last step (UK time)", sortable=True, kind="time")),
    filters=(Filter("state", "State", "choice",
                    tuple((s, s.capitalize()) for s in default_lifecycle().states)),
             Filter("establishment", "Establishment"),
             Filter("from", "Drafted from", "date_from"),
             Filter("to", "Drafted to", "date_to")),
    default_sort="created_at", default_desc=True, fetch=_orders,
    describe=_describe_orders, act=_act_orders,
    actions=(BulkAction("approve", "Approve", needs=("reason",)),),
    intro="Applications and orders in your establishments. Select drafts to approve them "
          "(a supervisor's step; you are asked to confirm).",
    extra={"field_labels": {"reason": "Reason (to approve)"}})


@router.get("/queues/orders")
async def orders_queue(ctx: Page) -> Response:
    """Disconnection applications and orders, newest first (sorted, filtered, paged)."""
    return await show(ctx, ORDERS)


@router.post("/queues/orders/bulk")
async def orders_bulk(ctx: Page) -> Response:
    """Approve the ticked drafts, one by one, after a confirmation page."""
    return await bulk(ctx, ORDERS)


def _quarantine(ctx: PageContext, view: View, page: Paging) -> list[Row]:
    rows = batches.list_quarantine(Access(ctx.store, ctx.user), page, view.text("kind"),
                                   view.text("status"), view.whole("batch"),
                                   since=view.since("from"), before=view.before("to"),
                                   order=view.order)
    return [{"key": str(r.id), "row_id": r.id, "label": f"row {r.id} ({r.kind}, line {r.line})",
             "id": r.id, "kind": r.kind, "batch_id": r.batch_id, "file_name": r.file_name,
             "line": r.line, "field": r.field, "reason": r.reason, "status": r.status,
             "created_at": r.created_at, "selectable": r.status == "OPEN"} for r in rows]


def _describe_rows(ctx: PageContext, keys: list[str]) -> list[tuple[str, str]]:
    access = Access(ctx.store, ctx.user)

    def one(key: str) -> str:
        row = uploads.get_quarantined(access, _row_number(key))
        return (f"row {row.id}: {row.kind}, {row.file_name} line {row.line} "
                f"({row.status}): {row.reason}")
    return describe_each(keys, one, "row")


def _row_number(key: str) -> int:
    return key_number(key, "a row")


def _act_rows(ctx: PageContext, action: str, keys: list[str],
              fields: dict[str, str]) -> list[Outcome]:
    access, settings = Access(ctx.store, ctx.user), ctx.web.settings
    reason = fields.get("reason", "").strip()

    def one(key: str) -> None:
        if action == "discard":
            uploads.discard_quarantined(access, settings, _row_number(key), reason)
            return
        row, _ = uploads.retry_quarantined(access, settings, _row_number(key))
        if row.status != "RESOLVED":
            raise InvalidData("retried; the row still has problems")

    return each(keys, lambda k: f"row {k}", one)


QUARANTINE = Queue(
    name="quarantine", title="Quarantined rows", path="/queues/quarantine",
    noun="quarantined row",
    columns=(Column("id", "Row", sortable=True, kind="link", link="/ingest/quarantine/{id}"),
             Column("kind", "Kind", sortable=True),
             Column("batch_id", "Batch", sortable=True),
             Column("file_name", "File"),
             Column("line", "Line", sortable=True, kind="number"),
             Column("field", "Field"),
             Column("reason", "Problem", sortable=True),
             Column("status", "Status", sortable=True, kind="tag"),
             Column("created_at", "Quarantined (UK time)", sortable=True, kind="time")),
    filters=(Filter("status", "Status", "choice",
                    (("OPEN", "Open"), ("RESOLVED", "Resolved"), ("DISCARDED", "Discarded"))),
             Filter("kind", "Kind"), Filter("batch", "Batch", "whole"),
             Filter("from", "Quarantined from", "date_from"),
             Filter("to", "Quarantined to", "date_to")),
    default_sort="id", default_desc=False, fetch=_quarantine, describe=_describe_rows,
    act=_act_rows,
    actions=(BulkAction("retry", "Retry as they stand"),
             BulkAction("discard", "Discard", needs=("reason",), warning=True)),
    intro="Rows of the batches you may see that were not taken in, with the problem found. "
          "Open a row to fix its values; select rows to retry them as they stand (after "
          "their reference data arrived) or to discard them with a reason.",
    extra={"field_labels": {"reason": "Reason (to discard)"}})


@router.get("/queues/quarantine")
async def quarantine_queue(ctx: Page) -> Response:
    """Quarantined rows of the batches the principal may see (sorted, filtered, paged)."""
    return await show(ctx, QUARANTINE)


@router.post("/queues/quarantine/bulk")
async def quarantine_bulk(ctx: Page) -> Response:
    """Retry or discard the ticked rows, one by one, after a confirmation page."""
    return await bulk(ctx, QUARANTINE)


def _order_form(ctx: PageContext, order: Order, status: int = 200,
                values: dict[str, str] | None = None,
                problem: str | None = None) -> Response:
    lifecycle = default_lifecycle()
    return ctx.render("order.html", status=status, title=f"Order {order.ref}",
                      section="queues", order=order, next_states=lifecycle.allowed(order.state),
                      states=lifecycle.states, values=values or {},
                      error_summary=[(None, problem)] if problem else None)


@router.get("/orders/{ref}")
def order_page(ctx: Page, ref: str) -> Response:
    """One order: lines, history and the next steps its lifecycle allows."""
    return _order_form(ctx, _order_in_scope(ctx, ref))


@router.post("/orders/{ref}/transition")
async def order_transition(ctx: Page, ref: str) -> Response:
    """Move the order to the chosen next state, with the reason given.

    A refused step (a date in the future, served before the order, a missing field)
    shows the form again with what was entered and why.
    """
    fields = await ctx.form()
    order = _order_in_scope(ctx, ref)
    target = fields.get("to", "")
    reason = fields.get("reason", "").strip()
    try:
        if target not in default_lifecycle().allowed(order.state):
            raise InvalidData(f"choose one of the next steps for an order that is {order.state}")
        order_date = None
        if fields.get("order_date", "").strip():
            try:
                order_date = date.fromisoformat(fields["order_date"].strip())
            except ValueError as exc:
                raise InvalidData("enter the order date as YYYY-MM-DD") from exc
        service.transition(_access(ctx), order.ref, target, reason,
                           court=fields.get("court") or None,
                           court_ref=fields.get("court_ref") or None, order_date=order_date)
    except InvalidData as exc:
        return _order_form(ctx, order, 422, fields, exc.message)
    return ctx.redirect(f"/orders/{order.ref}", done="order_state", ref=order.ref,
                        state=target)
