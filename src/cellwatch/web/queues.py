"""Work queues: disconnection orders, kept to the principal's establishments.

The alerts queue is :mod:`cellwatch.web.alerts`; candidates and referrals are
:mod:`cellwatch.web.candidates`.

Orders are read and walked through their lifecycle by :mod:`cellwatch.tro.service.orders`, which
decides (role and establishment) and audits; the web only renders.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response

from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.errors import AccessDenied, InvalidData, NotFound
from cellwatch.tro.lifecycle import default_lifecycle
from cellwatch.tro.orders import Order
from cellwatch.tro.service import orders as service
from cellwatch.web.context import Page, PageContext, WebRoute

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


@router.get("/queues/orders")
def orders_queue(ctx: Page) -> Response:
    """Disconnection applications and orders, newest first."""
    orders = service.list_orders(_access(ctx), Paging(limit=500))
    return ctx.render("orders.html", title="Disconnection orders", section="queues",
                      tab="orders", orders=orders)


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
