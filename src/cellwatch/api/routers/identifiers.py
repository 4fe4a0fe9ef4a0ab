"""Identifier look-ups: what a string is, and what the store knows of it.

Opened by the rule of the web's device page and ``cellwatch device``
(:func:`cellwatch.attribution.service.knowledge.look_up`): one known outside the caller's own
organisation needs a reason (the ``reason`` query parameter, or the ``Cellwatch-Reason``
header as elsewhere); without one the answer is a 403 naming the missing ``reason``, and
the refusal is audited.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from cellwatch.access.service import Access
from cellwatch.api.deps import AccessDep, ReasonDep
from cellwatch.attribution.service.knowledge import look_up
from cellwatch.errors import LakeError
from cellwatch.lake.analytic_engine import AnalyticEngine
from cellwatch.lake.shared import SharedLake

router = APIRouter(prefix="/identifiers", tags=["identifiers"])


@router.get("/{text}", response_model=dict[str, Any])
async def lookup(request: Request, access: AccessDep, header_reason: ReasonDep,
                 text: Annotated[str, Path(max_length=200)],
                 reason: Annotated[str | None, Query(
                     max_length=1000, description="Why it is looked up; required when it "
                     "is known outside your organisation")] = None) -> dict[str, Any]:
    """Classify and normalise an identifier, and everything the caller may see about it:
    allow-list, seizures, detections, call records, attributions, intelligence, TRO orders.

    A privileged identifier is reported as such and nothing else.
    """
    known = await run_in_threadpool(_look_up, request.app.state.lake, access, text,
                                    reason or header_reason)
    # Round 1's answer was the identifier alone: keep its fields at the top for clients.
    return {**known["identifier"], **known}


def _look_up(shared: SharedLake, access: Access, text: str,
             reason: str | None) -> dict[str, Any]:
    # Through the server's one lake connection (a cursor of its own): opening a connection
    # and its views per look-up cost most of the request.
    with ExitStack() as stack:
        engine: AnalyticEngine | None
        try:
            engine = stack.enter_context(shared.engine())
        except LakeError:
            engine = None  # look_up tries its own, and says so if the lake cannot be read
        return look_up(access, text, reason, lake=engine)
