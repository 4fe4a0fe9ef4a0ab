"""Who held which identifier when: the latest run's attributions, with analysts' verdicts
applied at once, merged into periods per prisoner and identifier.

A verdict counts from the moment it is recorded (the run that folds it into the model
comes later): CONFIRMED keeps the attribution whatever its probability and reads
CONFIRMED; REJECTED removes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cellwatch.attribution.models import Attribution, AttributionRun, Judgement

LONDON = ZoneInfo("Europe/London")
# The evidence day starts at 08:00 UK time, as attribution's (docs/attribution.md).
DAY_START = timedelta(hours=8)
# At most this many nights, while another prisoner held the identifier for more: the
# prisoner borrowed it (or it was shared), and statements say so.
BORROW_MAX_NIGHTS = 7


def evidence_day(ts: datetime) -> date:
    """The evidence day of a timestamp (naive ones are UTC, as the store keeps them)."""
    aware = ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)
    return (aware.astimezone(LONDON) - DAY_START).date()


@dataclass(frozen=True)
class Period:
    """Evidence days ``valid_from``..``valid_to`` (inclusive) and the probability over them."""

    valid_from: date
    valid_to: date
    probability: float

    def covers(self, d: date) -> bool:
        """Whether evidence day ``d`` lies in the period."""
        return self.valid_from <= d <= self.valid_to

    @property
    def nights(self) -> int:
        """How many evidence days (nights) it spans."""
        return (self.valid_to - self.valid_from).days + 1


@dataclass(frozen=True)
class Holding:
    """One identifier attributed to one prisoner: its merged periods and standing.

    ``status``: CONFIRMED (the run's or a verdict since), else the run's status.
    ``borrowed``: he held it for at most :data:`BORROW_MAX_NIGHTS` nights while another
    prisoner held it for more (``others_nights``: the most any other prisoner held it).
    """

    prison_number: str
    identifier_type: str
    identifier: str
    periods: tuple[Period, ...]
    probability: float
    status: str
    run_id: int
    others_nights: int = 0
    verdict: str | None = None
    # The run's interval rows it merges (their evidence items explain it).
    attribution_ids: tuple[int, ...] = ()

    @property
    def confirmed(self) -> bool:
        """An analyst (or the run, from a verdict) confirmed it."""
        return self.status == "CONFIRMED"

    @property
    def nights(self) -> int:
        """Nights held, over all periods."""
        return sum(p.nights for p in self.periods)

    @property
    def first(self) -> date:
        """The first evidence day held."""
        return self.periods[0].valid_from

    @property
    def last(self) -> date:
        """The last evidence day held."""
        return self.periods[-1].valid_to

    @property
    def borrowed(self) -> bool:
        """Held briefly while someone else held it for longer."""
        return self.nights <= BORROW_MAX_NIGHTS and self.others_nights > self.nights

    def covers(self, d: date) -> bool:
        """Whether evidence day ``d`` lies in one of the periods."""
        return any(p.covers(d) for p in self.periods)


def merge(rows: Iterable[tuple[date, date, float]]) -> tuple[Period, ...]:
    """Overlapping or touching intervals as disjoint periods, each with its top probability."""
    out: list[Period] = []
    for start, end, p in sorted(rows):
        if out and start <= out[-1].valid_to + timedelta(days=1):
            last = out[-1]
            out[-1] = Period(last.valid_from, max(last.valid_to, end), max(last.probability, p))
        else:
            out.append(Period(start, end, p))
    return tuple(out)


def latest_run(session: Session) -> int | None:
    """The newest finished attribution run."""
    return session.scalars(select(AttributionRun.id).where(AttributionRun.status == "DONE")
                           .order_by(AttributionRun.id.desc()).limit(1)).first()


def verdicts(session: Session, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The standing verdict (latest not undone) per (identifier, prison number)."""
    wanted = set(pairs)
    if not wanted:
        return {}
    out: dict[tuple[str, str], str] = {}
    for j in session.scalars(select(Judgement).where(
            Judgement.target == "ATTRIBUTION", Judgement.undone_at.is_(None),
            Judgement.subject.in_(sorted({i for i, _p in wanted})))
            .order_by(Judgement.at, Judgement.id)):
        if (j.subject, j.object) in wanted:
            out[(j.subject, j.object)] = j.verdict
    return out


def holdings(session: Session, prison_numbers: Iterable[str] | None, floor: float,
             types: Iterable[str] | None = None,
             identifiers: Iterable[str] | None = None) -> list[Holding]:
    """Every identifier the latest run attributes to ``prison_numbers`` at or above
    ``floor`` (or confirmed), verdicts applied, ordered by prisoner and first night.

    ``prison_numbers`` None: any prisoner; ``identifiers``: only those identifiers (the
    holders of one device, as its link chart asks).
    """
    run_id = latest_run(session)
    if run_id is None:
        return []
    query = select(Attribution).where(Attribution.run_id == run_id)
    if prison_numbers is not None:
        numbers = sorted(set(prison_numbers))
        if not numbers:
            return []
        query = query.where(Attribution.prison_number.in_(numbers))
    if identifiers is not None:
        wanted = sorted(set(identifiers))
        if not wanted:
            return []
        query = query.where(Attribution.identifier.in_(wanted))
    if types is not None:
        query = query.where(Attribution.identifier_type.in_(sorted(set(types))))
    rows = list(session.scalars(query))
    verdict = verdicts(session, ((a.identifier, a.prison_number) for a in rows))
    mine: dict[tuple[str, str, str], list[Attribution]] = {}
    for a in rows:
        v = verdict.get((a.identifier, a.prison_number))
        if v == "REJECTED" or (a.status == "REJECTED" and v != "CONFIRMED"):
            continue
        if a.probability >= floor or a.status == "CONFIRMED" or v == "CONFIRMED":
            mine.setdefault((a.prison_number, a.identifier_type, a.identifier), []).append(a)
    others: dict[str, list[tuple[str, int]]] = {}
    for (i, who), n in _others_nights(session, run_id, {k[2] for k in mine}, floor).items():
        others.setdefault(i, []).append((who, n))
    out = []
    for (pn, t, ident), group in mine.items():
        v = verdict.get((ident, pn))
        confirmed = v == "CONFIRMED" or any(a.status == "CONFIRMED" for a in group)
        out.append(Holding(
            pn, t, ident, merge((a.valid_from, a.valid_to, a.probability) for a in group),
            max(a.probability for a in group), "CONFIRMED" if confirmed else group[0].status,
            run_id, max((n for who, n in others.get(ident, []) if who != pn), default=0), v,
            tuple(sorted(a.id for a in group))))
    return sorted(out, key=lambda h: (h.prison_number, h.first, h.identifier_type,
                                      h.identifier))


def _others_nights(session: Session, run_id: int, identifiers: set[str],
                   floor: float) -> dict[tuple[str, str], int]:
    # Nights every prisoner held each identifier (at the same floor), to tell a borrower
    # from the holder.
    if not identifiers:
        return {}
    spans: dict[tuple[str, str], list[tuple[date, date, float]]] = {}
    for ident, pn, start, end in session.execute(
            select(Attribution.identifier, Attribution.prison_number, Attribution.valid_from,
                   Attribution.valid_to).where(
                Attribution.run_id == run_id, Attribution.identifier.in_(sorted(identifiers)),
                Attribution.status != "REJECTED", Attribution.probability >= floor)):
        spans.setdefault((ident, pn), []).append((start, end, 0.0))
    return {k: sum(p.nights for p in merge(v)) for k, v in spans.items()}
