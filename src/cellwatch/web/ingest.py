"""The ingest page: upload a file of a chosen kind, see its validation report, and work
the quarantine (fix a row's values, retry, or discard a row with a reason).

The upload is streamed to a temporary file and cut off past ``settings.max_upload_bytes``
(the body is counted as it arrives, so a false Content-Length does not help). The file
then goes through the same :func:`~cellwatch.ingest.framework.ingest_file` as the CLI,
as the signed-in user, who must be allowed to create ingest batches (supervisors), and the
alert rules run once afterwards through the CLI's
:func:`~cellwatch.alerts.engine.run_after_ingest` (retries of quarantined rows too).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import AsyncGenerator
from pathlib import Path

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from cellwatch.access import ops
from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.alerts.engine import run_after_ingest
from cellwatch.errors import InvalidData, NotFound
from cellwatch.ingest.framework import IngestContext, ingest_file, kind_names
from cellwatch.ingest.quarantine import discard_row, fix_row, retry_rows, show_row
from cellwatch.web.context import Page, PageContext, WebRoute

router = APIRouter(route_class=WebRoute)
# Multipart headers and the small fields around the file.
FORM_OVERHEAD = 64 * 1024
SUFFIXES = (".csv", ".jsonl", ".json", ".ndjson", ".parquet", ".txt")


class TooLarge(InvalidData):
    """The upload is over the configured limit."""

    http_status = 413


def _limit(ctx: PageContext) -> int:
    return ctx.web.settings.max_upload_bytes


async def _limited(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > limit + FORM_OVERHEAD:
            raise TooLarge(f"the file is larger than the {limit // (1024 * 1024) or 1} MB allowed")
        yield chunk


def _safe_name(name: str | None) -> str:
    # Only the base name's ordinary characters: it is recorded on the batch and shown.
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name or "upload").name).strip("._") or "upload"
    return base if base.lower().endswith(SUFFIXES) else f"{base}.csv"


def _ingest_access(ctx: PageContext) -> Access:
    access = Access(ctx.store, ctx.user)
    with access.transaction():
        access.check(Action.CREATE, Target(Resource.INGEST_BATCH), role_only=True)
    return access


def _page(ctx: PageContext, status: int = 200, **values: object) -> Response:
    access = Access(ctx.store, ctx.user)
    rows = ops.list_quarantine(access, Paging(limit=200), status="OPEN")
    batches = ops.list_batches(access, Paging(limit=10))
    return ctx.render("ingest.html", status=status, title="Ingest", section="ingest",
                      kinds=kind_names(), rows=rows, batches=batches,
                      limit_mb=max(_limit(ctx) // (1024 * 1024), 1), **values)


@router.get("/ingest")
def ingest_page(ctx: Page) -> Response:
    """The upload form, recent batches and the open quarantine."""
    return _page(ctx)


@router.post("/ingest")
async def upload(ctx: Page, request: Request) -> Response:
    """Stream the upload to a temporary file, ingest it and show its validation report."""
    _ingest_access(ctx)
    limit = _limit(ctx)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
        raise TooLarge(f"the file is larger than the {limit // (1024 * 1024) or 1} MB allowed")
    parser = MultiPartParser(request.headers, _limited(request, limit), max_files=1,
                             max_fields=10)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise InvalidData(f"the upload could not be read: {exc.message}") from exc
    if form.get("csrf_token") != ctx.session.csrf:
        raise InvalidData("the form has expired; go back, reload the page and try again")
    kind, upload = form.get("kind"), form.get("file")
    errors = []
    if not isinstance(kind, str) or kind not in kind_names():
        errors.append(("#kind", "Choose the kind of file"))
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors.append(("#file", "Choose a file to upload"))
    if errors or not isinstance(upload, UploadFile) or not isinstance(kind, str):
        return _page(ctx, status=422, error_summary=errors, errors=dict(errors), chosen=kind)
    folder = Path(tempfile.mkdtemp(prefix="cellwatch-upload-"))
    try:
        path = folder / _safe_name(upload.filename)
        with path.open("wb") as out:
            await run_in_threadpool(shutil.copyfileobj, upload.file, out, 1024 * 1024)
        await upload.close()
        if path.stat().st_size > limit:
            raise TooLarge(f"the file is larger than the {limit // (1024 * 1024) or 1} MB allowed")
        ictx = IngestContext(ctx.store, ctx.web.settings, ctx.user.username)
        summary = await run_in_threadpool(ingest_file, ictx, kind, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # The same single post-ingest rule run as ``cellwatch ingest`` and the API.
    await run_in_threadpool(run_after_ingest, ctx.web.settings, ctx.store, [summary])
    return _page(ctx, summary=summary, file_name=path.name, chosen=kind)


def _row_in_scope(ctx: PageContext, row_id: int) -> dict[str, object]:
    # Raw rows can hold personal data: the service layer's list decides (and audits)
    # whether the row's batch is one the principal may see.
    row = show_row(ctx.store, row_id)
    access = Access(ctx.store, ctx.user)
    batch = row["batch_id"] if isinstance(row["batch_id"], int) else None
    visible = {r.id for r in ops.list_quarantine(access, Paging(limit=500), status="OPEN",
                                                   batch_id=batch)}
    if row_id not in visible:
        raise NotFound(f"no open quarantined row {row_id} of yours")
    return row


@router.get("/ingest/quarantine/{row_id}")
def quarantine_row(ctx: Page, row_id: int) -> Response:
    """One quarantined row: its problems and its values, editable."""
    row = _row_in_scope(ctx, row_id)
    return ctx.render("quarantine_row.html", title=f"Quarantined row {row_id}",
                      section="ingest", row=row)


def _fixer(ctx: PageContext) -> IngestContext:
    access = Access(ctx.store, ctx.user)
    with access.transaction():
        access.check(Action.UPDATE, Target(Resource.QUARANTINE), role_only=True)
    return IngestContext(ctx.store, ctx.web.settings, ctx.user.username)


@router.post("/ingest/quarantine/{row_id}")
async def fix_and_retry(ctx: Page, row_id: int) -> Response:
    """Save the edited values (only those changed) and try the row again."""
    fields = await ctx.form()
    row = _row_in_scope(ctx, row_id)
    ictx = _fixer(ctx)
    raw = row["raw"] if isinstance(row["raw"], dict) else {}
    changes = {name: fields[f"v-{name}"] for name in raw
               if f"v-{name}" in fields and fields[f"v-{name}"].strip() != str(raw[name] or "")}
    if changes:
        fix_row(ictx, row_id, changes)
    summaries = retry_rows(ictx, ids=[row_id])
    run_after_ingest(ctx.web.settings, ctx.store, summaries)
    accepted = sum(s.accepted + s.updated for s in summaries)
    if accepted:
        return ctx.redirect("/ingest", done=f"Row {row_id} was fixed and went in")
    return ctx.redirect(f"/ingest/quarantine/{row_id}",
                        done=f"Saved; row {row_id} still has problems")


@router.post("/ingest/quarantine/{row_id}/discard")
async def discard(ctx: Page, row_id: int) -> Response:
    """Give up on a row that cannot be fixed, saying why (the row is kept, marked DISCARDED)."""
    fields = await ctx.form()
    row = _row_in_scope(ctx, row_id)
    ictx = _fixer(ctx)
    reason = " ".join(fields.get("reason", "").split())
    if not reason:
        # Re-show the row with the error by the box, not a bare error page.
        message = "Enter why the row is being discarded"
        return ctx.render("quarantine_row.html", status=422, title=f"Quarantined row {row_id}",
                          section="ingest", row=row, discard_error=message,
                          error_summary=[("#reason", message)])
    discard_row(ictx, row_id, reason[:500])
    # Giving up on data is a decision someone must answer for: it goes in the audit chain
    # (the row itself keeps who and why too).
    access = Access(ctx.store, ctx.user)
    with access.transaction() as s:
        access.audit(s, "discard", Target(Resource.QUARANTINE, str(row_id)), reason[:500],
                     detail={"kind": row["kind"], "batch_id": row["batch_id"]})
    return ctx.redirect("/ingest", done=f"Row {row_id} was discarded")


@router.post("/ingest/quarantine")
async def retry_selected(ctx: Page) -> Response:
    """Retry the ticked rows as they stand (after a fix elsewhere, e.g. reference data)."""
    await ctx.form()
    ids = await ctx.chosen("row_id")
    if not ids:
        raise InvalidData("select at least one row to retry")
    for row_id in ids:
        _row_in_scope(ctx, row_id)
    summaries = retry_rows(_fixer(ctx), ids=ids)
    run_after_ingest(ctx.web.settings, ctx.store, summaries)
    accepted = sum(s.accepted + s.updated for s in summaries)
    return ctx.redirect("/ingest", done=f"Retried {len(ids)} rows: {accepted} went in, "
                                        f"{len(ids) - accepted} still quarantined")
