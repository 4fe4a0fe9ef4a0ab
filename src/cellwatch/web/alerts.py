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

from fastapi import APIRouter, Response

from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.alerts.service import (
    OUTCOMES,
    acknowledge_for,
    assign_for,
    close_for,
    get_for,
    list_for,
)
from cellwatch.errors import CellwatchError, InvalidData, NotFound
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
# Open work first, then newest first.
ORDER = {"OPEN": 0, "ASSIGNED": 1, "ACKNOWLEDGED": 2, "CLOSED": 3}


def _rows(ctx: PageContext, view: View, page: Paging) -> list[Row]:
    # Filtered, sorted and paged by the alerts service in SQL (audited with the ids).
    alerts = list_for(Access(ctx.store, ctx.user), page, status=view.text("status"),
                      rule=view.text("rule"), establishment=view.text("establishment"),
                      priority=int(view.filters["priority"]) if view.text("priority") else None,
                      assignee=view.text("assignee"), since=view.since("from"),
                      before=view.before("to"), order=view.order)
    return [{"key": str(a.id), "row_id": a.id, "label": f"alert {a.id}: {a.summary}",
             "id": a.id, "priority": a.priority, "last_seen": a.last_seen or a.created_ts,
             "updated": a.updated_ts, "status": a.status, "rule": a.rule,
             "summary": a.summary, "establishment": a.establishment,
             "prison_number": a.prison_number, "identifier": a.identifier,
             "assigned_to": a.assigned_to, "selectable": a.status != "CLOSED"}
            for a in alerts]


def _describe(ctx: PageContext, keys: list[str]) -> list[tuple[str, str]]:
    access = Access(ctx.store, ctx.user)

    def one(key: str) -> str:
        a = get_for(access, _number(key))
        return f"alert {a.id} ({a.status}, P{a.priority}): {a.summary}"
    return describe_each(keys, one, "alert")


def _act(ctx: PageContext, action: str, keys: list[str],
         fields: dict[str, str]) -> list[Outcome]:
    access = Access(ctx.store, ctx.user)
    to = fields.get("assignee", "").strip() or ctx.user.username
    outcome, note = fields.get("outcome", ""), fields.get("note", "").strip() or None
    steps: dict[str, Callable[[int], object]] = {
        "acknowledge": lambda i: acknowledge_for(access, i),
        "assign": lambda i: assign_for(access, i, to),
        "close": lambda i: close_for(access, i, outcome, note)}
    if action == "close" and outcome not in OUTCOMES:
        raise InvalidData("choose the outcome the alerts are closed with")
    return each(keys, lambda k: f"alert {k}", lambda k: steps[action](_number(k)))


def _number(key: str) -> int:
    return key_number(key, "an alert")


QUEUE = Queue(
    name="alerts", title="Alerts", path="/queues/alerts", noun="alert",
    columns=(
        Column("priority", "Priority", sortable=True, kind="number"),
        Column("last_seen", "Last evidence (UK time)", sortable=True, kind="time"),
        Column("status", "Status", sortable=True, kind="tag"),
        Column("rule", "Rule", sortable=True),
        Column("summary", "What", kind="link", link="/alerts/{id}"),
        Column("establishment", "Where", sortable=True),
        Column("prison_number", "Prisoner", sortable=True, kind="prisoner"),
        Column("identifier", "Identifier"),
        Column("assigned_to", "Assigned to", sortable=True)),
    filters=(
        Filter("status", "Status", "choice", tuple((s, s.capitalize()) for s in ORDER)),
        Filter("priority", "Priority", "choice", tuple((str(p), f"P{p}") for p in range(1, 5))),
        Filter("establishment", "Establishment"),
        Filter("assignee", "Assigned to"),
        Filter("rule", "Rule"),
        Filter("from", "Last evidence from", "date_from"),
        Filter("to", "Last evidence to", "date_to")),
    default_sort="status", default_desc=False, fetch=_rows, describe=_describe, act=_act,
    actions=(BulkAction("acknowledge", "Acknowledge"),
             BulkAction("assign", "Assign", optional=("assignee",)),
             BulkAction("close", "Close", needs=("outcome",), optional=("note",))),
    template="alerts.html",
    extra={"field_labels": {"assignee": "Assign to (user name; blank for yourself)",
                            "outcome": "Outcome (to close)", "note": "Note (to close)"},
           "field_choices": {"outcome": [(o, o.replace("_", " ").capitalize())
                                         for o in OUTCOMES]}})


@router.get("/queues/alerts")
async def alerts_queue(ctx: Page) -> Response:
    """Alerts in the principal's scope, open work first; sorted, filtered, paged and
    exported as the query says (web/queue_table.py)."""
    return await show(ctx, QUEUE)


@router.post("/queues/alerts/bulk")
async def alerts_bulk(ctx: Page) -> Response:
    """Acknowledge, assign or close the ticked alerts, after a confirmation page."""
    return await bulk(ctx, QUEUE)


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


async def _show_again(ctx: PageContext, back: str, problems: list[str],
                      fields: dict[str, str],
                      chosen: list[int], note: str | None = None,
                      status: int = 422) -> Response:
    # A refused or incomplete action re-shows the form it came from, with what was typed,
    # the boxes ticked and why; never a "Success" banner.
    summary = [(None, p) for p in problems]
    one = re.fullmatch(r"/alerts/(\d+)", back)
    if one:
        alert = get_for(Access(ctx.store, ctx.user), int(one.group(1)))
        return ctx.render("alert.html", status=status, title=f"Alert {alert.id}",
                          section="queues", alert=alert, outcomes=OUTCOMES, values=fields,
                          error_summary=summary, partly=note)
    return await show(ctx, QUEUE, status, problems, fields, [str(i) for i in chosen],
                      QUEUE.default(), partly=note)


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
        return await _show_again(ctx, back, ["Select at least one alert"], fields, ids)
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
            return await _show_again(ctx, back, ["Choose the outcome the alert is closed with"],
                               fields, ids)
        note = fields.get("note", "").strip() or None
        done, refused = _each(ids, lambda i: close_for(access, i, outcome, note))
        verb = "Closed"
    else:
        return await _show_again(ctx, back, ["Choose what to do with the selected alerts"],
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
        return await _show_again(ctx, back, [f"Not done: {r.message}" for r in refused], fields,
                           ids, partly, status)
    if action == "assign":
        return ctx.redirect(back, done="alerts_assigned", to=to, n=done, s=plural)
    return ctx.redirect(back, done="alerts_done", verb=verb, n=done, s=plural)
