"""The ingest framework: everything a kind handler needs, in one import.

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

from cellwatch.ingest.batches import (
    CHUNK,
    IngestContext,
    already_ingested,
    begin_batch,
    finish_batch,
    progress_bar,
    quarantine_rows,
)
from cellwatch.ingest.model import (
    FileFormat,
    IngestSummary,
    Problem,
    QuarantineItem,
    RawRow,
    RetryResult,
    SourceFile,
)
from cellwatch.ingest.registry import (
    KindHandler,
    canonical_kind,
    get_handler,
    handlers,
    ingest_file,
    kind_names,
)
from cellwatch.ingest.sniff import normalise_column, read_rows, sniff
from cellwatch.timestamps import LONDON, parse_date, parse_timestamp

__all__ = [
    "CHUNK",
    "LONDON",
    "FileFormat",
    "IngestContext",
    "IngestSummary",
    "KindHandler",
    "Problem",
    "QuarantineItem",
    "RawRow",
    "RetryResult",
    "SourceFile",
    "already_ingested",
    "begin_batch",
    "canonical_kind",
    "finish_batch",
    "get_handler",
    "handlers",
    "ingest_file",
    "kind_names",
    "normalise_column",
    "parse_date",
    "parse_timestamp",
    "progress_bar",
    "quarantine_rows",
    "read_rows",
    "sniff",
]
