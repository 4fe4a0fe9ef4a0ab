"""Aggregates through the policy: the digest statistics and what is loaded.

The packages that compute them (:mod:`cellwatch.reports`, :mod:`cellwatch.ingest.status`)
count the whole estate and trust their caller; the shells come through here, which
decides and narrows:

* statistics: any reader of the estate (the API's ``/stats`` permission), kept to the
  establishments the principal covers, as the web's overview is;
* what is loaded (``cellwatch status``): the ingest-batch read permission; counts per
  establishment kept to the principal's establishments, per kind to the batches it may
  see (``/api/v1/ingest/batches``: its own, every one for a national unit).

Search targeting has its own entry point, :mod:`cellwatch.targeting.service`.

A refusal raises :class:`~cellwatch.access.service.Denied`, audited by
:meth:`Access.transaction`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.access.scopes import own_or_national
from cellwatch.access.service import Access
from cellwatch.errors import ConfigError
from cellwatch.ingest.status import PER_ESTABLISHMENT as PER_ESTABLISHMENT  # the shells' columns
from cellwatch.ingest.status import status
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, QuarantinedRow

if TYPE_CHECKING:
    from pathlib import Path

    from cellwatch.reports.stats import Grouping as Grouping  # the shells parse ``--by`` to it
    from cellwatch.reports.stats import StatsTable


def _settings(access: Access) -> Settings:
    if access.settings is None:
        raise ConfigError("statistics and status need settings (the lake) on the Access")
    return access.settings


def _role(access: Access, resource: Resource) -> None:
    with access.transaction():
        access.check(Action.READ, Target(resource), role_only=True)


def statistics_for(access: Access, by: Grouping = "establishment", start: date | None = None,
                   end: date | None = None) -> StatsTable:
    """The digest statistics of the principal's establishments (the whole estate's for a
    national unit or ``system``), per establishment or region and month."""
    # matplotlib and the analytic engine load with the reports: only when asked for.
    from cellwatch.reports import StatsTable, monthly_statistics

    _role(access, Resource.ESTABLISHMENT)
    p, settings = access.principal, _settings(access)
    if p.establishments is None:
        return monthly_statistics(settings, access.store, by, start, end)
    # Computed per establishment, narrowed, then summed to regions here: a region's row
    # must not count the establishments of it the principal does not cover.
    table = monthly_statistics(settings, access.store, "establishment", start, end)
    rows = [r for r in table.rows if p.covers(r["establishment"])]
    return StatsTable(by, table.start, table.end, _by_region(rows) if by == "region" else rows)


def chart_names() -> list[str]:
    """The charts :func:`chart_png` draws."""
    from cellwatch.reports.charts import CHARTS

    return list(CHARTS)


def chart_png(access: Access, name: str, by: Grouping = "establishment",
              start: date | None = None, end: date | None = None) -> bytes:
    """The chart ``name`` of :func:`statistics_for`'s table, as PNG bytes."""
    from cellwatch.reports.charts import chart_png as draw

    return draw(statistics_for(access, by, start, end), name)


def statistic_labels() -> dict[str, str]:
    """Each statistic's name and the label it is shown with."""
    from cellwatch.reports.definitions import STATISTICS

    return {s.name: s.label for s in STATISTICS}


def write_statistics(table: StatsTable, folder: Path) -> list[Path]:
    """Write a table :func:`statistics_for` gave as CSVs and PNG charts into ``folder``."""
    from cellwatch.reports.write import write_statistics as write

    return write(table, folder)

def _by_region(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from cellwatch.reports.definitions import STATISTIC_NAMES

    sums: dict[tuple[str, date], dict[str, Any]] = {}
    for r in rows:
        acc = sums.setdefault((r["region"], r["month"]), {
            "region": r["region"], "month": r["month"], **dict.fromkeys(STATISTIC_NAMES, 0)})
        for name in STATISTIC_NAMES:
            acc[name] += int(r[name])
    return [sums[key] for key in sorted(sums)]


def loaded_status(access: Access) -> dict[str, Any]:
    """What is loaded, as ``cellwatch.ingest.status.status`` counts it, for the principal."""
    _role(access, Resource.INGEST_BATCH)
    p = access.principal
    result = status(access.store, _settings(access))
    if p.establishments is None:
        return result
    establishments = {code: counts for code, counts in result["establishments"].items()
                      if p.covers(code)}
    kinds = _visible_kinds(access)
    # The same totals as the status module's, over what is left (its helper is private).
    totals = {what: sum(e[what] for e in establishments.values()) for what in PER_ESTABLISHMENT}
    totals |= {"establishments": len(establishments),
               "batches": sum(k["batches"] for k in kinds.values()),
               "quarantined_open": sum(k["quarantined_open"] for k in kinds.values())}
    return {"establishments": establishments, "kinds": kinds, "totals": totals,
            "lake": _narrow_lake(result["lake"], set(establishments))}


def _no_batches() -> dict[str, Any]:
    return {"batches": 0, "rows_read": 0, "rows_accepted": 0, "rows_updated": 0,
            "rows_quarantined": 0, "quarantined_open": 0, "last_batch_at": None}


def _visible_kinds(access: Access) -> dict[str, dict[str, Any]]:
    """Per kind: the batches the principal may see (the API's batch list) and their rows."""
    p = access.principal
    visible = own_or_national(p, IngestBatch.run_by == p.username)
    kinds: dict[str, dict[str, Any]] = {}
    with access.transaction() as s:
        for b in s.scalars(select(IngestBatch).where(visible)):
            k = kinds.setdefault(b.kind, _no_batches())
            k["batches"] += 1
            for name in ("rows_read", "rows_accepted", "rows_updated", "rows_quarantined"):
                k[name] += int(getattr(b, name) or 0)
            when = str(b.started_at)
            k["last_batch_at"] = max(k["last_batch_at"] or when, when)
        open_rows = s.scalars(select(QuarantinedRow.kind).where(
            QuarantinedRow.status == "OPEN",
            QuarantinedRow.batch_id.in_(select(IngestBatch.id).where(visible))))
        for kind in open_rows:
            kinds.setdefault(kind, _no_batches())["quarantined_open"] += 1
    return kinds


def _narrow_lake(lake: dict[str, Any] | None, codes: set[str]) -> dict[str, Any] | None:
    """The lake's detections of ``codes`` only; call records name no establishment, so a
    principal short of the whole estate is not given their estate-wide counts."""
    if not lake or "error" in lake:
        return lake
    per = {code: counts for code, counts in
           lake.get("detections", {}).get("by_establishment", {}).items() if code in codes}
    return {"detections": {"rows": sum(int(c.get("rows", 0)) for c in per.values()),
                           "by_establishment": per}}
