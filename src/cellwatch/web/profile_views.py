"""What the profile pages show of attributions, drawn from
:mod:`cellwatch.attribution.service.profiles` (the cards and statements).

The prisoner page: a table of his identifiers (type, identifier, first and last night,
top probability, status with any verdict applied at once, judgements), one card per
identifier in date order with its periods listed, and a timeline of attributions,
detections and calls inside them, seizures and intelligence. The device page: one card
per prisoner with that prisoner's periods. Only the latest attribution run is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cellwatch.access.service import Access
from cellwatch.attribution.service.profiles import (
    Card,
    LakeQuery,
    PrisonerStatements,
    Rows,
    Statement,
    identifier_cards,
    prisoner_statements,
)
from cellwatch.web.timeline import Lane, Timeline

__all__ = ["Card", "PrisonerView", "cards", "prisoner_view", "timeline"]

cards = identifier_cards


@dataclass
class PrisonerView:
    """The prisoner page's identifier cards, statements and timeline."""

    cards: list[Card] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    timeline: Timeline | None = None


def timeline(pn: str, found: PrisonerStatements) -> Timeline:
    """Lanes: each identifier's periods, then detections and calls inside them, seizures
    and intelligence (evidence days)."""
    chart = Timeline(f"Timeline of {pn}: attributions, detections, calls, seizures and "
                     "intelligence")
    for c in found.cards[:15]:
        chart.lanes.append(Lane(f"{c.identifier_type} {c.identifier}", "attribution", [
            (a.valid_from, a.valid_to, a.probability,
             f"{c.identifier_type} {c.identifier} {a.valid_from} to {a.valid_to}, "
             f"probability {a.probability:.2f}") for a in c.periods]))
    statements = found.statements
    detections = Lane("Detections (in periods)", "detections",
                      counts=dict(found.detections_per_day))
    calls = Lane("Calls and SMS (in periods)", "calls", counts=dict(found.calls_per_day))
    seizures = Lane("Seizures", "seizures", [
        (s.when, s.when, 1.0, f"{s.when}: seizure") for s in statements if s.kind == "SEIZURE"])
    intel = Lane("Intelligence", "intelligence", [
        (s.when, s.when, 1.0, f"{s.when}: intelligence report") for s in statements
        if s.kind == "INTELLIGENCE"])
    # A seized phone's extraction holding his own PIN numbers (statements/extractions.py).
    phones = Lane("Phone extractions", "seizures", [
        (s.when, s.when, 1.0, f"{s.when}: a seized phone's extraction lists {s.count} of his "
         "PIN numbers") for s in statements if s.kind == "EXTRACTION"])
    chart.lanes += [lane for lane in (detections, calls, seizures, phones, intel)
                    if lane.counts or lane.spans]
    return chart


def prisoner_view(access: Access, lake: LakeQuery, pn: str, rows: Rows, floor: float,
                  threshold: float) -> PrisonerView:
    """Cards, statements and timeline of one prisoner."""
    found = prisoner_statements(access, lake, pn, rows, floor, threshold)
    return PrisonerView(found.cards, found.statements, timeline(pn, found))
