"""Ingest's use cases for every shell, each taking the principal: uploads and the
quarantine (:mod:`.uploads`), batches and quarantined rows listed (:mod:`.batches`).

The values the shells present or check a file against are re-exported here, so a shell
needs nothing of ingest but its service: the kinds' names and column specs, a summary's
type and the column-name rule."""

from cellwatch.ingest.model import IngestSummary
from cellwatch.ingest.registry import kind_names
from cellwatch.ingest.sniff import normalise_column
from cellwatch.ingest.specs import kind_specs

__all__ = ["IngestSummary", "kind_names", "kind_specs", "normalise_column"]
