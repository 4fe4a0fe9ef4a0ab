"""What the profile pages show of attributions, built on :mod:`cellwatch.statements`: the
cards of the latest run (one per identifier and prisoner, every period listed, any verdict
applied at once) and a prisoner's statements with the evidence days behind his timeline.

The records were opened through the policy first (``prisoner_profile`` and
``identifier_profile`` decide and audit); these read the run, the verdicts and the
statements about the rows they were given, and nothing beyond them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from sqlalchemy.orm import Session

from cellwatch.access.service import Access
from cellwatch.attribution.models import Attribution, EvidenceItem
from cellwatch.statements import Statement, about, collect
from cellwatch.statements.counts import LakeQuery, call_day_counts
from cellwatch.statements.periods import latest_run, merge, verdicts

__all__ = ["Card", "LakeQuery", "PrisonerStatements", "Rows", "Statement",
           "identifier_cards", "prisoner_statements"]

NOUNS = {"IMEI": "Handset", "IMSI": "SIM", "ICCID": "SIM card", "MSISDN": "Number",
         "ACCOUNT": "Account"}
# Attributions with their evidence, as the profile services opened them.
Rows = list[tuple[Attribution, list[EvidenceItem]]]


@dataclass
class Card:
    """One identifier and one prisoner: every period of the latest run, in date order.

    ``top``: the likeliest period (its evidence is shown, and judgements hang on it);
    ``status``: the run's, or CONFIRMED/REJECTED as soon as an analyst says so. The
    periods are fixed once made: what is worked out of them is kept (a page asks often).
    """

    identifier_type: str
    identifier: str
    prison_number: str
    periods: list[Attribution]
    evidence: list[EvidenceItem]
    status: str
    verdict: str | None = None

    @cached_property
    def top(self) -> Attribution:
        """The likeliest period (ties: the earliest)."""
        return max(self.periods, key=lambda a: (a.probability, -a.valid_from.toordinal()))

    @cached_property
    def first(self) -> date:
        """The first night of any period."""
        return min(a.valid_from for a in self.periods)

    @cached_property
    def last(self) -> date:
        """The last night of any period."""
        return max(a.valid_to for a in self.periods)

    @cached_property
    def nights(self) -> int:
        """Nights attributed, overlapping periods counted once."""
        return sum(p.nights for p in merge((a.valid_from, a.valid_to, a.probability)
                                           for a in self.periods))

    @property
    def noun(self) -> str:
        """``Handset``, ``SIM``..."""
        return NOUNS.get(self.identifier_type, self.identifier_type)


@dataclass
class PrisonerStatements:
    """A prisoner's cards and statements, and the evidence days of his timeline."""

    cards: list[Card]
    statements: list[Statement] = field(default_factory=list)
    detections_per_day: Counter[date] = field(default_factory=Counter)
    calls_per_day: Counter[date] = field(default_factory=Counter)


def _cards(session: Session, rows: Rows) -> list[Card]:
    run = latest_run(session)
    groups: dict[tuple[str, str, str], Rows] = {}
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


def identifier_cards(access: Access, rows: Rows) -> list[Card]:
    """The latest run's attributions of ``rows`` grouped per identifier and prisoner,
    oldest first."""
    with access.store.session() as s:
        return _cards(s, rows)


def prisoner_statements(access: Access, lake: LakeQuery, prison_number: str, rows: Rows,
                        floor: float, threshold: float) -> PrisonerStatements:
    """Cards, statements and the detections and calls per evidence day inside his
    periods (``floor``: the lowest probability stated; ``threshold``: below it, only as
    a possibility)."""
    with access.store.session() as s:
        found = PrisonerStatements(_cards(s, rows))
        evidence = collect(s, lake, [prison_number], floor)
        found.statements = about(s, evidence, prison_number, threshold)
    for days in evidence.days.values():
        for d in days:
            found.detections_per_day[d.eday] += d.n
    for days in call_day_counts(lake, evidence.of(prison_number)).values():
        for d in days:
            found.calls_per_day[d.eday] += d.n
    return found
