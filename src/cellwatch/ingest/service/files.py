"""Files loaded from the operator's own disk (``cellwatch ingest``, ``cellwatch init``),
and the batches a crash left running settled when the server starts.

The rules are those of an upload (:mod:`.uploads`): the kind decided and a refusal
audited before anything is read, each file audited as an upload is, the post-ingest hook
run once after every file. Unlike an upload, an unusable file does not stop the others:
it changed nothing, so it is reported and not audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cellwatch.access.service import Access
from cellwatch.alerts.detect.run import run_after_ingest
from cellwatch.errors import MalformedFile
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.model import IngestSummary
from cellwatch.ingest.prisons import load_prisons
from cellwatch.ingest.recovery import Recovery, recover
from cellwatch.ingest.registry import canonical_kind, get_handler, ingest_file, kind_names
from cellwatch.ingest.service.uploads import audit_ingest
from cellwatch.settings import Settings
from cellwatch.store import Store

# The value types and name rule the shells present and parse with (re-exported: the shells
# import only the service).
__all__ = ["IngestSummary", "Loaded", "Recovery", "canonical_kind", "handler_name",
           "ingest_files", "init_reference", "kind_names", "recover_after_crash"]


@dataclass
class Loaded:
    """What one ``cellwatch ingest`` did: a summary per file loaded, the unusable files,
    and the alerts the post-ingest hook raised."""

    summaries: list[IngestSummary] = field(default_factory=list)
    errors: list[MalformedFile] = field(default_factory=list)
    alerts_raised: int = 0


def handler_name(kind: str) -> str:
    """The canonical name of ``kind``; :class:`~cellwatch.errors.UnknownKind` if cellwatch
    does not take it (before the store is touched)."""
    return get_handler(kind).name


def ingest_files(access: Access, settings: Settings, kind: str, files: Iterable[Path],
                 progress: bool = False) -> Loaded:
    """Load ``files`` of ``kind`` as the principal (decided beforehand: :func:`check_ingest`).

    Each file is audited as an upload is, file by file, so files loaded before a failure
    are too; the alert rules run once, after every file, if anything went in.
    """
    ctx = IngestContext(access.store, settings, access.principal.username, progress=progress)
    loaded = Loaded()
    for file in files:
        try:
            summary = ingest_file(ctx, kind, file)
        except MalformedFile as bad:
            loaded.errors.append(bad)  # unusable: it changed nothing, nothing to audit
            continue
        audit_ingest(access, kind, file.name, summary)
        loaded.summaries.append(summary)
    loaded.alerts_raised = run_after_ingest(settings, access.store, loaded.summaries)
    return loaded


def init_reference(store: Store, settings: Settings) -> IngestSummary:
    """Load the bundled prison register into a new store (``cellwatch init``, run by the
    installer before any user exists, so as ``settings.principal``)."""
    return load_prisons(IngestContext.create(store, settings))


def recover_after_crash(store: Store, settings: Settings) -> Recovery:
    """Settle batches a crash left RUNNING (``cellwatch serve``, before anyone reads the
    counts; no principal: the server itself, as at start-up)."""
    return recover(store, settings)
