"""FLAGGED_DEVICE_DETECTED and DISCONNECTED_IDENTIFIER_REAPPEARED.

A handset or SIM the latest run attributes, at or above the confirmation threshold (or
confirmed), to a prisoner with a protected person in force is flagged; its detections
inside the periods it is attributed to him (:mod:`cellwatch.statements`: the same count
the parole summary and the pages give) make episodes: detections with no gap of more
than :data:`EPISODE_GAP_DAYS` between them, whatever the device. One alert per prisoner
and episode, keyed by the episode's first evidence day and updated in place as the
episode grows (counts per identifier, last seen, text from the current attributions).

Reappearances are found by the TRO verification scan, which this rule runs
(:func:`cellwatch.tro.verify.scan_reappearances`); it raises into the shared alerts
itself, with the prisoner the identifier is attributed to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from cellwatch.alerts.detect.contact import protected_prisoners
from cellwatch.alerts.models import Alert
from cellwatch.alerts.raising import AlertDraft, Raised, priority, upsert_alert
from cellwatch.alerts.rules import load_rules
from cellwatch.lake.rule_context import RuleContext
from cellwatch.statements import Holding, describe, holdings
from cellwatch.statements.counts import DayCount, day_counts
from cellwatch.store import Prisoner

FLAGGED = "FLAGGED_DEVICE_DETECTED"
# Detections further apart than this start a new episode (a new alert).
EPISODE_GAP_DAYS = 7


@dataclass
class Episode:
    """A prisoner's flagged detections with no gap longer than the episode gap."""

    prison_number: str
    days: dict[date, int] = field(default_factory=dict)
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    first: datetime | None = None
    last: datetime | None = None

    def add(self, h: Holding, d: DayCount) -> None:
        """Count one identifier's detections on one evidence day."""
        self.days[d.eday] = self.days.get(d.eday, 0) + d.n
        key = (h.identifier_type, h.identifier)
        self.counts[key] = self.counts.get(key, 0) + d.n
        self.first = d.first if self.first is None else min(self.first, d.first)
        self.last = d.last if self.last is None else max(self.last, d.last)

    @property
    def start(self) -> date:
        """The episode's first evidence day."""
        return min(self.days)

    @property
    def end(self) -> date:
        """The episode's last evidence day."""
        return max(self.days)


def episodes(held: list[Holding], counts: dict[tuple[str, str, str], list[DayCount]],
             gap: int = EPISODE_GAP_DAYS) -> list[Episode]:
    """A prisoner's detections cut into episodes at gaps longer than ``gap`` days."""
    hits = sorted(((d.eday, h, d) for h in held
                   for d in counts.get((h.prison_number, h.identifier_type, h.identifier), [])),
                  key=lambda x: (x[0], x[1].identifier))
    out: list[Episode] = []
    for eday, h, d in hits:
        if not out or eday - out[-1].end > timedelta(days=gap):
            out.append(Episode(h.prison_number))
        out[-1].add(h, d)
    return out


def _uk(ts: datetime) -> str:
    from zoneinfo import ZoneInfo

    aware = ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)
    return f"{aware.astimezone(ZoneInfo('Europe/London')):%Y-%m-%d %H:%M} UK time"


def _draft(ep: Episode, held: dict[tuple[str, str], Holding], persons: int,
           ctx: RuleContext, establishment: str | None, severity: str) -> AlertDraft:
    parts = []
    for (t, v), n in sorted(ep.counts.items(), key=lambda kv: -kv[1]):
        h = held[(t, v)]
        how = "confirmed" if h.confirmed else f"p={h.probability:.2f}"
        parts.append(f"{describe(t, v)} {n} time(s) ({how}"
                     f"{', borrowed or shared' if h.borrowed else ''})")
    total = sum(ep.counts.values())
    assert ep.first is not None
    assert ep.last is not None
    run = next(iter(held.values())).run_id
    summary = (f"{ep.prison_number}, who has a protected person, is attributed devices detected "
               f"on {len(ep.days)} night(s) from {ep.start} to {ep.end}: {'; '.join(parts)}. "
               f"Last seen {_uk(ep.last)}. As of {ctx.as_of} (attribution run {run}).")
    ids = sorted(v for _t, v in ep.counts)
    return AlertDraft(
        FLAGGED, f"{ep.prison_number}|{ep.start.isoformat()}", summary,
        prison_number=ep.prison_number, identifier=max(ep.counts, key=lambda k: ep.counts[k])[1],
        establishment=establishment,
        details={"episode": [ep.start.isoformat(), ep.end.isoformat()],
                 "identifiers": ids,
                 "detections": {v: n for (_t, v), n in sorted(ep.counts.items())},
                 "nights": len(ep.days), "protected_persons": persons},
        priority=priority(severity, all(held[k].probability >= ctx.settings
                                        .parole_probability_threshold or held[k].confirmed
                                        for k in ep.counts)),
        first_seen=ep.first, last_seen=ep.last, evidence_count=total, as_of=ctx.as_of,
        attribution_run=run)


def _existing(ctx: RuleContext, pn: str, ep: Episode) -> str | None:
    """The key of an alert of this prisoner whose episode this one continues (or grew
    back over), so a re-dated episode updates its alert rather than raising another."""
    with ctx.store.session() as s:
        for a in s.scalars(select(Alert).where(Alert.rule == FLAGGED,
                                               Alert.prison_number == pn)):
            span = (a.details or {}).get("episode")
            if not span or "|after " in a.dedupe_key:
                continue
            start, end = date.fromisoformat(span[0]), date.fromisoformat(span[1])
            gap = timedelta(days=EPISODE_GAP_DAYS)
            if start - gap <= ep.end and ep.start <= end + gap:
                return a.dedupe_key
    return None


def flagged_device_detected(ctx: RuleContext) -> list[Raised]:
    """One alert per prisoner with a protected person and episode of detections."""
    prisoners = protected_prisoners(ctx)
    threshold = ctx.settings.parole_probability_threshold
    with ctx.store.session() as s:
        held = [h for h in holdings(s, prisoners, threshold, ("IMEI", "IMSI"))]
        where = dict(s.execute(select(Prisoner.prison_number, Prisoner.establishment)
                               .where(Prisoner.prison_number.in_(sorted(prisoners)))).all())
    counts = day_counts(ctx, held)
    severity = load_rules()[FLAGGED].severity
    out: list[Raised] = []
    for pn in sorted({h.prison_number for h in held}):
        mine = [h for h in held if h.prison_number == pn]
        by_id = {(h.identifier_type, h.identifier): h for h in mine}
        for ep in episodes(mine, counts):
            draft = _draft(ep, by_id, len(prisoners[pn]), ctx, where.get(pn), severity)
            draft.key = _existing(ctx, pn, ep) or draft.key
            with ctx.store.session() as s:
                out.append(upsert_alert(s, draft))
    return out


def disconnected_identifier_reappeared(ctx: RuleContext) -> list[Raised]:
    """Run the TRO verification scan, which raises its alerts into the shared table."""
    from cellwatch.tro.reference import open_lake
    from cellwatch.tro.verify import scan_reappearances

    engine = open_lake(ctx.settings)
    try:
        return scan_reappearances(engine, ctx.store, ctx.as_of).raised
    finally:
        engine.close()
