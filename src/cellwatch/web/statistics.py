"""The statistics page: the digest of ``cellwatch stats`` (the same service call, so the
same figures), per month and per establishment or region, with a chart of each statistic
and the table as CSV (cells no spreadsheet runs as a formula: :mod:`cellwatch.csvsafe`)."""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from cellwatch import csvsafe
from cellwatch.access.service import Access
from cellwatch.errors import InvalidData
from cellwatch.reports.service import statistic_labels, statistics_for
from cellwatch.web.charts import Series, bars
from cellwatch.web.context import Page, PageContext, WebRoute

if TYPE_CHECKING:
    from cellwatch.reports.service import Grouping

router = APIRouter(route_class=WebRoute)
LABELS = statistic_labels()


def _day(text: str, name: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidData(f"enter {name} as YYYY-MM-DD", {name: [text[:40]]}) from exc


async def _table(ctx: PageContext, by: str, start: str, end: str) -> Any:
    grouping: Grouping = "region" if by == "region" else "establishment"
    access = Access(ctx.store, ctx.user, ctx.web.settings)
    return await run_in_threadpool(statistics_for, access, grouping, _day(start, "from"),
                                   _day(end, "to"))


@router.get("/statistics")
async def statistics(ctx: Page, by: str = "establishment", start: str = "",
                     end: str = "") -> Response:
    """Totals per month and per establishment (or region), each statistic charted."""
    table = await _table(ctx, by, start, end)
    months = table.monthly_totals()
    charts = [Series(f"{LABELS.get(n, n)} per month",
                     [m["month"].strftime("%b %Y") for m in months], [int(m[n]) for m in months])
              for n in table.statistics]
    groups: dict[str, dict[str, int]] = {}
    for r in table.rows:
        g = groups.setdefault(str(r[table.group_column]), dict.fromkeys(table.statistics, 0))
        for n in table.statistics:
            g[n] += int(r[n])
    return ctx.render("statistics.html", title="Statistics", table=table, months=months,
                      charts=charts, groups=sorted(groups.items()), labels=LABELS, bars=bars,
                      by=table.by, start=start, end=end, totals=table.totals())


@router.get("/statistics.csv")
async def statistics_csv(ctx: Page, by: str = "establishment", start: str = "",
                         end: str = "") -> Response:
    """The table behind the page, one row per establishment (or region) and month."""
    table = await _table(ctx, by, start, end)
    out = io.StringIO()
    write = csvsafe.writer(out, lineterminator="\r\n")
    write.writerow([table.group_column, "month", *table.statistics])
    for r in table.rows:
        write.writerow([r[table.group_column], r["month"].strftime("%Y-%m"),
                        *(int(r[n]) for n in table.statistics)])
    name = f"cellwatch-statistics-{table.by}-{table.start}-{table.end}.csv"
    response = Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
    ctx.finish(response)
    return response
