"""Read model of the estate overview: per establishment the principal covers, finds,
detections and disconnections over time, the heat map, open alerts and recent changes.

Detections come from the lake's own counting function (no SQL here); finds and orders
from the store, inside the principal's guarded transaction and scope.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from cellwatch.access.people import list_establishments
from cellwatch.access.scopes import in_scope
from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.errors import LakeError
from cellwatch.lake.lake import Lake
from cellwatch.settings import Settings
from cellwatch.store import Establishment, SeizureItem
from cellwatch.tro.models import TroAlert, TroApplication
from cellwatch.web.charts import HeatMap, Series, heat_map
from cellwatch.web.records import _ready

LONDON = ZoneInfo("Europe/London")
WEEKS = 12


@dataclass
class EstablishmentSummary:
    establishment: Establishment
    finds: Series
    detections: Series
    disconnections: Series
    heat: HeatMap
    open_alerts: list[TroAlert] = field(default_factory=list)


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


def _landing(location: str | None) -> str:
    # "HEI-A-2-014" -> "A-2": the wing and landing, which is how officers search.
    if not location:
        return "unknown"
    parts = location.split("-")
    return "-".join(parts[1:3]) if len(parts) >= 3 else location


def overview(access: Access, settings: Settings, since: datetime | None,
             today: date | None = None) -> Overview:
    """The overview for the principal's establishments (all of them for national users)."""
    p = access.principal
    mine = [e for e in list_establishments(access, Paging(limit=500)) if p.covers(e.code)]
    codes = {e.code for e in mine}
    detections: Counter[tuple[str, date]] = Counter()
    try:
        rows = Lake(settings).count("detections", by=["establishment", "day"]).to_pylist()
    except LakeError:
        # An unreadable lake leaves the detections chart empty, not the whole page broken.
        rows = []
    for row in rows:
        if row["establishment"] in codes:
            day = row["day"]
            day = day if isinstance(day, date) else date.fromisoformat(str(day))
            detections[(row["establishment"], day)] += int(row["n"])
    with access.transaction() as s:
        seizures = list(s.scalars(select(SeizureItem).where(
            in_scope(p, SeizureItem.establishment))))
        orders: list[TroApplication] = []
        alerts: list[TroAlert] = []
        if _ready(s, TroApplication, TroAlert):
            orders = list(s.scalars(select(TroApplication).where(
                in_scope(p, TroApplication.establishment))))
            alerts = list(s.scalars(select(TroAlert).where(
                in_scope(p, TroAlert.establishment), TroAlert.status == "OPEN")
                .order_by(TroAlert.created_ts.desc())))
    # The window ends at the newest data, so a replayed or simulated estate still shows.
    newest = [s.ts.date() for s in seizures] + [d for _, d in detections]
    end = max(newest) if newest else (today or datetime.now(UTC).date())
    weeks = _week_labels(end)
    summaries = []
    for est in mine:
        finds = Counter(s.ts.date() for s in seizures if s.establishment == est.code)
        dets = Counter({d: n for (e, d), n in detections.items() if e == est.code})
        discs = Counter(o.served_date for o in orders
                        if o.establishment == est.code and o.served_date)
        heat = heat_map(f"Finds at {est.name} by wing-landing and hour of day", [
            (_landing(s.location_code), s.ts.astimezone(LONDON).hour, 1)
            for s in seizures if s.establishment == est.code])
        summaries.append(EstablishmentSummary(
            est, _weekly(f"Finds per week at {est.name}", finds, weeks),
            _weekly(f"Detections per week at {est.name}", dets, weeks),
            _weekly(f"Disconnection orders served per week at {est.name}", discs, weeks),
            heat, [a for a in alerts if a.establishment == est.code]))
    changes = sorted(
        [(s.ts, f"Find {s.seizure_ref}/{s.item_no} at {s.location_code or s.establishment}",
          f"/prisoners/{s.prison_number}" if s.prison_number else "")
         for s in seizures if since is None or s.ts > since]
        + [(a.created_ts, f"Alert: {a.summary}", "/queues/alerts")
           for a in alerts if since is None or a.created_ts > since],
        reverse=True)[:20]
    return Overview(summaries, changes, since)
