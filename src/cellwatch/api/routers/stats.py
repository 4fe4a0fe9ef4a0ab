"""The digest statistics as JSON and their charts as PNG (aggregates: any reader of the estate).

Decided and narrowed by :func:`cellwatch.reports.service.statistics_for`, as ``cellwatch
stats`` is: the establishments the caller covers (regions summed from those alone); a
refusal is audited.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response

from cellwatch.api.deps import AccessDep
from cellwatch.reports.charts import CHARTS, chart_png
from cellwatch.reports.service import statistics_for

router = APIRouter(prefix="/stats", tags=["statistics"])
ChartName = Literal["finds_by_month", "detections_by_month", "disruption_by_month",
                    "finds_by_group"]
assert set(ChartName.__args__) == set(CHARTS)  # type: ignore[attr-defined]  # kept in step
By = Annotated[Literal["establishment", "region"], Query()]
From = Annotated[date | None, Query(alias="from")]
To = Annotated[date | None, Query(alias="to")]


@router.get("")
def statistics(access: AccessDep, by: By = "establishment", start: From = None,
               end: To = None) -> dict[str, Any]:
    """Finds, detections, applications, orders, disconnections and takedowns per month,
    of the establishments the caller covers."""
    return statistics_for(access, by, start, end).to_dict()


@router.get("/charts/{name}.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}}})
def chart(access: AccessDep, name: Annotated[ChartName, Path()], by: By = "establishment",
          start: From = None, end: To = None) -> Response:
    """One chart of the caller's statistics as a PNG image."""
    return Response(chart_png(statistics_for(access, by, start, end), name),
                    media_type="image/png")
