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

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.errors import LakeError
from cellwatch.estate.service import list_establishments, overview_records
from cellwatch.lake.analytics import detection_heat, detections_per_day
from cellwatch.store import Establishment
from cellwatch.web.charts import HeatMap, Series, heat_map
from cellwatch.web.context import LONDON, WebApp

if TYPE_CHECKING:
    from cellwatch.estate.service import Alert

WEEKS = 12
# Up to this many establishments in scope, each gets its charts and heat map on the
# overview; beyond (a region, the nation) the page summarises them in one table with
# estate-wide totals, and one establishment's section opens from its row. 170 full
# sections were 3.5 MB of HTML and 0.6-1 s a page for a national user.
DETAIL_LIMIT = 6


@dataclass
class EstablishmentSummary:
    establishment: Establishment
    finds: Series
    detections: Series
    disconnections: Series | None  # None: the user's role does not read TRO orders
    heat: HeatMap | None  # None: summarised in the table, no section of its own
    open_alerts: list[Alert] = field(default_factory=list)

    @property
    def active(self) -> bool:
        """Whether anything happened here in the window (or an alert is open)."""
        served = sum(self.disconnections.values) if self.disconnections else 0
        return bool(sum(self.finds.values) or sum(self.detections.values) or served
                    or self.open_alerts)


@dataclass
class Overview:
    establishments: list[EstablishmentSummary]  # shown in full, each in its own section
    changes: list[tuple[datetime, str, str]]  # (when, what, link)
    since: datetime | None
    # When summarised: estate-wide weekly totals, the establishments with activity (most
    # detections first) and how many in scope had none.
    totals: list[Series] = field(default_factory=list)
    table: list[EstablishmentSummary] = field(default_factory=list)
    quiet: int = 0
    orders_shown: bool = False  # the user's role reads TRO orders


def _week_labels(end: date) -> list[date]:
    monday = end - timedelta(days=end.weekday())
    return [monday - timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS)]


def _window_end(today: date, days: list[date]) -> date:
    """Today, unless no day of ``days`` falls in the twelve weeks to today."""
    start = _week_labels(today)[0]
    if not days or any(start <= d <= today for d in days):
        return today
    return max(days)


def _weekly(title: str, days: Counter[date], weeks: list[date]) -> Series:
    """``days`` summed into ``weeks`` (consecutive Mondays, as :func:`_week_labels`
    gives): each day placed by its offset, once, rather than every day tested against
    every week (a national overview does this for some 170 establishments)."""
    values = [0] * len(weeks)
    for day, n in days.items():
        week = (day - weeks[0]).days // 7
        if 0 <= week < len(weeks):
            values[week] += n
    return Series(title, [w.strftime("%d %b") for w in weeks], values)


def _detections(web: WebApp, codes: set[str]) -> Counter[tuple[str, date]]:
    """Detections per (establishment, day) in ``codes``, over the whole lake."""
    counts: Counter[tuple[str, date]] = Counter()
    start = date(1970, 1, 1)
    try:
        rows = web.memo(("detections_per_day", start),
                        lambda engine: detections_per_day(engine, start))
    except LakeError:
        # An unreadable lake leaves the detections charts empty, not the whole page broken.
        rows = []
    for row in rows:
        if row["establishment"] in codes:
            counts[(row["establishment"], row["day"])] += int(row["n"])
    return counts


def _heat_rows(web: WebApp, codes: set[str], since: date) -> list[dict[str, Any]]:
    try:
        rows = web.memo(("detection_heat", since), lambda engine: detection_heat(engine, since))
        return [r for r in rows if r["establishment"] in codes]
    except LakeError:
        return []


def overview(access: Access, web: WebApp, since: datetime | None,
             today: date | None = None, focus: str | None = None) -> Overview:
    """The overview for the principal's establishments (all of them for national users).

    ``focus``: one establishment's code, shown in full whatever the number in scope (a
    code outside the principal's scope shows nothing of it).
    """
    p = access.principal
    mine = [e for e in list_establishments(access, Paging(limit=500)) if p.covers(e.code)]
    codes = {e.code for e in mine}
    if focus not in codes:
        focus = None  # another prison's code by URL: the user's own overview, nothing of it
    detailed = {focus} if focus is not None else codes if len(codes) <= DETAIL_LIMIT else set()
    records = overview_records(access, codes, detailed)
    seizures, alerts, parents = records.seizures, records.open_alerts, records.cell_parents
    reads_orders = records.orders is not None
    orders = records.orders or []
    # The window ends today (an order served today shows today); only when nothing at
    # all happened in the twelve weeks to today (a replayed or simulated estate) does it
    # end at the newest data instead. The lake is counted by day (partition columns only).
    detections = _detections(web, codes)
    newest = ([s.ts.date() for s in seizures] + [d for _, d in detections]
              + [o.served_date for o in orders if o.served_date is not None])
    end = _window_end(today or datetime.now(LONDON).date(), newest)
    weeks = _week_labels(end)
    heat_rows = _heat_rows(web, detailed, weeks[0]) if detailed else []
    finds_at: dict[str, Counter[date]] = defaultdict(Counter)
    for item in seizures:
        finds_at[item.establishment][item.ts.date()] += 1
    detections_at: dict[str, Counter[date]] = defaultdict(Counter)
    for (est_code, day), n in detections.items():
        detections_at[est_code][day] += n
    served_at: dict[str, Counter[date]] = defaultdict(Counter)
    for order in orders:
        if order.served_date:
            served_at[order.establishment][order.served_date] += 1
    summaries = []
    for est in mine:
        served = _weekly(f"Disconnection orders served per week at {est.name}",
                         served_at[est.code], weeks) if reads_orders else None
        heat = heat_map(f"Detections at {est.name} by wing-landing and hour of day", [
            (parents.get(f"{est.code}|{r['landing']}", r["landing"]), r["hour"], r["n"])
            for r in heat_rows if r["establishment"] == est.code]) if est.code in detailed else None
        summaries.append(EstablishmentSummary(
            est, _weekly(f"Finds per week at {est.name}", finds_at[est.code], weeks),
            _weekly(f"Detections per week at {est.name}", detections_at[est.code], weeks),
            served, heat, [a for a in alerts if a.establishment == est.code]))
    changes = sorted(
        [(s.ts, f"Find {s.seizure_ref}/{s.item_no} at {s.location_code or s.establishment}",
          f"/prisoners/{s.prison_number}" if s.prison_number else "")
         for s in seizures if since is None or s.ts > since]
        + [(a.created_ts, f"Alert: {a.summary}", "/queues/alerts")
           for a in alerts if since is None or a.created_ts > since],
        reverse=True)[:20]
    shown = [e for e in summaries if e.heat is not None]
    if detailed == codes and focus is None:
        return Overview(shown, changes, since)
    active = sorted((e for e in summaries if e.active),
                    key=lambda e: (-sum(e.detections.values), e.establishment.code))
    totals = [_weekly("Finds per week, all establishments in your scope",
                      sum(finds_at.values(), Counter()), weeks),
              _weekly("Detections per week, all establishments in your scope",
                      sum(detections_at.values(), Counter()), weeks)]
    if reads_orders:
        totals.append(_weekly("Disconnection orders served per week, all establishments "
                              "in your scope", sum(served_at.values(), Counter()), weeks))
    return Overview(shown, changes, since, totals, active, len(summaries) - len(active),
                    reads_orders)
