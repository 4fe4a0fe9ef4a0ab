"""The estate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cellwatch.api.deps import AccessDep, PageDep
from cellwatch.api.schemas import EstablishmentOut
from cellwatch.estate import service as people

router = APIRouter(prefix="/establishments", tags=["establishments"])


@router.get("", response_model=list[EstablishmentOut])
def list_establishments(access: AccessDep, page: PageDep,
                        region: Annotated[str | None, Query(max_length=100)] = None,
                        mine: bool = False) -> list[EstablishmentOut]:
    """Establishments; ``mine=true`` keeps those the caller covers."""
    rows = people.list_establishments(access, page, region, mine)
    return [EstablishmentOut.model_validate(r) for r in rows]
