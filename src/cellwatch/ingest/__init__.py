"""Validated ingest: files of every kind into the store (or the lake), bad rows quarantined.

See :mod:`cellwatch.ingest.framework` for how a kind plugs in.
"""

from cellwatch.ingest.framework import (
    IngestContext,
    IngestSummary,
    Problem,
    SourceFile,
    get_handler,
    handlers,
    ingest_file,
    parse_timestamp,
    sniff,
)

__all__ = [
    "IngestContext",
    "IngestSummary",
    "Problem",
    "SourceFile",
    "get_handler",
    "handlers",
    "ingest_file",
    "parse_timestamp",
    "sniff",
]
