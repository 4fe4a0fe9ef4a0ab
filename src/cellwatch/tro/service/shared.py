"""What TRO's shells name besides the use cases of :mod:`.orders`: the order they present
and its lifecycle (the states and moves a page offers), a page of candidates and how it
is narrowed, the evidence policy a command names (YAML) and the candidates' interchange
export (CSV).

Nothing here decides or audits: the shells reach the records through :mod:`.orders`
(the policy, the audit) and write an export through
:func:`cellwatch.exchange.service.exports.audited_export`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cellwatch.csvsafe import table_schema
from cellwatch.tro.candidates import EXPORT_COLUMNS, Candidate, write_candidates_csv
from cellwatch.tro.candidates import EXPORT_TYPES as _TYPES
from cellwatch.tro.lifecycle import default_lifecycle
from cellwatch.tro.materialise import CandidateSet, Narrowing
from cellwatch.tro.orders import Order
from cellwatch.tro.policy import EvidencePolicy, load_policy

__all__ = ["Candidate", "CandidateSet", "EvidencePolicy", "Narrowing", "Order",
           "candidates_schema", "default_lifecycle", "load_policy", "write_candidates"]


def write_candidates(candidates: list[Candidate], path: Path) -> int:
    """Write ``candidates`` (already chosen through the policy) as the ``tro_candidates``
    interchange CSV; the number written."""
    return write_candidates_csv(candidates, path)


def candidates_schema() -> dict[str, Any]:
    """The Table Schema written beside the candidates' CSV."""
    return table_schema(EXPORT_COLUMNS, _TYPES)
