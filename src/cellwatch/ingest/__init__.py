"""Validated ingest: files of every kind into the store (or the lake), bad rows quarantined.

See :mod:`cellwatch.ingest.registry` for how a kind plugs in.
"""

from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.model import IngestSummary, Problem, SourceFile
from cellwatch.ingest.registry import get_handler, handlers, ingest_file
from cellwatch.ingest.sniff import sniff
from cellwatch.timestamps import parse_timestamp

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
