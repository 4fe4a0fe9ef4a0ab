"""What an export states about each prisoner: his attributions as claims, period by
period, each with exactly the evidence dated inside it.

STIX, MISP, FollowTheMoney, the attributions CSV and the link charts map from these
claims, never from the attribution tables, so the rules of docs/statements.md hold for
what leaves cellwatch as for what a parole summary says:

* a claim is a :class:`~cellwatch.statements.periods.Holding` (the latest run, at or above
  the floor or CONFIRMED, verdicts applied at once), one :class:`Stretch` per merged
  period, each with its own top probability;
* the run's evidence items, detections and call records count in a stretch only when
  dated inside it (evidence days, 08:00 to 08:00 UK time); an evidence item whose days
  reach outside every period is left out and counted as left out;
* a seizure of the identifier inside a stretch is described as recorded (where, from
  whom) by :func:`cellwatch.statements.devices.seizure`, never as a fact about him when
  the record names someone else;
* a borrower's claim says he borrowed or shared it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cellwatch.attribution.models import EvidenceItem
from cellwatch.statements import devices
from cellwatch.statements.counts import DayCount, Key, LakeQuery, call_day_counts, day_counts
from cellwatch.statements.model import Statement
from cellwatch.statements.periods import Holding, Period, evidence_day, holdings
from cellwatch.statements.wording import describe, span
from cellwatch.store import SeizureItem

# What sensors detect: a number or an account has no detections to count (None, not 0).
SENSED = ("IMEI", "IMSI")
# Identifiers per IN list (SQLite allows 32,766 variables, PostgreSQL 65,535).
_CHUNK = 2000


@dataclass(frozen=True)
class Stretch:
    """One period of a claim and the evidence dated inside it.

    ``detections``/``calls``: sensor detections and call records naming the identifier on
    the period's evidence days (None when the lake was not read, and detections of a
    number or account, which sensors do not see); ``reasons``: the run's
    evidence items dated inside the period, in words; ``seizures``: seizures of the
    identifier inside it, as recorded.
    """

    period: Period
    detections: int | None
    calls: int | None
    reasons: tuple[str, ...]
    seizures: tuple[Statement, ...]
    text: str

    @property
    def valid_from(self) -> str:
        """The first evidence day, ISO."""
        return self.period.valid_from.isoformat()

    @property
    def valid_to(self) -> str:
        """The last evidence day, ISO."""
        return self.period.valid_to.isoformat()


@dataclass(frozen=True)
class Claim:
    """One identifier attributed to one prisoner, as an export may state it."""

    holding: Holding
    statement: Statement
    stretches: tuple[Stretch, ...]
    # The run's evidence items dated (partly) outside every period: not stated.
    reasons_left_out: int = 0

    @property
    def prison_number(self) -> str:
        """Whom the claim is about."""
        return self.holding.prison_number

    @property
    def key(self) -> tuple[str, str]:
        """``(identifier type, identifier)``."""
        return self.holding.identifier_type, self.holding.identifier

    @property
    def status(self) -> str:
        """CONFIRMED (by the run or a verdict since) or the run's status."""
        return self.holding.status


def claims(session: Session, prison_numbers: Iterable[str] | None, floor: float,
           lake: LakeQuery | None = None,
           identifiers: Iterable[str] | None = None) -> list[Claim]:
    """The claims on ``prison_numbers`` (or on the holders of ``identifiers``) at or above
    ``floor``; with ``lake``, each stretch counts its detections and call records."""
    held = holdings(session, prison_numbers, floor, identifiers=identifiers)
    days = day_counts(lake, held) if lake is not None else None
    calls = call_day_counts(lake, held) if lake is not None else None
    reasons = _reasons(session, held)
    seized = _seizures(session, held)
    return [_claim(h, days, calls, reasons, seized) for h in held]


def _claim(h: Holding, days: dict[Key, list[DayCount]] | None,
           calls: dict[Key, list[DayCount]] | None,
           reasons: dict[int, list[EvidenceItem]],
           seized: dict[tuple[str, str], list[SeizureItem]]) -> Claim:
    key = (h.prison_number, h.identifier_type, h.identifier)
    items = [e for aid in h.attribution_ids for e in reasons.get(aid, [])]
    placed = 0
    stretches = []
    for p in h.periods:
        mine = [e for e in items if _inside(e, p)]
        placed += len(mine)
        found = [st for item in seized.get((h.prison_number, h.identifier), [])
                 if p.covers(evidence_day(item.ts))
                 and (st := devices.seizure(item, h.prison_number, {h.identifier: h}))]
        n = None if days is None or h.identifier_type not in SENSED else \
            _within(days.get(key, []), p)
        c = None if calls is None else _within(calls.get(key, []), p)
        words = tuple(f"{e.kind}: {e.description} ({e.weight_log2:+.1f} bits, {e.count}x)"
                      for e in mine)
        stretches.append(Stretch(p, n, c, words, tuple(found), stretch_text(h, p, n, c, found)))
    return Claim(h, devices.attribution(h), tuple(stretches), len(items) - placed)


def _within(counted: Sequence[DayCount], p: Period) -> int:
    return sum(d.n for d in counted if p.covers(d.eday))


def _inside(e: EvidenceItem, p: Period) -> bool:
    # Undated evidence cannot be placed in a period, so it is not stated.
    return (e.first_seen is not None and e.last_seen is not None
            and p.covers(e.first_seen) and p.covers(e.last_seen))


def stretch_text(h: Holding, p: Period, detections: int | None, calls: int | None,
                 seizures: Sequence[Statement]) -> str:
    """One period of a claim in words: the holding, its standing in that period, the
    evidence inside it, and borrowing."""
    what = describe(h.identifier_type, h.identifier)
    standing = devices.standing(h) if h.confirmed else \
        f"attribution probability up to {p.probability:.2f} in this period"
    text = f"{what[0].upper()}{what[1:]} attributed to the prisoner {span(p)} ({standing})"
    counted = []
    if detections:
        counted.append(f"detected {detections} time(s) by sensors")
    if calls:
        counted.append(f"named in {calls} call record(s)")
    if counted:
        text += "; " + " and ".join(counted) + " in this period"
    if seizures:
        text += f"; {len(seizures)} seizure(s) in this period, as recorded: " + \
            "; ".join(s.text for s in seizures)
    if h.borrowed:
        text += (f"; a short use of an identifier another prisoner held for "
                 f"{h.others_nights} nights (borrowed or shared)")
    return text


def _reasons(session: Session, held: Sequence[Holding]) -> dict[int, list[EvidenceItem]]:
    ids = sorted({aid for h in held for aid in h.attribution_ids})
    out: dict[int, list[EvidenceItem]] = {}
    for i in range(0, len(ids), _CHUNK):
        for e in session.scalars(select(EvidenceItem).where(
                EvidenceItem.attribution_id.in_(ids[i:i + _CHUNK]))
                .order_by(EvidenceItem.attribution_id, EvidenceItem.id)):
            out.setdefault(e.attribution_id, []).append(e)
    return out


def _seizures(session: Session,
              held: Sequence[Holding]) -> dict[tuple[str, str], list[SeizureItem]]:
    """Seizure items naming each held identifier, per (prison number, identifier)."""
    holders: dict[str, list[str]] = {}
    for h in held:
        holders.setdefault(h.identifier, []).append(h.prison_number)
    idents = sorted(holders)
    items: dict[int, SeizureItem] = {}
    for i in range(0, len(idents), _CHUNK):
        part = idents[i:i + _CHUNK]
        for item in session.scalars(select(SeizureItem).where(or_(
                SeizureItem.imei.in_(part), SeizureItem.imsi.in_(part),
                SeizureItem.iccid.in_(part), SeizureItem.msisdn.in_(part)))):
            items[item.id] = item
    out: dict[tuple[str, str], list[SeizureItem]] = {}
    for item in sorted(items.values(), key=lambda x: (x.ts, x.id)):
        for v in {item.imei, item.imsi, item.iccid, item.msisdn} - {None, ""}:
            for pn in holders.get(str(v), []):
                out.setdefault((pn, str(v)), []).append(item)
    return out
