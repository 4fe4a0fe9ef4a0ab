"""Ingest batches and the quarantine."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from cellwatch.access import ops
from cellwatch.api.deps import AccessDep, PageDep
from cellwatch.api.schemas import BatchOut, QuarantineOut

router = APIRouter(tags=["ingest"])


@router.get("/ingest/batches", response_model=list[BatchOut])
def list_batches(access: AccessDep, page: PageDep,
                 kind: Annotated[str | None, Query(max_length=40)] = None,
                 status: Literal["RUNNING", "DONE", "FAILED"] | None = None) -> list[BatchOut]:
    """Ingest batches the caller may see, newest first."""
    return [BatchOut.model_validate(b) for b in ops.list_batches(access, page, kind, status)]


@router.get("/ingest/batches/{batch_id}", response_model=BatchOut)
def get_batch(access: AccessDep,
              batch_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> BatchOut:
    """One ingest batch."""
    return BatchOut.model_validate(ops.get_batch(access, batch_id))


@router.get("/quarantine", response_model=list[QuarantineOut])
def list_quarantine(access: AccessDep, page: PageDep,
                    kind: Annotated[str | None, Query(max_length=40)] = None,
                    status: Literal["OPEN", "RESOLVED", "DISCARDED"] | None = None,
                    batch_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None
                    ) -> list[QuarantineOut]:
    """Quarantined rows the caller may see."""
    rows = ops.list_quarantine(access, page, kind, status, batch_id)
    return [QuarantineOut.model_validate(r) for r in rows]
