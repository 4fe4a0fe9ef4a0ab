"""Tables of the TRO workflow: applications (which become orders), their lines, the
transition log, operator responses, TRO alerts, and the materialised candidates.

An application groups identifiers of one establishment; once granted the same row is
the order, and each identifier is an order line with its own operator and status.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cellwatch.store.base import Base, Provenance, utcnow


class TroApplication(Base):
    """A TRO application and, once granted, the order; ``ref`` is what operators quote."""

    __tablename__ = "tro_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    establishment: Mapped[str] = mapped_column(ForeignKey("establishments.code"), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    court: Mapped[str | None] = mapped_column(String(200))
    court_ref: Mapped[str | None] = mapped_column(String(100))
    order_date: Mapped[date | None] = mapped_column(Date)
    served_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)


class TroLine(Base):
    """One identifier on an application or order, with its evidence and operator outcome."""

    __tablename__ = "tro_lines"
    __table_args__ = (
        UniqueConstraint("application_id", "line_no"),
        UniqueConstraint("application_id", "identifier"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("tro_applications.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    identifier_type: Mapped[str] = mapped_column(String(10))
    identifier: Mapped[str] = mapped_column(String(64), index=True)
    operator: Mapped[str | None] = mapped_column(String(100))
    # DISCONNECT_SIM for an IMSI or number, BLOCK_HANDSET for an IMEI.
    action: Mapped[str] = mapped_column(String(16))
    # PENDING until the operator answers: DONE, NOT_FOUND, ALREADY_DISCONNECTED, DISPUTED.
    status: Mapped[str] = mapped_column(String(24), default="PENDING", index=True)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    evidence_days: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[datetime | None]
    last_seen: Mapped[datetime | None]
    score: Mapped[float | None] = mapped_column(Float)
    compliance_due: Mapped[date | None] = mapped_column(Date, index=True)
    actioned_ts: Mapped[datetime | None]
    operator_ref: Mapped[str | None] = mapped_column(String(100))
    escalated_at: Mapped[datetime | None]


class TroTransition(Base):
    """Who moved an application from one state to another, when and why (append-only)."""

    __tablename__ = "tro_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("tro_applications.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text)


class TroResponse(Provenance, Base):
    """One operator response to one order line, as ingested (kept even when superseded)."""

    __tablename__ = "tro_responses"
    __table_args__ = (UniqueConstraint("line_id", "outcome", "actioned_ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("tro_lines.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(24))
    actioned_ts: Mapped[datetime]
    operator_ref: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class TroCandidateRun(Base):
    """One computation of the candidates: when, over which ingest batches, under which policy.

    The newest run is what the candidates queue, the API and the export read; it is stale
    once an ingest batch of a kind the evidence reads has been stored since (see
    :mod:`cellwatch.tro.materialise`).
    """

    __tablename__ = "tro_candidate_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The newest ingest batch (and how many) of the evidence kinds the run has seen.
    batch_watermark: Mapped[int] = mapped_column(Integer)
    batch_count: Mapped[int] = mapped_column(Integer)
    policy_sha256: Mapped[str] = mapped_column(String(64), index=True)
    # What asked for it: "ingest" (the post-ingest hook) or "read" (a missing or stale set).
    trigger: Mapped[str] = mapped_column(String(16))
    candidates: Mapped[int] = mapped_column(Integer)


class TroCandidate(Base):
    """One candidate of a run: the evidence columns of the candidate SQL, as computed."""

    __tablename__ = "tro_candidates"
    __table_args__ = (
        # Named: the conventional name is longer than PostgreSQL's 63 characters.
        UniqueConstraint("run_id", "identifier_type", "identifier", "establishment",
                         name="uq_tro_candidates_run_key"),
        # The queue reads one run within a few establishments, best first.
        Index("ix_tro_candidates_run_id_establishment_score", "run_id", "establishment",
              "score"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("tro_candidate_runs.id"))
    identifier_type: Mapped[str] = mapped_column(String(10))
    identifier: Mapped[str] = mapped_column(String(64), index=True)
    establishment: Mapped[str] = mapped_column(String(8))
    operator: Mapped[str | None] = mapped_column(String(100))
    evidence_days: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    score: Mapped[float] = mapped_column(Float)
    detection_days: Mapped[int] = mapped_column(Integer)
    detections: Mapped[int] = mapped_column(Integer)
    call_days: Mapped[int] = mapped_column(Integer)
    seizures: Mapped[int] = mapped_column(Integer)
    home_imsi: Mapped[str | None] = mapped_column(String(20))
    linked_imsis: Mapped[list[str]] = mapped_column(JSON)
    linked_imeis: Mapped[list[str]] = mapped_column(JSON)
    locations: Mapped[list[str]] = mapped_column(JSON)
    seizure_refs: Mapped[list[str]] = mapped_column(JSON)
