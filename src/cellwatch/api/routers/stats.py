"""The digest statistics as JSON and their charts as PNG (aggregates: any reader of the estate)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response

from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.api.deps import AccessDep, SettingsDep
from cellwatch.reports import monthly_statistics
from cellwatch.reports.charts import CHARTS, chart_png

router = APIRouter(prefix="/stats", tags=["statistics"])
ChartName = Literal["finds_by_month", "detections_by_month", "disruption_by_month",
                    "finds_by_group"]
assert set(ChartName.__args__) == set(CHARTS)  # type: ignore[attr-defined]  # kept in step
By = Annotated[Literal["establishment", "region"], Query()]
From = Annotated[date | None, Query(alias="from")]
To = Annotated[date | None, Query(alias="to")]


@router.get("")
def statistics(access: AccessDep, settings: SettingsDep, by: By = "establishment",
               start: From = None, end: To = None) -> dict[str, Any]:
    """Finds, detections, applications, orders, disconnections and takedowns per month."""
    access.check(Action.READ, Target(Resource.ESTABLISHMENT), role_only=True)
    return monthly_statistics(settings, access.store, by, start, end).to_dict()


@router.get("/charts/{name}.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}}})
def chart(access: AccessDep, settings: SettingsDep, name: Annotated[ChartName, Path()],
          by: By = "establishment", start: From = None, end: To = None) -> Response:
    """One chart of the statistics as a PNG image."""
    access.check(Action.READ, Target(Resource.ESTABLISHMENT), role_only=True)
    table = monthly_statistics(settings, access.store, by, start, end)
    return Response(chart_png(table, name), media_type="image/png")
