"""The neutral rows an export carries, which every format (STIX, MISP, FtM) maps from.

:mod:`cellwatch.exchange.service.collect` fills them with what one principal may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
# An attribution day runs 08:00 to 08:00 local (docs/attribution.md): one night is one day.
DAY_START = time(8)


@dataclass(frozen=True)
class ExportScope:
    """What to export: one prisoner, one establishment, or all the principal may see."""

    prison_number: str | None = None
    establishment: str | None = None
    include_intelligence: bool = True
    # Attributions below this probability are not shared: they are leads, not findings.
    min_probability: float = 0.5


@dataclass(frozen=True)
class PersonRow:
    """A prisoner as exported; fields the principal may not receive are ``None``."""

    prison_number: str
    surname: str | None = None
    forenames: str | None = None
    date_of_birth: date | None = None
    establishment: str | None = None
    reception_date: date | None = None
    release_date: date | None = None
    # Only named as an intelligence subject: the record itself is out of scope.
    subject_only: bool = False


@dataclass(frozen=True)
class AttributionRow:
    """One period of an identifier attributed to a prisoner, as the statements module
    states it (:func:`cellwatch.statements.service.export_claims`): the period's top
    probability, the claim's status, and only evidence dated inside the period.

    ``evidence``: the run's evidence items inside the period, in words; ``text``: the
    period stated in words (counts, seizures as recorded, borrowing); ``detections`` and
    ``calls``: records inside the period (None: not counted); ``seizures``: seizures of
    the identifier inside it, as recorded; ``borrowed``: a short use of an identifier
    another prisoner held for longer.
    """

    identifier_type: str
    identifier: str
    prison_number: str
    probability: float
    valid_from: date
    valid_to: date
    status: str
    evidence: tuple[str, ...] = ()
    text: str = ""
    detections: int | None = None
    calls: int | None = None
    seizures: tuple[str, ...] = ()
    borrowed: bool = False

    @property
    def start(self) -> datetime:
        """When the first attributed day began (08:00 local on ``valid_from``), in UTC."""
        return datetime.combine(self.valid_from, DAY_START, LONDON).astimezone(UTC)

    @property
    def stop(self) -> datetime:
        """When the last attributed night ended (08:00 local the day after ``valid_to``):
        exclusive, so a one-night attribution has ``start < stop``."""
        return datetime.combine(self.valid_to + timedelta(days=1), DAY_START,
                                LONDON).astimezone(UTC)


@dataclass(frozen=True)
class IntelRow:
    """A graded intelligence item the principal may export."""

    report_ref: str
    ts: datetime
    establishment: str | None
    source_evaluation: str
    intelligence_assessment: str
    handling_code: str
    handling_conditions: str | None
    owner_org: str | None
    identifiers: tuple[str, ...]
    text: str | None
    subjects: tuple[str, ...]


@dataclass
class ExchangeData:
    """Everything one export carries, already filtered for the principal."""

    producer_code: str
    producer_name: str
    persons: list[PersonRow] = field(default_factory=list)
    attributions: list[AttributionRow] = field(default_factory=list)
    intelligence: list[IntelRow] = field(default_factory=list)


def audit_detail(data: ExchangeData, fmt: str, file: str) -> dict[str, Any]:
    """What the audit entry of an export records: format, file and what it carried."""
    return {"format": fmt, "file": file, "prisoners": [p.prison_number for p in data.persons],
            "attributions": len(data.attributions),
            "intelligence": [r.report_ref for r in data.intelligence]}
