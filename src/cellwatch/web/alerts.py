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

import re
from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, Response

from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.alerts import OUTCOMES
from cellwatch.alerts.models import Alert
from cellwatch.alerts.service import acknowledge_for, assign_for, close_for, get_for, list_for
from cellwatch.errors import CellwatchError, NotFound
from cellwatch.web.context import Page, PageContext, WebRoute

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


def _each(ids: list[int], act: Callable[[int], object]) -> tuple[int, list[CellwatchError]]:
    # One refusal (scope, state, role) must not stop the others: report it and go on.
    done, refused = 0, []
    for alert_id in ids:
        try:
            act(alert_id)
            done += 1
        except CellwatchError as exc:
            refused.append(exc)
    return done, refused


def _show_again(ctx: PageContext, back: str, problems: list[str], fields: dict[str, str],
                chosen: list[int], note: str | None = None, status: int = 422) -> Response:
    # A refused or incomplete action re-shows the form it came from, with what was typed,
    # the boxes ticked and why; never a "Success" banner.
    summary = [(None, p) for p in problems]
    one = re.fullmatch(r"/alerts/(\d+)", back)
    if one:
        alert = get_for(Access(ctx.store, ctx.user), int(one.group(1)))
        return ctx.render("alert.html", status=status, title=f"Alert {alert.id}",
                          section="queues", alert=alert, outcomes=OUTCOMES, values=fields,
                          error_summary=summary, partly=note)
    alerts = list_for(Access(ctx.store, ctx.user), QUEUE)
    alerts.sort(key=_queue_order)
    return ctx.render("alerts.html", status=status, title="Alerts", section="queues",
                      tab="alerts", alerts=alerts, shown="", statuses=list(ORDER),
                      values=fields, ticked=set(chosen), error_summary=summary, partly=note)


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
        return _show_again(ctx, back, ["Select at least one alert"], fields, ids)
    access = Access(ctx.store, ctx.user)
    if action == "acknowledge":
        done, refused = _each(ids, lambda i: acknowledge_for(access, i))
        verb = "Acknowledged"
    elif action == "assign":
        to = fields.get("assignee", "").strip() or ctx.user.username
        done, refused = _each(ids, lambda i: assign_for(access, i, to))
        verb = "Assigned"
    elif action == "close":
        outcome = fields.get("outcome", "")
        if outcome not in OUTCOMES:
            return _show_again(ctx, back, ["Choose the outcome the alert is closed with"],
                               fields, ids)
        note = fields.get("note", "").strip() or None
        done, refused = _each(ids, lambda i: close_for(access, i, outcome, note))
        verb = "Closed"
    else:
        return _show_again(ctx, back, ["Choose what to do with the selected alerts"],
                           fields, ids)
    plural = "s" if done != 1 else ""
    if refused and not done and all(isinstance(r, NotFound) for r in refused):
        # Unknown, or out of scope (answered alike): the page an unknown alert gets, not
        # the queue, whose rows would tell the two answers apart by when they were asked.
        raise NotFound("Not done: " + "; ".join(r.message for r in refused))
    if refused:
        partly = f"{verb} {done} alert{plural}." if done else None
        # Nothing done and one reason (not found, not allowed, wrong state): its status.
        codes = {r.http_status for r in refused}
        status = codes.pop() if not done and len(codes) == 1 else 422
        return _show_again(ctx, back, [f"Not done: {r.message}" for r in refused], fields,
                           ids, partly, status)
    if action == "assign":
        return ctx.redirect(back, done="alerts_assigned", to=to, n=done, s=plural)
    return ctx.redirect(back, done="alerts_done", verb=verb, n=done, s=plural)
