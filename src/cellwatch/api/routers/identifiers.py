"""Identifier look-ups: what a string is (IMEI, IMSI, ICCID, number, account)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.api.deps import AccessDep
from cellwatch.api.schemas import IdentifierOut
from cellwatch.identifiers import classify

router = APIRouter(prefix="/identifiers", tags=["identifiers"])


@router.get("/{text}", response_model=IdentifierOut)
def lookup(access: AccessDep, text: Annotated[str, Path(max_length=200)]) -> IdentifierOut:
    """Classify and normalise an identifier (a pure look-up; nothing stored is read)."""
    with access.transaction():
        access.check(Action.READ, Target(Resource.IDENTIFIER, text), role_only=True)
    info = classify(text)
    return IdentifierOut(type=str(info.type), value=info.value, display=info.display,
                         details=dict(info.details), notes=list(info.notes))
