"""What the profile pages show of attributions, built on :mod:`cellwatch.statements`.

The prisoner page: a table of his identifiers (type, identifier, first and last night,
top probability, status with any verdict applied at once, judgements), one card per
identifier in date order with its periods listed, and a timeline of attributions,
detections and calls inside them, seizures and intelligence. The device page: one card
per prisoner with that prisoner's periods. Only the latest attribution run is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from cellwatch.attribution.models import Attribution, EvidenceItem
from cellwatch.statements import Evidence, Statement, about, collect
from cellwatch.statements.counts import LakeQuery, call_day_counts
from cellwatch.statements.periods import latest_run, merge, verdicts
from cellwatch.web.timeline import Lane, Timeline

NOUNS = {"IMEI": "Handset", "IMSI": "SIM", "ICCID": "SIM card", "MSISDN": "Number",
         "ACCOUNT": "Account"}


@dataclass
class Card:
    """One identifier and one prisoner: every period of the latest run, in date order.

    ``top``: the likeliest period (its evidence is shown, and judgements hang on it);
    ``status``: the run's, or CONFIRMED/REJECTED as soon as an analyst says so.
    """

    identifier_type: str
    identifier: str
    prison_number: str
    periods: list[Attribution]
    evidence: list[EvidenceItem]
    status: str
    verdict: str | None = None

    @property
    def top(self) -> Attribution:
        """The likeliest period (ties: the earliest)."""
        return max(self.periods, key=lambda a: (a.probability, -a.valid_from.toordinal()))

    @property
    def first(self) -> date:
        """The first night of any period."""
        return min(a.valid_from for a in self.periods)

    @property
    def last(self) -> date:
        """The last night of any period."""
        return max(a.valid_to for a in self.periods)

    @property
    def nights(self) -> int:
        """Nights attributed, overlapping periods counted once."""
        return sum(p.nights for p in merge((a.valid_from, a.valid_to, a.probability)
                                           for a in self.periods))

    @property
    def noun(self) -> str:
        """``Handset``, ``SIM``..."""
        return NOUNS.get(self.identifier_type, self.identifier_type)


def cards(session: Session, rows: list[tuple[Attribution, list[EvidenceItem]]]) -> list[Card]:
    """The latest run's attributions grouped per identifier and prisoner, oldest first."""
    run = latest_run(session)
    groups: dict[tuple[str, str, str], list[tuple[Attribution, list[EvidenceItem]]]] = {}
    for a, ev in rows:
        if a.run_id == run:
            groups.setdefault((a.identifier_type, a.identifier, a.prison_number), []).append(
                (a, ev))
    said = verdicts(session, ((i, pn) for _t, i, pn in groups))
    out = []
    for (t, ident, pn), group in groups.items():
        periods = sorted((a for a, _ev in group), key=lambda a: (a.valid_from, a.id))
        best = max(group, key=lambda g: (g[0].probability, -g[0].valid_from.toordinal()))
        verdict = said.get((ident, pn))
        status = verdict if verdict in ("CONFIRMED", "REJECTED") else best[0].status
        out.append(Card(t, ident, pn, periods, best[1], status, verdict))
    return sorted(out, key=lambda c: (c.first, c.identifier_type, c.identifier,
                                      c.prison_number))


@dataclass
class PrisonerView:
    """The prisoner page's identifier cards, statements and timeline."""

    cards: list[Card] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    timeline: Timeline | None = None


def timeline(pn: str, card_list: list[Card], evidence: Evidence,
             statements: list[Statement], lake: LakeQuery) -> Timeline:
    """Lanes: each identifier's periods, then detections and calls inside them, seizures
    and intelligence (evidence days)."""
    chart = Timeline(f"Timeline of {pn}: attributions, detections, calls, seizures and "
                     "intelligence")
    for c in card_list[:15]:
        chart.lanes.append(Lane(f"{c.identifier_type} {c.identifier}", "attribution", [
            (a.valid_from, a.valid_to, a.probability,
             f"{c.identifier_type} {c.identifier} {a.valid_from} to {a.valid_to}, "
             f"probability {a.probability:.2f}") for a in c.periods]))
    detections = Lane("Detections (in periods)", "detections")
    for days in evidence.days.values():
        for d in days:
            detections.counts[d.eday] = detections.counts.get(d.eday, 0) + d.n
    calls = Lane("Calls and SMS (in periods)", "calls")
    for days in call_day_counts(lake, evidence.of(pn)).values():
        for d in days:
            calls.counts[d.eday] = calls.counts.get(d.eday, 0) + d.n
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


def prisoner_view(session: Session, lake: LakeQuery, pn: str,
                  rows: list[tuple[Attribution, list[EvidenceItem]]], floor: float,
                  threshold: float) -> PrisonerView:
    """Cards, statements and timeline of one prisoner."""
    view = PrisonerView(cards(session, rows))
    evidence = collect(session, lake, [pn], floor)
    view.statements = about(session, evidence, pn, threshold)
    view.timeline = timeline(pn, view.cards, evidence, view.statements, lake)
    return view
