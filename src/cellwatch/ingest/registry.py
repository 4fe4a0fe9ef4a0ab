"""Which kinds cellwatch takes, and the handler that takes each.

There is no import-time registry: :func:`handlers` builds the mapping when asked. The
row-wise kinds come from their specifications; the lake's kinds live in modules imported
only when needed, each exposing ``handler() -> KindHandler``.

How a kind plugs in
-------------------
A handler is any object with ``name``, ``ingest(ctx, source) -> IngestSummary`` and
``retry(ctx, batch_id, rows) -> RetryResult`` (:class:`KindHandler`). Row-wise kinds are
built from specifications (:mod:`cellwatch.ingest.specs`); a kind with its own module
(``cellwatch.ingest.detections``, ``cellwatch.ingest.call_records``) exposes
``handler() -> KindHandler`` and is imported only when that kind is asked for.

:func:`ingest_file` sniffs the file (:func:`sniff` raises :class:`MalformedFile` for an
unusable one), returns a no-op summary if the same sha256 went in completely before, and
otherwise calls ``handler.ingest(ctx, source)``. A handler then:

1. checks the header (a required column missing: raise ``MalformedFile``);
2. ``batch_id = begin_batch(ctx, kind, source)``;
3. validates rows, collecting every :class:`Problem` of a row; times go through
   :func:`parse_timestamp` (ambiguous ones counted with ``summary.flag("ambiguous_time")``);
4. stores good rows with ``batch_id`` and source line, and calls
   ``quarantine_rows(ctx, batch_id, kind, source.name, [(line, raw, problems), ...])``;
5. ``finish_batch(ctx, batch_id, summary)`` (with ``error=...`` if it failed) and returns
   the :class:`IngestSummary`.

``cellwatch quarantine retry`` opens a retry batch and calls
``handler.retry(ctx, batch_id, items)`` with :class:`QuarantineItem` rows (id, origin,
raw values as edited); the handler stores those that now pass and returns their ids in
``RetryResult.resolved`` and the rest with their problems in ``RetryResult.failed``;
the framework marks the quarantine rows.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from cellwatch.errors import UnknownKind
from cellwatch.ingest.batches import IngestContext, already_ingested
from cellwatch.ingest.model import IngestSummary, QuarantineItem, RetryResult, SourceFile
from cellwatch.ingest.sniff import sniff

# Kinds handled by a module of their own (vectorised, into the Parquet lake).
MODULE_KINDS = {
    "detections": "cellwatch.ingest.detections",
    "call_records": "cellwatch.ingest.call_records",
    "operator_responses": "cellwatch.ingest.operator_responses",
    # Victim protection (issue 7); ``module:function`` when a module serves several kinds.
    "protected_persons": "cellwatch.ingest.protected:persons_handler",
    "protected_identifiers": "cellwatch.ingest.protected:identifiers_handler",
    "contact_reports": "cellwatch.ingest.contact_reports",
    "social_observations": "cellwatch.ingest.social",
    "intelligence_reports": "cellwatch.ingest.intelligence",
    # Phone extractions (issue 20): UFDR report.xml or the flat CSV; sniffed by the kind.
    "extractions": "cellwatch.ingest.extraction_kind",
}


class KindHandler(Protocol):
    """Takes one kind of file into cellwatch."""

    @property
    def name(self) -> str:
        """The kind's canonical name, e.g. ``call_records``."""
        ...

    def ingest(self, ctx: IngestContext, source: SourceFile) -> IngestSummary:
        """Validate and store a sniffed file (not ingested before); quarantine bad rows."""
        ...

    def retry(
        self, ctx: IngestContext, batch_id: int, rows: Sequence[QuarantineItem]
    ) -> RetryResult:
        """Re-validate quarantined rows under retry batch ``batch_id``; store those that pass."""
        ...


def canonical_kind(name: str) -> str:
    """``call-records``, ``Call_Records`` and ``call_records`` are the same kind."""
    return name.strip().lower().replace("-", "_")


def kind_names() -> list[str]:
    """Every kind cellwatch knows by name (whether or not its module is installed yet)."""
    from cellwatch.ingest.rowwise import rowwise_handlers

    return sorted([*rowwise_handlers(), *MODULE_KINDS])


def get_handler(kind: str) -> KindHandler:
    """The handler of ``kind``; raises :class:`UnknownKind` if cellwatch does not take it."""
    from cellwatch.ingest.rowwise import rowwise_handlers

    name = canonical_kind(kind)
    rowwise = rowwise_handlers()
    if name in rowwise:
        return rowwise[name]
    if name in MODULE_KINDS:
        module_name, _, factory = MODULE_KINDS[name].partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            raise UnknownKind(f"kind {name!r} is not available in this build") from exc
        handler: KindHandler = getattr(module, factory or "handler")()
        return handler
    known = ", ".join(kind_names())
    raise UnknownKind(f"unknown kind {kind!r}; cellwatch takes: {known}")


def handlers() -> dict[str, KindHandler]:
    """Every available kind's handler, by canonical name."""
    found: dict[str, KindHandler] = {}
    for name in kind_names():
        try:
            found[name] = get_handler(name)
        except UnknownKind:
            continue
    return found


def ingest_file(ctx: IngestContext, kind: str, path: str | Path) -> IngestSummary:
    """Sniff ``path`` and ingest it as ``kind``; the same file twice is a no-op.

    Raises :class:`UnknownKind` or :class:`MalformedFile` before anything is stored.
    """
    handler = get_handler(kind)
    # A handler that checks CSV rows itself (the lake's, in DuckDB) spares a Python pass;
    # one that reads a format of its own (extractions' XML) checks the file itself.
    own_sniff = getattr(handler, "sniff", None)
    source = own_sniff(path) if callable(own_sniff) else \
        sniff(path, parse_rows=not getattr(handler, "checks_csv_rows", False))
    from cellwatch.ingest.recovery import ingest_running

    # Batches a crashed process left RUNNING are settled first (cellwatch.ingest.recovery).
    with ingest_running(ctx):
        previous = already_ingested(ctx, handler.name, source)
        if previous is not None:
            return previous
        return handler.ingest(ctx, source)
