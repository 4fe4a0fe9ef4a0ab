"""A prisoner's statements, oldest first: what parole summaries, alerts and pages show.

:func:`collect` reads the holdings of many prisoners and counts all their detections in
one scan; :func:`about` turns one prisoner's share into statements.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from cellwatch.statements import devices, extractions, records
from cellwatch.statements.counts import DayCount, Key, LakeQuery, day_counts
from cellwatch.statements.model import Statement
from cellwatch.statements.periods import Holding, holdings


@dataclass
class Evidence:
    """Holdings per prisoner, and detections per holding and evidence day."""

    held: dict[str, list[Holding]] = field(default_factory=dict)
    days: dict[Key, list[DayCount]] = field(default_factory=dict)

    def of(self, prison_number: str) -> list[Holding]:
        """The prisoner's holdings (none if he holds nothing)."""
        return self.held.get(prison_number, [])


def collect(session: Session, lake: LakeQuery, prison_numbers: Iterable[str],
            floor: float) -> Evidence:
    """Holdings of ``prison_numbers`` at or above ``floor`` and their detections."""
    out = Evidence()
    for h in holdings(session, prison_numbers, floor):
        out.held.setdefault(h.prison_number, []).append(h)
    out.days = day_counts(lake, (h for hs in out.held.values() for h in hs))
    return out


def about(session: Session, evidence: Evidence, prison_number: str,
          threshold: float) -> list[Statement]:
    """Every statement on ``prison_number``, oldest first."""
    held = evidence.of(prison_number)
    out: list[Statement] = [devices.attribution(h) for h in held]
    for h in held:
        det = devices.detections(h, evidence.days.get(
            (h.prison_number, h.identifier_type, h.identifier), []))
        if det is not None:
            out.append(det)
    out += devices.seizures(session, prison_number, held)
    out += devices.orders(session, prison_number, held)
    out += records.contacts(session, prison_number, threshold)
    out += extractions.contacts(session, prison_number)
    out += records.referrals(session, prison_number)
    out += records.intelligence(session, prison_number)
    return sorted(out, key=lambda e: (e.when, e.kind, e.ref))
