"""The ingest page: upload a file of a chosen kind, see its validation report, and work
the quarantine (fix a row's values, retry, or discard a row with a reason).

Every decision, audit entry and the post-ingest hook come from
:mod:`cellwatch.ingest.service.uploads`, the same functions as the API's upload and quarantine
endpoints; this page only reads the form. The body is streamed and cut off past
``settings.max_upload_bytes`` (counted as it arrives, so a false Content-Length does not
help) before the service sees the file.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncGenerator
from pathlib import Path

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.errors import Denied, IngestError, InvalidData
from cellwatch.ingest.service import IngestSummary, kind_names, uploads
from cellwatch.ingest.service import batches as batch_list
from cellwatch.ingest.service.archives import ZIP_MAGIC, ZipLimits
from cellwatch.ingest.service.folders import FolderResult, ingest_plan, plan_upload
from cellwatch.web import upload_checks
from cellwatch.web.context import Page, PageContext, WebRoute

router = APIRouter(route_class=WebRoute)
# Multipart headers and the small fields around the file.
FORM_OVERHEAD = 64 * 1024
# ``.xml`` is a phone extraction (UFDR report.xml), the one kind read from XML.
SUFFIXES = (".csv", ".jsonl", ".json", ".ndjson", ".parquet", ".txt", ".xml", ".zip")
# Several files or a zip in one upload; the body limit is the same as for one file.
MAX_FILES = 50
AUTO = "auto"


def _limit(ctx: PageContext) -> int:
    return ctx.web.settings.max_upload_bytes


async def _limited(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > limit + FORM_OVERHEAD:
            raise uploads.too_large(limit)
        yield chunk


async def _read_form(request: Request, limit: int) -> FormData:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
        raise uploads.too_large(limit)
    parser = MultiPartParser(request.headers, _limited(request, limit), max_files=MAX_FILES,
                             max_fields=10)
    try:
        return await parser.parse()
    except MultiPartException as exc:
        raise InvalidData(f"the upload could not be read: {exc.message}") from exc


def _file_name(upload: UploadFile) -> str:
    # Recorded on the batch and shown; the suffix tells the sniffer CSV from JSON Lines.
    name = uploads.safe_file_name(upload.filename, default="upload")
    return name if name.lower().endswith(SUFFIXES) else f"{name}.csv"


def _page(ctx: PageContext, status: int = 200, **values: object) -> Response:
    access = Access(ctx.store, ctx.user)
    rows = batch_list.list_quarantine(access, Paging(limit=200), status="OPEN")
    batches = batch_list.list_batches(access, Paging(limit=10))
    return ctx.render("ingest.html", status=status, title="Ingest", section="ingest",
                      kinds=uploads.loadable_kinds(access), rows=rows, batches=batches,
                      limit_mb=max(_limit(ctx) // (1024 * 1024), 1), **values)


@router.get("/ingest")
def ingest_page(ctx: Page) -> Response:
    """The upload form (the kinds the user may load), recent batches and the quarantine."""
    return _page(ctx)


def _kind_problem(access: Access, kind: object) -> tuple[int, str] | None:
    """The status and message for a kind that is missing or not the user's to load."""
    if kind == AUTO:
        return None  # each file's kind is decided (and refused) on its own
    if not isinstance(kind, str) or kind not in kind_names():
        return 422, "Choose the kind of file"
    try:
        uploads.check_ingest(access, kind)
    except Denied:
        # The service has audited the denial; the page says what to do instead.
        return 403, (f"You cannot upload {kind.replace('_', ' ')} files. "
                     "Choose one of the kinds in the list")
    return None


@router.post("/ingest")
async def upload(ctx: Page, request: Request) -> Response:
    """Stream the upload to a temporary file, ingest it and show its validation report."""
    access = Access(ctx.store, ctx.user)
    # Decide before reading the body: a principal who may load nothing uploads nothing.
    await run_in_threadpool(uploads.check_uploader, access)
    form = await _read_form(request, _limit(ctx))
    try:
        if form.get("csrf_token") != ctx.session.csrf:
            raise InvalidData("the form has expired; go back, reload the page and try again")
        kind = form.get("kind")
        sent = [f for f in form.getlist("file") if isinstance(f, UploadFile) and f.filename]
        errors: list[tuple[str, str]] = []
        status = 422
        problem = await run_in_threadpool(_kind_problem, access, kind)
        if problem is not None:
            status, message = problem
            errors.append(("#kind", message))
        if not sent:
            errors.append(("#file", "Choose a file to upload"))
        if errors or not isinstance(kind, str):
            return _page(ctx, status=status, error_summary=errors, errors=dict(errors),
                         chosen=kind)
        if kind == AUTO or len(sent) > 1 or await _is_zip(sent[0]):
            return await _upload_many(ctx, access, kind, sent)
        upload = sent[0]
        with tempfile.TemporaryDirectory(prefix="cellwatch-upload-") as folder:
            path = Path(folder) / _file_name(upload)
            with path.open("wb") as out:
                await run_in_threadpool(shutil.copyfileobj, upload.file, out, 1024 * 1024)
            await upload.close()  # the parser's spooled copy is not needed any more
            said = await run_in_threadpool(upload_checks.problem, path, path.name, kind)
            if said is None:
                try:
                    summary = await run_in_threadpool(uploads.ingest_upload, access,
                                                      ctx.web.settings, kind, path)
                except (InvalidData, IngestError) as exc:  # the service's whole-file refusal
                    if exc.http_status >= 500:
                        raise
                    said = exc.message
            if said is not None:
                # The form again, the problem by the file box (the file itself is not kept).
                return _page(ctx, status=422, error_summary=[("#file", said)],
                             errors={"#file": said}, chosen=kind)
    finally:
        await form.close()
    return _page(ctx, summary=summary, file_name=path.name, chosen=kind)


async def _is_zip(upload: UploadFile) -> bool:
    head = await upload.read(len(ZIP_MAGIC))
    await upload.seek(0)
    return head == ZIP_MAGIC


async def _upload_many(ctx: PageContext, access: Access, kind: str,
                       sent: list[UploadFile]) -> Response:
    """Several files, or a zip: each file's kind chosen or recognised, the files loaded in
    dependency order by the ingest service (:mod:`cellwatch.ingest.service.folders`), one
    report per file, each refused file with its reason."""
    limit = _limit(ctx)
    chosen = None if kind == AUTO else kind
    with tempfile.TemporaryDirectory(prefix="cellwatch-upload-") as folder:
        received: list[tuple[Path, str]] = []
        for index, upload in enumerate(sent):
            # The name as sent (no ".csv" added: a PDF is refused as a PDF, by its name).
            name = uploads.safe_file_name(upload.filename, default="upload")
            path = Path(folder) / "in" / str(index) / name  # two files may share a name
            path.parent.mkdir(parents=True)
            with path.open("wb") as out:
                await run_in_threadpool(shutil.copyfileobj, upload.file, out, 1024 * 1024)
            await upload.close()
            received.append((path, name))
        # A zip may unpack to more than was sent, but no file past the one-file limit.
        limits = ZipLimits(max_members=200, max_member_bytes=limit,
                           max_total_bytes=4 * limit)
        plan = await run_in_threadpool(plan_upload, received, Path(folder) / "zips",
                                       chosen, limits)
        result: FolderResult = await run_in_threadpool(
            lambda: ingest_plan(access, ctx.web.settings, plan, check=upload_checks.problem,
                                max_file_bytes=limit))
    if not result.loaded:
        said = "Nothing was ingested: " + "; ".join(
            f"{r.name}: {r.reason}" for r in result.refused) if result.refused else \
            "Nothing was ingested: the upload held no file to ingest."
        return _page(ctx, status=422, error_summary=[("#file", said)], errors={"#file": said},
                     chosen=kind, many=result)
    return _page(ctx, many=result, chosen=kind)


def _row_in_scope(ctx: PageContext, row_id: int) -> dict[str, object]:
    return batch_list.open_quarantined_row(Access(ctx.store, ctx.user), row_id)


@router.get("/ingest/quarantine/{row_id}")
def quarantine_row(ctx: Page, row_id: int) -> Response:
    """One quarantined row: its problems and its values, editable."""
    row = _row_in_scope(ctx, row_id)
    return ctx.render("quarantine_row.html", title=f"Quarantined row {row_id}",
                      section="ingest", row=row)


def _went_in(summaries: list[IngestSummary]) -> int:
    return sum(s.accepted + s.updated for s in summaries)


@router.post("/ingest/quarantine/{row_id}")
async def fix_and_retry(ctx: Page, row_id: int) -> Response:
    """Save the edited values (only those changed) and try the row again."""
    fields = await ctx.form()
    row = _row_in_scope(ctx, row_id)
    access, settings = Access(ctx.store, ctx.user), ctx.web.settings
    raw = row["raw"] if isinstance(row["raw"], dict) else {}
    changes = {name: fields[f"v-{name}"] for name in raw
               if f"v-{name}" in fields and fields[f"v-{name}"].strip() != str(raw[name] or "")}
    if changes:
        await run_in_threadpool(uploads.fix_quarantined, access, settings, row_id, changes)
    _, summaries = await run_in_threadpool(uploads.retry_quarantined_rows, access, settings,
                                           [row_id])
    if _went_in(summaries):
        return ctx.redirect("/ingest", done="row_fixed", row=row_id)
    return ctx.redirect(f"/ingest/quarantine/{row_id}",
                        done="row_still_bad", row=row_id)


@router.post("/ingest/quarantine/{row_id}/discard")
async def discard(ctx: Page, row_id: int) -> Response:
    """Give up on a row that cannot be fixed, saying why (the row is kept, marked DISCARDED)."""
    fields = await ctx.form()
    row = _row_in_scope(ctx, row_id)
    reason = " ".join(fields.get("reason", "").split())
    if not reason:
        # Re-show the row with the error by the box, not a bare error page.
        message = "Enter why the row is being discarded"
        return ctx.render("quarantine_row.html", status=422, title=f"Quarantined row {row_id}",
                          section="ingest", row=row, discard_error=message,
                          error_summary=[("#reason", message)])
    await run_in_threadpool(uploads.discard_quarantined, Access(ctx.store, ctx.user),
                            ctx.web.settings, row_id, reason[:500])
    return ctx.redirect("/ingest", done="row_discarded", row=row_id)


@router.post("/ingest/quarantine")
async def retry_selected(ctx: Page) -> Response:
    """Retry the ticked rows as they stand (after a fix elsewhere, e.g. reference data)."""
    await ctx.form()
    ids = await ctx.chosen("row_id")
    if not ids:
        raise InvalidData("select at least one row to retry")
    for row_id in ids:
        _row_in_scope(ctx, row_id)
    _, summaries = await run_in_threadpool(uploads.retry_quarantined_rows,
                                           Access(ctx.store, ctx.user), ctx.web.settings, ids)
    accepted = _went_in(summaries)
    return ctx.redirect("/ingest", done="rows_retried", n=len(ids), went_in=accepted,
                        still=len(ids) - accepted)
