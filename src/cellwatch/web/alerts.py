"""The alerts queue: the shared alerts a principal may see, worked through their lifecycle.

Acknowledge, assign and close are the alerts package's own lifecycle functions; the
page only checks, first, that every alert named in a form is one the principal sees
(those functions trust their caller, as they also serve the CLI's administrator).
Several alerts can be acknowledged or assigned at once; each is done or refused on
its own, and the page says which.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Response

from cellwatch.access.principal import Principal
from cellwatch.access.roles import PRISON_SERVICE, OrgKind
from cellwatch.alerts import OUTCOMES, Alert, acknowledge, assign, close, get_alert, list_alerts
from cellwatch.errors import CellwatchError, InvalidData, NotFound
from cellwatch.tro.alerts import list_alerts as list_tro_alerts
from cellwatch.web.context import Page, PageContext, WebRoute

router = APIRouter(route_class=WebRoute)
# Open work first, then newest first.
ORDER = {"OPEN": 0, "ASSIGNED": 1, "ACKNOWLEDGED": 2, "CLOSED": 3}


def sees(principal: Principal, alert: Alert) -> bool:
    """Whether ``principal`` may see (and so work) ``alert``.

    The same rule as :func:`cellwatch.alerts.visible_alerts`, for one loaded alert.
    """
    if principal.is_system or principal.org_kind is OrgKind.NATIONAL:
        return True
    if principal.org_kind not in PRISON_SERVICE or not principal.establishments:
        return False
    return alert.establishment in principal.establishments


def _alert(ctx: PageContext, alert_id: int) -> Alert:
    alert = get_alert(ctx.store, alert_id)
    if not sees(ctx.user, alert):
        # Ids are guessable; an alert elsewhere is answered like a missing one.
        raise NotFound(f"alert {alert_id} not found")
    return alert


@router.get("/queues/alerts")
def alerts_queue(ctx: Page, status: str = "") -> Response:
    """Alerts in the principal's establishments, open work first."""
    wanted = status.upper() if status.upper() in ORDER else None
    alerts = list_alerts(ctx.store, ctx.user, status=wanted)
    alerts.sort(key=lambda a: (ORDER.get(a.status, 9), -a.id))
    tro = [a for a in list_tro_alerts(ctx.store) if ctx.user.covers(a["establishment"])]
    return ctx.render("alerts.html", title="Alerts", section="queues", tab="alerts",
                      alerts=alerts, tro_alerts=tro, shown=wanted or "",
                      statuses=list(ORDER))


@router.get("/alerts/{alert_id}")
def alert_page(ctx: Page, alert_id: int) -> Response:
    """One alert: what fired, its history, and the forms to assign, acknowledge or close it."""
    alert = _alert(ctx, alert_id)
    return ctx.render("alert.html", title=f"Alert {alert.id}", section="queues", alert=alert,
                      outcomes=OUTCOMES)


def _each(ctx: PageContext, ids: list[int], act: Callable[[int], object]) -> tuple[int, list[str]]:
    done, refused = 0, []
    for alert_id in ids:
        try:
            _alert(ctx, alert_id)
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
    me = ctx.user.username
    if action == "acknowledge":
        done, refused = _each(ctx, ids, lambda i: acknowledge(ctx.store, i, me))
        verb = "Acknowledged"
    elif action == "assign":
        to = fields.get("assignee", "").strip() or me
        done, refused = _each(ctx, ids, lambda i: assign(ctx.store, i, to, me))
        verb = f"Assigned to {to}:"
    elif action == "close":
        outcome = fields.get("outcome", "")
        if outcome not in OUTCOMES:
            raise InvalidData("choose the outcome the alert is closed with")
        note = fields.get("note", "").strip() or None
        done, refused = _each(ctx, ids, lambda i: close(ctx.store, i, outcome, me, note))
        verb = "Closed"
    else:
        raise InvalidData("choose what to do with the selected alerts")
    message = f"{verb} {done} alert{'s' if done != 1 else ''}"
    if refused:
        message += f"; not done: {'; '.join(refused)}"
    return ctx.redirect(back, done=message)
