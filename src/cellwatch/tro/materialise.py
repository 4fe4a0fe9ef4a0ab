"""Materialised TRO candidates: computed once after each ingest, read by every page.

Candidates cost a scan of the lake (:mod:`cellwatch.tro.candidates_sql`), so the
candidates queue, the API and the export read the newest stored run instead
(``tro_candidate_runs`` and ``tro_candidates``). A run records when it was computed
and the ingest batches it had seen: the newest id and how many, of the kinds the
evidence reads (:data:`EVIDENCE_KINDS`) that stored something. A batch stored since
makes the run stale; so does another bundled policy. The post-ingest hook
(:func:`refresh_after_ingest`, run by every ingest entry point) recomputes it, and a
reader that finds no run, or a stale one, recomputes it first.

Attributions are not part of a run: they are read with the candidates
(:func:`~cellwatch.tro.candidates.with_attributions`), so an attribution run or a
judgement shows at once without a refresh.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from cellwatch.errors import CellwatchError
from cellwatch.guard.detect import EXCLUDING, refresh_holds
from cellwatch.guard.models import GuardHold
from cellwatch.lake.layout import CALL_RECORDS, DETECTIONS
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, Store, utcnow
from cellwatch.store.listing import Order, SortColumn, sorted_by
from cellwatch.tro.candidates import (
    Candidate,
    evidence_candidates,
    lake_candidates,
    with_attributions,
    with_guard,
)
from cellwatch.tro.models import TroCandidate, TroCandidateRun
from cellwatch.tro.policy import EvidencePolicy, default_policy
from cellwatch.tro.reference import open_lake

log = logging.getLogger(__name__)

# Ingest kinds the candidate evidence reads: the lake's events and the store's
# reference tables registered as tro_ref_* (cellwatch.tro.reference).
EVIDENCE_KINDS = frozenset({DETECTIONS, CALL_RECORDS, "establishments", "locations", "sensors",
                            "seizures", "allow_list"})
# Rows per INSERT statement: well under every engine's bound-parameter limit.
CHUNK = 500
# Candidate fields stored as columns (prison numbers and the guard's flag are read with
# the set, not kept).
STORED = tuple(f.name for f in fields(Candidate) if f.name not in ("prison_numbers", "guard_flag"))
LISTS = frozenset({"linked_imsis", "linked_imeis", "locations", "seizure_refs"})


@dataclass(frozen=True)
class CandidateSet:
    """Candidates with the run they come from: when, and up to which ingest batch."""

    candidates: list[Candidate]
    computed_at: datetime
    batch_watermark: int
    # False when computed on the spot for a policy other than the bundled one.
    materialised: bool = True


def policy_fingerprint(policy: EvidencePolicy) -> str:
    """A digest of every policy value: a run answers only for the policy it was made with."""
    return hashlib.sha256(policy.model_dump_json().encode("utf-8")).hexdigest()


def batch_watermark(session: Session) -> tuple[int, int]:
    """(newest id, count) of the finished ingest batches that stored evidence rows.

    The count catches a batch that began before the newest one but finished after it.
    """
    newest, count = session.execute(
        select(func.max(IngestBatch.id), func.count(IngestBatch.id)).where(
            IngestBatch.status == "DONE",
            IngestBatch.kind.in_(sorted(EVIDENCE_KINDS)),
            or_(IngestBatch.rows_accepted > 0, IngestBatch.rows_updated > 0),
        )
    ).one()
    return int(newest or 0), int(count or 0)


def refresh(settings: Settings, store: Store, trigger: str = "read") -> TroCandidateRun:
    """Compute the candidates under the bundled policy, store them as the newest run."""
    policy = default_policy()
    # Taken before the lake is read: a batch landing meanwhile leaves the run stale.
    with store.session() as s:
        newest, count = batch_watermark(s)
    engine = open_lake(settings)
    try:
        found = evidence_candidates(engine, store, policy)
        # The suspected staff, visitor and contractor phones, as fresh as the candidates.
        refresh_holds(engine, store, {c.key: c.linked for c in found})
    finally:
        engine.close()
    with store.session() as s:
        run = TroCandidateRun(computed_at=utcnow(), batch_watermark=newest, batch_count=count,
                              policy_sha256=policy_fingerprint(policy), trigger=trigger,
                              candidates=len(found))
        s.add(run)
        s.flush()
        rows = [_stored(c, run.id) for c in found]
        for start in range(0, len(rows), CHUNK):
            s.execute(insert(TroCandidate), rows[start:start + CHUNK])
        # The run before this one is kept: a reader may be between choosing it and
        # reading its rows. Older ones go, in this transaction.
        previous = s.scalar(select(func.max(TroCandidateRun.id))
                            .where(TroCandidateRun.id < run.id))
        if previous is not None:
            older = select(TroCandidateRun.id).where(TroCandidateRun.id < previous)
            s.execute(delete(TroCandidate).where(TroCandidate.run_id.in_(older)))
            s.execute(delete(TroCandidateRun).where(TroCandidateRun.id < previous))
    return run


def refresh_after_ingest(settings: Settings, store: Store, kinds: Iterable[str]) -> bool:
    """Refresh after an ingest that stored rows of ``kinds``; whether it did.

    A failure does not undo the ingest: the run stays stale and the next reader
    recomputes it (and meets the error, if it persists).
    """
    if EVIDENCE_KINDS.isdisjoint(kinds):
        return False
    try:
        refresh(settings, store, trigger="ingest")
    except CellwatchError as exc:
        log.warning("TRO candidates not refreshed after ingest: %s", exc.message)
        return False
    return True


def fresh_run(store: Store, policy: EvidencePolicy | None = None) -> TroCandidateRun | None:
    """The newest run for ``policy`` if no evidence batch has been stored since, else None."""
    fingerprint = policy_fingerprint(policy or default_policy())
    with store.session() as s:
        run = s.scalars(
            select(TroCandidateRun).where(TroCandidateRun.policy_sha256 == fingerprint)
            .order_by(TroCandidateRun.batch_watermark.desc(), TroCandidateRun.id.desc())
            .limit(1)
        ).first()
        if run is None or (run.batch_watermark, run.batch_count) != batch_watermark(s):
            return None
    return run


# What a candidates page may be sorted by (the stored run's columns).
SORTS: dict[str, SortColumn] = {
    name: TroCandidate.__table__.c[name] for name in (
        "identifier", "identifier_type", "establishment", "operator", "evidence_days",
        "first_seen", "last_seen", "score", "detections", "seizures")}


@dataclass(frozen=True)
class Narrowing:
    """A queue's filters and order over the candidates (none by default)."""

    min_score: float | None = None
    identifier_type: str | None = None
    # Bounds on the last evidence: since inclusive, before exclusive.
    seen_since: datetime | None = None
    seen_before: datetime | None = None
    order: Order | None = None

    def applied(self, query: Select[Any]) -> Select[Any]:
        """``query`` over the stored candidates, narrowed and ordered in SQL."""
        if self.min_score is not None:
            query = query.where(TroCandidate.score >= self.min_score)
        if self.identifier_type:
            query = query.where(TroCandidate.identifier_type == self.identifier_type)
        if self.seen_since is not None:
            query = query.where(TroCandidate.last_seen >= self.seen_since)
        if self.seen_before is not None:
            query = query.where(TroCandidate.last_seen < self.seen_before)
        return sorted_by(query, SORTS, self.order, TroCandidate.identifier_type,
                         TroCandidate.identifier, TroCandidate.establishment)

    def kept(self, found: list[Candidate]) -> list[Candidate]:
        """The same narrowing over candidates computed on the spot (not stored)."""
        kept = [c for c in found
                if (self.min_score is None or c.score >= self.min_score)
                and (not self.identifier_type or c.identifier_type == self.identifier_type)
                and (self.seen_since is None or c.last_seen >= self.seen_since)
                and (self.seen_before is None or c.last_seen < self.seen_before)]
        if self.order is None:
            return kept
        key, descending = self.order
        if key not in SORTS:
            sorted_by(select(TroCandidate), SORTS, self.order)  # raises, naming the keys
        known = [c for c in kept if getattr(c, key) is not None]
        return (sorted(known, key=lambda c: getattr(c, key), reverse=descending)
                + [c for c in kept if getattr(c, key) is None])


def candidate_set(
    settings: Settings,
    store: Store,
    policy: EvidencePolicy | None = None,
    establishment: str | None = None,
    *,
    within: Collection[str] | None = None,
    offset: int = 0,
    limit: int | None = None,
    narrow: Narrowing = Narrowing(),
) -> CandidateSet:
    """Candidates from the newest run (recomputed first when missing or stale).

    ``establishment`` names one; ``within`` keeps those establishments only (None: all);
    ``narrow`` filters and orders them (a queue's view). Best first per establishment, as
    the candidate SQL orders them, unless ``narrow.order`` says otherwise. A ``policy``
    other than the bundled one is computed on the spot and not stored.
    """
    policy = policy or default_policy()
    if policy_fingerprint(policy) != policy_fingerprint(default_policy()):
        return _computed(settings, store, policy, establishment, within, offset, limit,
                         narrow)
    run = fresh_run(store, policy) or refresh(settings, store)
    query = select(*(TroCandidate.__table__.c[name] for name in STORED)).where(
        TroCandidate.run_id == run.id)
    if establishment is not None:
        query = query.where(TroCandidate.establishment == establishment)
    if within is not None:
        query = query.where(TroCandidate.establishment.in_(sorted(within)))
    # Held by the guard (suspected staff, visitor or contractor phones) or allow-listed from
    # its queue: never a candidate, decided in SQL so pages stay whole.
    query = query.where(~select(GuardHold.id).where(
        GuardHold.identifier_type == TroCandidate.identifier_type,
        GuardHold.identifier == TroCandidate.identifier,
        GuardHold.establishment == TroCandidate.establishment,
        GuardHold.status.in_(sorted(EXCLUDING))).exists())
    query = narrow.applied(query.order_by(
        TroCandidate.establishment, TroCandidate.score.desc(), TroCandidate.identifier_type,
        TroCandidate.identifier))
    with store.session() as s:
        rows = s.execute(query.offset(offset).limit(limit)).mappings().all()
    found = with_guard(store, [_candidate(row) for row in rows])
    return CandidateSet(with_attributions(store, found), run.computed_at, run.batch_watermark)


def _computed(settings: Settings, store: Store, policy: EvidencePolicy,
              establishment: str | None, within: Collection[str] | None, offset: int,
              limit: int | None, narrow: Narrowing) -> CandidateSet:
    """The same answer computed now, for a policy no run is kept for."""
    with store.session() as s:
        newest, _ = batch_watermark(s)
    found = with_guard(store, lake_candidates(settings, store, policy, establishment),
                       drop_held=True)
    mine = narrow.kept([c for c in found if within is None or c.establishment in within])
    end = None if limit is None else offset + limit
    return CandidateSet(with_attributions(store, mine[offset:end]), utcnow(), newest,
                        materialised=False)


def _stored(candidate: Candidate, run_id: int) -> dict[str, Any]:
    row: dict[str, Any] = {name: getattr(candidate, name) for name in STORED}
    for name in LISTS:
        row[name] = list(row[name])
    row["run_id"] = run_id
    return row


def _candidate(row: Any) -> Candidate:
    values = {name: row[name] for name in STORED}
    for name in LISTS:
        values[name] = tuple(values[name])
    return Candidate(**values)
