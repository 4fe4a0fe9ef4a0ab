"""Relational tables of the identity graph and of attribution.

Heavy per-day features live in DuckDB; only their results land here, in bulk:
links between identifiers, runs with their estimated parameters, the attributions
each run proposes with their evidence items, and analysts' judgements.

Weights are stored as log2 likelihood ratios ("bits"): +1 doubles the odds.
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

from cellwatch.store.base import Base, utcnow


class IdentityLink(Base):
    """Two identifiers the evidence ties together (IMSI seen with IMEI, number on SIM...).

    ``status`` is ACTIVE, SUPPRESSED (one end is a hub above its limit), or the latest
    analyst verdict (CONFIRMED, REJECTED, UNSURE).
    """

    __tablename__ = "identity_links"
    __table_args__ = (UniqueConstraint("a_type", "a", "b_type", "b", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    a_type: Mapped[str] = mapped_column(String(10))
    a: Mapped[str] = mapped_column(String(64), index=True)
    b_type: Mapped[str] = mapped_column(String(10))
    b: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(20))
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="ACTIVE", index=True)


class IdentityHub(Base):
    """A value linked to too many others (switchboard, default IMEI): reported, not linked."""

    __tablename__ = "identity_hubs"
    __table_args__ = (UniqueConstraint("identifier_type", "identifier", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    identifier_type: Mapped[str] = mapped_column(String(10))
    identifier: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(20))
    degree: Mapped[int] = mapped_column(Integer)
    limit: Mapped[int] = mapped_column(Integer)
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttributionRun(Base):
    """One run of ``cellwatch attribute``: when, on what engine, with which parameters."""

    __tablename__ = "attribution_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(10), default="RUNNING")
    engine: Mapped[str] = mapped_column(String(20))
    run_by: Mapped[str] = mapped_column(String(100))
    # Estimated m/u probabilities, prior, EM iterations, limits: enough to re-score.
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Attribution(Base):
    """An identifier attributed to a prisoner over an interval, with a probability."""

    __tablename__ = "attributions"
    # Look-ups are "this identifier (or prisoner) in the latest run": one index answers
    # each (migration 0009 says why single-column ones did not).
    __table_args__ = (
        Index("ix_attributions_identifier_run", "identifier", "run_id"),
        Index("ix_attributions_prison_number_run", "prison_number", "run_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("attribution_runs.id"), index=True)
    identifier_type: Mapped[str] = mapped_column(String(10))
    identifier: Mapped[str] = mapped_column(String(64))
    prison_number: Mapped[str] = mapped_column(String(7))
    probability: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="PROPOSED")
    # The last run's interval a nightly run copied this one from (attribution.carry).
    carried_from: Mapped[int | None] = mapped_column(Integer, nullable=True)


class EvidenceItem(Base):
    """One line of evidence behind an attribution, readable by a person."""

    __tablename__ = "attribution_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    attribution_id: Mapped[int] = mapped_column(ForeignKey("attributions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    weight_log2: Mapped[float] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[date | None] = mapped_column(Date)
    last_seen: Mapped[date | None] = mapped_column(Date)


class Judgement(Base):
    """An analyst's verdict on a link or an attribution, with reason, who and when.

    ``target`` is ``LINK`` (subject and object are the link's two ends) or
    ``ATTRIBUTION`` (subject is the identifier, object the prison number). A judgement
    is undone by setting ``undone_at``; it is never deleted.
    """

    __tablename__ = "judgements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(String(12))
    subject_type: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(10))
    object: Mapped[str] = mapped_column(String(64), index=True)
    verdict: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str | None] = mapped_column(String(100))


class LinkBuild(Base):
    """One incremental update of the identity graph and the watermarks it reached."""

    __tablename__ = "identity_link_builds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    built_at: Mapped[datetime] = mapped_column(default=utcnow)
    detection_batch: Mapped[int] = mapped_column(Integer)
    call_batch: Mapped[int] = mapped_column(Integer)
    seizure_id: Mapped[int] = mapped_column(Integer)
    links_added: Mapped[int] = mapped_column(Integer)
    links_updated: Mapped[int] = mapped_column(Integer)
    hubs: Mapped[int] = mapped_column(Integer)
