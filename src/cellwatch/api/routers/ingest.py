"""Ingest: uploads, batches and the quarantine."""

from __future__ import annotations

import tempfile
from enum import StrEnum
from pathlib import Path as FilePath
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from cellwatch.api.deps import AccessDep, PageDep, SettingsDep
from cellwatch.api.schemas import BatchOut, IngestSummaryOut, QuarantineOut, RetryOut
from cellwatch.api.upload import MULTIPART_BODY, receive_upload
from cellwatch.ingest.service import batches, uploads
from cellwatch.ingest.service.files import kind_names

router = APIRouter(tags=["ingest"])
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]

# The kinds, as an enumeration for the OpenAPI document (built when the module loads:
# the list is fixed by the installed code, not by data).
Kind = StrEnum("Kind", {name: name for name in kind_names()})  # type: ignore[misc]


@router.post("/ingest/{kind}", response_model=IngestSummaryOut, status_code=201,
             openapi_extra=MULTIPART_BODY,
             responses={413: {"description": "Upload too large"}})
async def upload(request: Request, access: AccessDep, settings: SettingsDep,
                 kind: Kind) -> IngestSummaryOut:
    """Upload one file (multipart field ``file``) of ``kind``; bad rows are quarantined.

    Refused with 413 once the body passes the server's upload limit.
    """
    # Decide before reading a byte of the body: a refused principal uploads nothing.
    name = await run_in_threadpool(uploads.check_ingest, access, kind.value)
    with tempfile.TemporaryDirectory(prefix="cellwatch-upload-") as folder:
        path = await receive_upload(request, settings.max_upload_bytes, FilePath(folder))
        summary = await run_in_threadpool(uploads.ingest_upload, access, settings, name, path)
    return IngestSummaryOut(**summary.to_dict())


@router.get("/ingest/batches", response_model=list[BatchOut])
def list_batches(access: AccessDep, page: PageDep,
                 kind: Annotated[str | None, Query(max_length=40)] = None,
                 status: Literal["RUNNING", "DONE", "FAILED"] | None = None) -> list[BatchOut]:
    """Ingest batches the caller may see, newest first."""
    return [BatchOut.model_validate(b) for b in batches.list_batches(access, page, kind, status)]


@router.get("/ingest/batches/{batch_id}", response_model=BatchOut)
def get_batch(access: AccessDep,
              batch_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> BatchOut:
    """One ingest batch."""
    return BatchOut.model_validate(batches.get_batch(access, batch_id))


@router.get("/quarantine", response_model=list[QuarantineOut])
def list_quarantine(access: AccessDep, page: PageDep,
                    kind: Annotated[str | None, Query(max_length=40)] = None,
                    status: Literal["OPEN", "RESOLVED", "DISCARDED"] | None = None,
                    batch_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None
                    ) -> list[QuarantineOut]:
    """Quarantined rows the caller may see."""
    rows = batches.list_quarantine(access, page, kind, status, batch_id)
    return [QuarantineOut.model_validate(r) for r in rows]


@router.get("/quarantine/{row_id}", response_model=QuarantineOut)
def get_quarantined(access: AccessDep, row_id: RowId) -> QuarantineOut:
    """One quarantined row, with its raw values and problems."""
    return QuarantineOut.model_validate(uploads.get_quarantined(access, row_id))


@router.post("/quarantine/{row_id}/retry", response_model=RetryOut)
def retry(access: AccessDep, settings: SettingsDep, row_id: RowId) -> RetryOut:
    """Validate an OPEN row again (its references may have arrived); it goes in if it passes."""
    row, summary = uploads.retry_quarantined(access, settings, row_id)
    return RetryOut(row=QuarantineOut.model_validate(row),
                    summary=IngestSummaryOut(**summary.to_dict()))
