"""A seized phone's contacts as evidence: which prisoners' PIN numbers its contacts hold.

A phone whose extraction lists among its contacts the numbers a prisoner may call from
the PIN system points at him. The count is exact: distinct contact numbers of the
extractions of that phone (any extraction naming the identifier as the device's own)
that are PIN numbers of that prisoner, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from cellwatch.ingest.extraction_tables import ExtractionIdentifier
from cellwatch.store import PinContact, Prisoner


@dataclass(frozen=True)
class PinMatch:
    """A prisoner whose PIN numbers a phone's extracted contacts hold."""

    prison_number: str
    numbers: tuple[str, ...]  # the matching contact numbers, distinct, in order
    extractions: tuple[int, ...]  # the extractions holding them

    @property
    def sentence(self) -> str:
        """What the evidence says, and no more."""
        return (f"extraction contacts match PIN numbers of {self.prison_number} "
                f"({len(self.numbers)})")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"prison_number": self.prison_number, "matched": len(self.numbers),
                "numbers": list(self.numbers), "extractions": list(self.extractions),
                "sentence": self.sentence}


def pin_matches(session: Session, identifier: str, visible: Any = None) -> list[PinMatch]:
    """The prisoners (``visible``: a filter on :class:`Prisoner`) whose PIN numbers are
    among the contacts of the extractions of the phone with ``identifier``."""
    phones = select(ExtractionIdentifier.extraction_id).where(
        ExtractionIdentifier.role == "DEVICE", ExtractionIdentifier.identifier == identifier)
    rows = session.execute(
        select(PinContact.prison_number, ExtractionIdentifier.identifier,
               ExtractionIdentifier.extraction_id)
        .join(PinContact, PinContact.contact_number == ExtractionIdentifier.identifier)
        .join(Prisoner, Prisoner.prison_number == PinContact.prison_number)
        .where(ExtractionIdentifier.role == "CONTACT",
               ExtractionIdentifier.extraction_id.in_(phones),
               true() if visible is None else visible)
        .distinct())
    found: dict[str, tuple[set[str], set[int]]] = {}
    for prison_number, number, extraction_id in rows:
        numbers, extractions = found.setdefault(prison_number, (set(), set()))
        numbers.add(number)
        extractions.add(extraction_id)
    return sorted((PinMatch(p, tuple(sorted(n)), tuple(sorted(x)))
                   for p, (n, x) in found.items()),
                  key=lambda m: (-len(m.numbers), m.prison_number))
