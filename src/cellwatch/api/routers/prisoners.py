"""Prisoners: a scoped list, and records opened with a reason when outside one's organisation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from cellwatch.api.deps import AccessDep, PageDep, ReasonDep
from cellwatch.api.schemas import PrisonerOut
from cellwatch.estate import service as people

router = APIRouter(prefix="/prisoners", tags=["prisoners"])


@router.get("", response_model=list[PrisonerOut])
def list_prisoners(
    access: AccessDep, page: PageDep,
    establishment: Annotated[str | None, Query(max_length=8)] = None,
    surname: Annotated[str | None, Query(max_length=100)] = None,
    prison_number: Annotated[str | None, Query(max_length=7)] = None,
) -> list[PrisonerOut]:
    """Prisoners the caller may see; filters match text exactly (no wildcards)."""
    rows = people.list_prisoners(access, page, people.PrisonerFilter(
        establishment, surname, prison_number))
    return [PrisonerOut.model_validate(r) for r in rows]


@router.get("/{prison_number}", response_model=PrisonerOut)
def get_prisoner(access: AccessDep, reason: ReasonDep,
                 prison_number: Annotated[str, Path(max_length=7)]) -> PrisonerOut:
    """One prisoner's record (send ``Cellwatch-Reason`` when outside your organisation)."""
    return PrisonerOut.model_validate(people.get_prisoner(access, prison_number, reason))
