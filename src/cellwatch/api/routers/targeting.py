"""Search targeting: the ranking names occupants, so it needs prisoner read in scope.

Decided and audited by :mod:`cellwatch.targeting.service`, as ``cellwatch targeting rank``
is: a refusal is audited too.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from cellwatch.api.deps import AccessDep
from cellwatch.targeting import service

router = APIRouter(prefix="/targeting", tags=["targeting"])


@router.get("/rank")
def rank(access: AccessDep,
         establishment: Annotated[str, Query(min_length=2, max_length=8)],
         day: Annotated[date | None, Query(alias="date")] = None,
         level: Literal["CELL", "LANDING"] = "CELL",
         top: Annotated[int, Query(ge=1, le=500)] = 20) -> dict[str, Any]:
    """Cells or landings in order of expected finds, with each one's signals."""
    return service.rank(access, establishment, day or date.today(), level, top).to_dict()
