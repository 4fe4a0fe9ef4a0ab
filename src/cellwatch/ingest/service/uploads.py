"""Ingest through the policy: uploads and the quarantine, for every shell.

The API (``POST /api/v1/ingest/{kind}``, ``/quarantine``) and the web's ingest page both
call these functions, so the rules live here once:

* who may load which kind: the ingest-batch permission and
  :func:`~cellwatch.access.roles.may_ingest` (:func:`may_load`, :func:`check_ingest`);
* the upload size limit, ``settings.max_upload_bytes``, on the file received (the shells
  also cut the body off as it streams, so an oversized body is never stored whole);
* the audit entry of every upload (``ingest``, :func:`audit_ingest`, which ``cellwatch
  ingest`` writes too) and of every quarantine change
  (``fix``, ``retry``, ``discard``), with denials audited by :class:`Access`;
* the post-ingest hook, :func:`cellwatch.alerts.detect.run.run_after_ingest`, once per request.

Files are parsed by the same framework as ``cellwatch ingest``
(:func:`cellwatch.ingest.registry.ingest_file`). Batches are run as the principal, so
they are "their own" for the quarantine rules afterwards, and bad rows go to the
quarantine under them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from cellwatch.access.policy import Target
from cellwatch.access.principal import Principal
from cellwatch.access.roles import Action, Resource, may_ingest, permitted
from cellwatch.access.service import Access, not_found
from cellwatch.alerts import Alert
from cellwatch.alerts.detect.run import high_water, run_after_ingest
from cellwatch.errors import Denied, MalformedFile, NotFound

# Re-exported beside too_large, which the API and the web raise; it lives in the one hierarchy.
from cellwatch.errors import UploadTooLarge as UploadTooLarge
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.model import IngestSummary
from cellwatch.ingest.quarantine import discard_row, fix_row, retry_rows
from cellwatch.ingest.quarantine import row_to_dict as row_to_dict  # the shells' one shape
from cellwatch.ingest.registry import canonical_kind, ingest_file, kind_names
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, QuarantinedRow

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MB = 1024 * 1024


def safe_file_name(name: str | None, default: str = "upload.csv") -> str:
    """A client's file name reduced to a harmless base name (the extension helps sniffing).

    >>> safe_file_name("../../etc/passwd")
    'passwd'
    """
    base = _UNSAFE.sub("_", Path((name or "").replace("\\", "/")).name).strip("._")[:100]
    return base or default


def too_large(limit: int) -> UploadTooLarge:
    """The error for a file or body over ``limit`` bytes, worded for a person.

    >>> too_large(2 * 1024 * 1024).message
    'the file is larger than the 2 MB allowed'
    """
    size = f"{limit // _MB} MB" if limit >= _MB else f"{limit} bytes"
    return UploadTooLarge(f"the file is larger than the {size} allowed")


def may_load(principal: Principal, kind: str) -> bool:
    """Whether ``principal`` may upload files of ``kind`` (the role and the kind table)."""
    if principal.is_system:
        return True
    return (permitted(principal.roles, Resource.INGEST_BATCH, Action.CREATE)
            and may_ingest(principal.roles, principal.org_kind, canonical_kind(kind)))


def loadable_kinds(access: Access) -> list[str]:
    """The kinds the principal may upload, in name order (a form's choices)."""
    return [kind for kind in kind_names() if may_load(access.principal, kind)]


def check_uploader(access: Access) -> None:
    """:class:`Denied` (audited) unless the principal may upload some kind of file.

    Shells call it before reading a byte of the body, when the kind is not known yet.
    """
    with access.transaction():
        access.check(Action.CREATE, Target(Resource.INGEST_BATCH), role_only=True)


def check_ingest(access: Access, kind: str) -> str:
    """The canonical kind, if the principal may load it; otherwise :class:`Denied` (audited)."""
    name = canonical_kind(kind)
    target = Target(Resource.INGEST_BATCH, name)
    with access.transaction():
        access.check(Action.CREATE, target, role_only=True)
        if not may_load(access.principal, name):
            raise Denied(f"{access.principal.username} may not load {name}",
                         Action.CREATE, target, None)
    return name


def ingest_upload(access: Access, settings: Settings, kind: str, path: Path) -> IngestSummary:
    """Ingest a file already received, as the principal, and audit it.

    Decides the kind, refuses a file over ``settings.max_upload_bytes``
    (:class:`UploadTooLarge`), quarantines bad rows under the principal's batch, audits
    the summary and runs the post-ingest hook.
    """
    name = check_ingest(access, kind)
    if path.stat().st_size > settings.max_upload_bytes:
        raise too_large(settings.max_upload_bytes)
    ctx = IngestContext(access.store, settings, access.principal.username)
    try:
        summary = ingest_file(ctx, name, path)
    except MalformedFile as exc:
        # The server's temporary folder is nobody's business: the file is named as sent.
        raise MalformedFile(path.name, exc.reason, exc.line) from None
    _name_as_sent(access, path, summary)
    audit_ingest(access, name, path.name, summary)
    # The same single post-ingest rule run as ``cellwatch ingest`` (after the audit: a
    # failing rule does not unmake an ingest that happened).
    run_after_ingest(settings, access.store, [summary])
    return summary


def _name_as_sent(access: Access, path: Path, summary: IngestSummary) -> None:
    """Record an upload under the name it was sent with, not the temporary path it was
    received into (batches and quarantined rows are shown to their uploader)."""
    summary.file = path.name
    if summary.batch_id is None:
        return
    with access.store.session() as s:
        s.execute(update(IngestBatch).where(IngestBatch.id == summary.batch_id,
                                            IngestBatch.file_name == str(path))
                  .values(file_name=path.name))
        s.execute(update(QuarantinedRow).where(QuarantinedRow.batch_id == summary.batch_id,
                                               QuarantinedRow.file_name == str(path))
                  .values(file_name=path.name))


def audit_ingest(access: Access, kind: str, file_name: str, summary: IngestSummary) -> None:
    """Audit one file ingested by the principal (``ingest``, resource the batch), whatever
    the door: an API or web upload, or ``cellwatch ingest``."""
    with access.transaction() as s:
        access.audit(s, "ingest", Target(Resource.INGEST_BATCH, str(summary.batch_id)),
                     detail={"kind": kind, "file": file_name, **_counts(summary)})


def _counts(summary: IngestSummary) -> dict[str, object]:
    return {"read": summary.read, "accepted": summary.accepted, "updated": summary.updated,
            "duplicates": summary.duplicates, "quarantined": summary.quarantined,
            "already_ingested": summary.already_ingested}


def _row_target(access: Access, row_id: int, action: Action = Action.READ
                ) -> tuple[Target, str, int]:
    # The role first, and an unknown row answered as one out of scope is (Access.check).
    access.require_role(action, Resource.QUARANTINE, str(row_id))
    with access.facts() as s:
        row = s.get(QuarantinedRow, row_id)
        if row is None:
            raise not_found(Resource.QUARANTINE, row_id)
        batch = s.get(IngestBatch, row.batch_id)
        owner = batch.run_by if batch is not None else None
        return (Target(Resource.QUARANTINE, str(row_id), owner_user=owner), row.kind,
                row.batch_id)


def _check_change(access: Access, row_id: int) -> tuple[Target, str, int]:
    """Decide a change to a quarantined row: the quarantine permission on the row (its
    batch's owner, or national) and the right to load its kind, as an upload would need."""
    target, kind, batch_id = _row_target(access, row_id, Action.UPDATE)
    with access.transaction():
        access.check(Action.UPDATE, target)
        if not may_load(access.principal, kind):
            raise Denied(f"{access.principal.username} may not load {kind}",
                         Action.UPDATE, target, None)
    return target, kind, batch_id


def _ingest_context(access: Access, settings: Settings) -> IngestContext:
    return IngestContext(access.store, settings, access.principal.username)


def get_quarantined(access: Access, row_id: int) -> QuarantinedRow:
    """One quarantined row (raw values included: they may hold personal data, so audited)."""
    target, _, _ = _row_target(access, row_id)
    with access.transaction() as s:
        access.check(Action.READ, target)
        row = s.get(QuarantinedRow, row_id)
        if row is None:
            raise NotFound(f"quarantined row {row_id} not found")
        access.audit(s, "read", target)
        return row


def fix_quarantined(access: Access, settings: Settings, row_id: int,
                    changes: Mapping[str, str]) -> dict[str, Any]:
    """Edit an OPEN row's raw values (the row keeps the edit trail; the audit the fields).

    Returns the row as it now stands (raw values included).
    """
    target, kind, batch_id = _check_change(access, row_id)
    row = fix_row(_ingest_context(access, settings), row_id, dict(changes))
    with access.transaction() as s:
        # Field names only: the values can be personal data, and the row keeps them.
        access.audit(s, "fix", target, detail={"kind": kind, "batch_id": batch_id,
                                               "fields": sorted(changes)})
    return row


def retry_quarantined_rows(access: Access, settings: Settings, ids: Sequence[int]
                           ) -> tuple[list[QuarantinedRow], list[IngestSummary]]:
    """Re-validate OPEN rows (after their references arrived or they were fixed).

    Every row is decided before any is retried; each retry is audited. Returns the rows
    as they now stand and one summary per kind retried.
    """
    checked = [_check_change(access, row_id) for row_id in ids]
    summaries = retry_rows(_ingest_context(access, settings), ids=list(ids))
    # A row that went in on retry is new data to the rules, as from an upload.
    run_after_ingest(settings, access.store, summaries)
    retry_batches = {summary.kind: summary.batch_id for summary in summaries}
    rows = []
    with access.transaction() as s:
        for row_id, (target, kind, _) in zip(ids, checked, strict=True):
            row = s.get(QuarantinedRow, row_id)
            if row is None:  # pragma: no cover - rows are never deleted
                raise NotFound(f"quarantined row {row_id} not found")
            access.audit(s, "retry", target, detail={
                "kind": kind, "status": row.status, "batch_id": retry_batches.get(kind)})
            rows.append(row)
    return rows, summaries


def retry_quarantined(access: Access, settings: Settings, row_id: int
                      ) -> tuple[QuarantinedRow, IngestSummary]:
    """Re-validate one OPEN row: :func:`retry_quarantined_rows` for a single row."""
    [row], [summary] = retry_quarantined_rows(access, settings, [row_id])
    return row, summary


def discard_quarantined(access: Access, settings: Settings, row_id: int, reason: str
                        ) -> dict[str, Any]:
    """Give up on an OPEN row, saying why; the row stays, DISCARDED, and the audit says who.

    Returns the row as it now stands.
    """
    target, kind, batch_id = _check_change(access, row_id)
    row = discard_row(_ingest_context(access, settings), row_id, reason)
    # Giving up on data is a decision someone must answer for: it goes in the audit chain.
    with access.transaction() as s:
        access.audit(s, "discard", target, reason,
                     detail={"kind": kind, "batch_id": batch_id})
    return row


def kinds_of_rows(access: Access, ids: Sequence[int]) -> list[tuple[int, str]]:
    """(id, kind) of named quarantined rows, so that a bulk retry decides every kind first
    (:func:`check_ingest`) and a refusal changes nothing.

    Only the kind is read, as a fact the decision rests on (a row's kind never changes);
    the retry then decides and audits each row itself.
    """
    with access.facts() as s:
        kinds = {row_id: kind for row_id, kind in s.execute(
            select(QuarantinedRow.id, QuarantinedRow.kind)
            .where(QuarantinedRow.id.in_(list(ids))))}
    for row_id in ids:
        if row_id not in kinds:
            raise NotFound(f"no quarantined row {row_id}")
    return [(row_id, kinds[row_id]) for row_id in ids]


def retry_counting_alerts(access: Access, settings: Settings, ids: list[int]
                          ) -> tuple[list[IngestSummary], int]:
    """Retry ``ids`` (:func:`retry_quarantined_rows`); the summaries and the alerts raised."""
    if not ids:
        return [], 0
    before = high_water(access.store)
    _, summaries = retry_quarantined_rows(access, settings, ids)
    with access.store.session() as s:
        raised = int(s.scalar(select(func.count(Alert.id)).where(Alert.id > before)) or 0)
    return summaries, raised
