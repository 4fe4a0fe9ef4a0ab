"""Read model of the estate overview: per establishment the principal covers, finds,
detections and disconnections over time, the detections heat map, open alerts and
recent changes.

The disconnections chart counts served TRO orders, so it is there only for a user whose
role reads TRO orders (the API's and the alerts page's rule), and only for the
establishments the user covers.

Detections come from the lake's analytics (:mod:`cellwatch.lake.analytics`, no SQL
here) over the web app's long-lived lake connection; finds and orders from the store,
inside the principal's guarded transaction and scope; alerts from the shared alerts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from cellwatch.access.people import list_establishments
from cellwatch.access.policy import Target, can
from cellwatch.access.roles import Action, Resource
from cellwatch.access.scopes import in_scope
from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.alerts import Alert, list_alerts
from cellwatch.errors import LakeError
from cellwatch.lake.analytics import detection_heat, detections_per_day
from cellwatch.store import Establishment, SeizureItem
from cellwatch.tro.models import TroApplication
from cellwatch.web.charts import HeatMap, Series, heat_map
from cellwatch.web.context import WebApp
from cellwatch.web.records import _ready

WEEKS = 12


@dataclass
class EstablishmentSummary:
    establishment: Establishment
    finds: Series
    detections: Series
    disconnections: Series | None  # None: the user's role does not read TRO orders
    heat: HeatMap
    open_alerts: list[Alert] = field(default_factory=list)


@dataclass
class Overview:
    establishments: list[EstablishmentSummary]
    changes: list[tuple[datetime, str, str]]  # (when, what, link)
    since: datetime | None


def _week_labels(end: date) -> list[date]:
    monday = end - timedelta(days=end.weekday())
    return [monday - timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS)]


def _weekly(title: str, days: Counter[date], weeks: list[date]) -> Series:
    values = [sum(n for d, n in days.items() if w <= d < w + timedelta(days=7)) for w in weeks]
    return Series(title, [w.strftime("%d %b") for w in weeks], values)


def _detections(web: WebApp, codes: set[str]) -> Counter[tuple[str, date]]:
    """Detections per (establishment, day) in ``codes``, over the whole lake."""
    counts: Counter[tuple[str, date]] = Counter()
    start = date(1970, 1, 1)
    try:
        rows = web.memo(("detections_per_day", start),
                        lambda con: detections_per_day(con, start))
    except LakeError:
        # An unreadable lake leaves the detections charts empty, not the whole page broken.
        rows = []
    for row in rows:
        if row["establishment"] in codes:
            counts[(row["establishment"], row["day"])] += int(row["n"])
    return counts


def _heat_rows(web: WebApp, codes: set[str], since: date) -> list[dict[str, Any]]:
    try:
        rows = web.memo(("detection_heat", since), lambda con: detection_heat(con, since))
        return [r for r in rows if r["establishment"] in codes]
    except LakeError:
        return []


def overview(access: Access, web: WebApp, since: datetime | None,
             today: date | None = None) -> Overview:
    """The overview for the principal's establishments (all of them for national users)."""
    p = access.principal
    mine = [e for e in list_establishments(access, Paging(limit=500)) if p.covers(e.code)]
    codes = {e.code for e in mine}
    with access.transaction() as s:
        seizures = list(s.scalars(select(SeizureItem).where(
            in_scope(p, SeizureItem.establishment))))
        orders: list[TroApplication] = []
        # Asked without raising: the page did not ask for orders, so a user without a
        # TRO role is shown no chart rather than audited as refused on every visit.
        reads_orders = bool(can(p, Action.READ, Target(Resource.TRO_ORDER)))
        if reads_orders and _ready(s, TroApplication):
            orders = list(s.scalars(select(TroApplication).where(
                in_scope(p, TroApplication.establishment))))
    alerts = [a for a in list_alerts(access.store, p, status="OPEN") if a.establishment in codes]
    # The window ends at the newest data, so a replayed or simulated estate still shows;
    # the whole lake is counted by day (partition columns only) to find its newest day.
    detections = _detections(web, codes)
    newest = [s.ts.date() for s in seizures] + [d for _, d in detections]
    end = max(newest) if newest else (today or datetime.now(UTC).date())
    weeks = _week_labels(end)
    heat_rows = _heat_rows(web, codes, weeks[0])
    summaries = []
    for est in mine:
        finds = Counter(s.ts.date() for s in seizures if s.establishment == est.code)
        dets = Counter({d: n for (e, d), n in detections.items() if e == est.code})
        discs = Counter(o.served_date for o in orders
                        if o.establishment == est.code and o.served_date)
        served = _weekly(f"Disconnection orders served per week at {est.name}", discs,
                         weeks) if reads_orders else None
        heat = heat_map(f"Detections at {est.name} by wing-landing and hour of day", [
            (r["landing"], r["hour"], r["n"])
            for r in heat_rows if r["establishment"] == est.code])
        summaries.append(EstablishmentSummary(
            est, _weekly(f"Finds per week at {est.name}", finds, weeks),
            _weekly(f"Detections per week at {est.name}", dets, weeks),
            served, heat, [a for a in alerts if a.establishment == est.code]))
    changes = sorted(
        [(s.ts, f"Find {s.seizure_ref}/{s.item_no} at {s.location_code or s.establishment}",
          f"/prisoners/{s.prison_number}" if s.prison_number else "")
         for s in seizures if since is None or s.ts > since]
        + [(a.created_ts, f"Alert: {a.summary}", "/queues/alerts")
           for a in alerts if since is None or a.created_ts > since],
        reverse=True)[:20]
    return Overview(summaries, changes, since)
