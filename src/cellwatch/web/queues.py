"""Work queues: disconnection orders, kept to the principal's establishments.

The alerts queue is :mod:`cellwatch.web.alerts`; candidates and referrals are
:mod:`cellwatch.web.candidates`.

Orders are walked through their lifecycle by :func:`cellwatch.tro.orders.transition`; the
web checks the order lies in the principal's scope first, since that function trusts
its caller (it serves the CLI's local administrator too).
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response

from cellwatch.errors import InvalidData, NotFound
from cellwatch.tro.lifecycle import default_lifecycle
from cellwatch.tro.orders import Order, get_order, list_orders, transition
from cellwatch.web.context import Page, PageContext, WebRoute

router = APIRouter(route_class=WebRoute)


def _order_in_scope(ctx: PageContext, ref: str) -> Order:
    order = get_order(ctx.store, ref)
    if not ctx.user.covers(order.application.establishment):
        # The same answer as a missing order: refs are guessable, their existence is not told.
        raise NotFound(f"no disconnection order {ref}")
    return order


@router.get("/queues/orders")
def orders_queue(ctx: Page) -> Response:
    """Disconnection applications and orders, newest first."""
    orders = [o for o in list_orders(ctx.store) if ctx.user.covers(o["establishment"])]
    return ctx.render("orders.html", title="Disconnection orders", section="queues",
                      tab="orders", orders=orders)


@router.get("/orders/{ref}")
def order_page(ctx: Page, ref: str) -> Response:
    """One order: lines, history and the next steps its lifecycle allows."""
    order = _order_in_scope(ctx, ref)
    lifecycle = default_lifecycle()
    return ctx.render("order.html", title=f"Order {order.ref}", section="queues", order=order,
                      next_states=lifecycle.allowed(order.state),
                      states=lifecycle.states)


@router.post("/orders/{ref}/transition")
async def order_transition(ctx: Page, ref: str) -> Response:
    """Move the order to the chosen next state, with the reason given."""
    fields = await ctx.form()
    order = _order_in_scope(ctx, ref)
    target = fields.get("to", "")
    reason = fields.get("reason", "").strip()
    if target not in default_lifecycle().allowed(order.state):
        raise InvalidData(f"choose one of the next steps for an order that is {order.state}")
    order_date = None
    if fields.get("order_date"):
        try:
            order_date = date.fromisoformat(fields["order_date"])
        except ValueError as exc:
            raise InvalidData("enter the order date as YYYY-MM-DD") from exc
    transition(ctx.store, ctx.web.settings, ctx.user.username, order.ref, target, reason,
               court=fields.get("court") or None, court_ref=fields.get("court_ref") or None,
               order_date=order_date)
    return ctx.redirect(f"/orders/{order.ref}", done=f"Order {order.ref} is now {target}")
