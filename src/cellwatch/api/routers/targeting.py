"""Search targeting: the ranking names occupants, so it needs prisoner read in scope.

Decided by :func:`cellwatch.reports.service.check_targeting`, as ``cellwatch targeting
rank`` is, inside an audited transaction: a refusal is audited.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from cellwatch.api.deps import AccessDep, SettingsDep
from cellwatch.reports.service import check_targeting
from cellwatch.targeting import rank_locations

router = APIRouter(prefix="/targeting", tags=["targeting"])


@router.get("/rank")
def rank(access: AccessDep, settings: SettingsDep,
         establishment: Annotated[str, Query(min_length=2, max_length=8)],
         day: Annotated[date | None, Query(alias="date")] = None,
         level: Literal["CELL", "LANDING"] = "CELL",
         top: Annotated[int, Query(ge=1, le=500)] = 20) -> dict[str, Any]:
    """Cells or landings in order of expected finds, with each one's signals."""
    check_targeting(access, establishment)
    ranking = rank_locations(settings, access.store, establishment, day or date.today(), level,
                             top)
    return ranking.to_dict()
