"""Identifier look-ups: what a string is, and what the store knows of it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from starlette.concurrency import run_in_threadpool

from cellwatch.access.knowledge import knowledge_of
from cellwatch.api.deps import AccessDep

router = APIRouter(prefix="/identifiers", tags=["identifiers"])


@router.get("/{text}", response_model=dict[str, Any])
async def lookup(access: AccessDep, text: Annotated[str, Path(max_length=200)]
                 ) -> dict[str, Any]:
    """Classify and normalise an identifier, and everything the caller may see about it:
    allow-list, seizures, detections, call records, attributions, intelligence, TRO orders.

    A privileged identifier is reported as such and nothing else.
    """
    known = await run_in_threadpool(knowledge_of, access, text)
    # Round 1's answer was the identifier alone: keep its fields at the top for clients.
    return {**known["identifier"], **known}
