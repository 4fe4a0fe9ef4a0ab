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
from cellwatch.errors import InvalidData
from cellwatch.reports.service import chart_names, chart_png, statistics_for

router = APIRouter(prefix="/stats", tags=["statistics"])
ChartName = Literal["finds_by_month", "detections_by_month", "disruption_by_month",
                    "finds_by_group"]
assert set(ChartName.__args__) == set(chart_names())  # type: ignore[attr-defined]  # kept in step
By = Annotated[Literal["establishment", "region"], Query()]
From = Annotated[date | None, Query(alias="from")]
To = Annotated[date | None, Query(alias="to")]
# A month per bar: ten years is the longest period a page or a chart can show (a span of
# millennia took minutes and gigabytes to draw).
MAX_DAYS = 3660
EARLIEST, LATEST = date(1970, 1, 1), date(2199, 12, 31)


def _period(start: date | None, end: date | None) -> tuple[date | None, date | None]:
    """The period asked for, refused (422) when it runs backwards or spans over ten years."""
    for name, day in (("query.from", start), ("query.to", end)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise InvalidData("period refused", {name: [f"between {EARLIEST} and {LATEST}"]})
    last = end or date.today()
    if start is not None and start > last:
        raise InvalidData("period refused", {"query.from": ["after the end of the period"]})
    if start is not None and (last - start).days > MAX_DAYS:
        raise InvalidData("period refused", {"query.from": ["at most ten years before the end"]})
    return start, end


@router.get("")
def statistics(access: AccessDep, by: By = "establishment", start: From = None,
               end: To = None) -> dict[str, Any]:
    """Finds, detections, applications, orders, disconnections and takedowns per month,
    of the establishments the caller covers."""
    return statistics_for(access, by, *_period(start, end)).to_dict()


@router.get("/charts/{name}.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}}})
def chart(access: AccessDep, name: Annotated[ChartName, Path()], by: By = "establishment",
          start: From = None, end: To = None) -> Response:
    """One chart of the caller's statistics as a PNG image."""
    return Response(chart_png(access, name, by, *_period(start, end)), media_type="image/png")
