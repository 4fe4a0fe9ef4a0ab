"""The alerts queue: the shared alerts a principal may see, worked through their lifecycle.

Listing, opening, assigning, acknowledging and closing all go through the audited
alerts service (:mod:`cellwatch.alerts.service`), the same door as ``/api/v1/alerts``:
its scope decides which alerts the principal sees and may work, and every read, change
and refusal lands in the audit chain exactly as it would from the API.
Several alerts can be acknowledged or assigned at once; each is done or refused on
its own, and the page says which.

Disconnection (TRO) alerts live in the same table (one alert system) and are listed,
scoped and worked like any other. The queue is ordered by priority, then open work
first, then newest evidence; every time is shown in UK local time, labelled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, Response

from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.alerts import OUTCOMES
from cellwatch.alerts.models import Alert
from cellwatch.alerts.service import acknowledge_for, assign_for, close_for, get_for, list_for
from cellwatch.errors import CellwatchError, InvalidData
from cellwatch.web.context import Page, WebRoute

router = APIRouter(route_class=WebRoute)
# Open work first, then newest first.
ORDER = {"OPEN": 0, "ASSIGNED": 1, "ACKNOWLEDGED": 2, "CLOSED": 3}
# The queue shows one page of the newest alerts: the service's largest.
QUEUE = Paging(limit=500)


@router.get("/queues/alerts")
def alerts_queue(ctx: Page, status: str = "") -> Response:
    """Alerts in the principal's scope, open work first."""
    wanted = status.upper() if status.upper() in ORDER else None
    access = Access(ctx.store, ctx.user)
    alerts = list_for(access, QUEUE, status=wanted)
    alerts.sort(key=_queue_order)
    return ctx.render("alerts.html", title="Alerts", section="queues", tab="alerts",
                      alerts=alerts, shown=wanted or "", statuses=list(ORDER))


def _queue_order(a: Alert) -> tuple[int, int, float, int]:
    # Closed work last whatever its priority; then most urgent, newest evidence first.
    seen: datetime = a.last_seen or a.updated_ts or a.created_ts
    return (a.status == "CLOSED", a.priority or 3, -seen.timestamp(), -a.id)


@router.get("/alerts/{alert_id}")
def alert_page(ctx: Page, alert_id: int) -> Response:
    """One alert: what fired, its history, and the forms to assign, acknowledge or close it."""
    alert = get_for(Access(ctx.store, ctx.user), alert_id)
    return ctx.render("alert.html", title=f"Alert {alert.id}", section="queues", alert=alert,
                      outcomes=OUTCOMES)


def _each(ids: list[int], act: Callable[[int], object]) -> tuple[int, list[str]]:
    # One refusal (scope, state, role) must not stop the others: report it and go on.
    done, refused = 0, []
    for alert_id in ids:
        try:
            act(alert_id)
            done += 1
        except CellwatchError as exc:
            refused.append(exc.message)
    return done, refused


@router.post("/queues/alerts/action")
async def alerts_action(ctx: Page) -> Response:
    """Acknowledge, assign or close the ticked alerts (or the one whose button was pressed)."""
    fields = await ctx.form()
    # A row's own button posts "action:id"; the bulk buttons post the ticked boxes.
    one_action, _, one = fields.get("one", "").partition(":")
    ids = [int(one)] if one.isdigit() else await ctx.chosen("alert_id")
    action = one_action if one.isdigit() else fields.get("action", "")
    back = fields.get("back", "/queues/alerts")
    back = back if back.startswith("/") and not back.startswith("//") else "/queues/alerts"
    if not ids:
        raise InvalidData("select at least one alert")
    access = Access(ctx.store, ctx.user)
    if action == "acknowledge":
        done, refused = _each(ids, lambda i: acknowledge_for(access, i))
        verb = "Acknowledged"
    elif action == "assign":
        to = fields.get("assignee", "").strip() or ctx.user.username
        done, refused = _each(ids, lambda i: assign_for(access, i, to))
        verb = f"Assigned to {to}:"
    elif action == "close":
        outcome = fields.get("outcome", "")
        if outcome not in OUTCOMES:
            raise InvalidData("choose the outcome the alert is closed with")
        note = fields.get("note", "").strip() or None
        done, refused = _each(ids, lambda i: close_for(access, i, outcome, note))
        verb = "Closed"
    else:
        raise InvalidData("choose what to do with the selected alerts")
    message = f"{verb} {done} alert{'s' if done != 1 else ''}"
    if refused:
        message += f"; not done: {'; '.join(refused)}"
    return ctx.redirect(back, done=message)
