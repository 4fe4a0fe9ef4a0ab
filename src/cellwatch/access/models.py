"""Tables of joint working: organisations, users, graded intelligence, cases, referrals, audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cellwatch.store.base import Base, Provenance, utcnow


class Organisation(Base):
    """A body taking part: a directorate, a region, a prison's team, a force, an operator."""

    __tablename__ = "organisations"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    # An establishment's team covers one prison; a regional unit the prisons of its region.
    establishment: Mapped[str | None] = mapped_column(ForeignKey("establishments.code"))
    region: Mapped[str | None] = mapped_column(String(100))
    # A mobile network operator's network, spelt as order lines name it (TroLine.operator):
    # the lines served on it are the ones its users see and answer (cellwatch.tro.service.operator).
    network: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    """A person who signs in; belongs to one organisation and holds roles."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    org_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    roles: Mapped[list[str]] = mapped_column(JSON)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change or disabling: tokens carrying an older value are refused.
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IntelligenceReport(Provenance, Base):
    """An intelligence item graded 3x5x2: source 1-3, assessment A-E, handling P or C."""

    __tablename__ = "intelligence_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_ref: Mapped[str] = mapped_column(String(64), unique=True)
    ts: Mapped[datetime]
    establishment: Mapped[str | None] = mapped_column(
        ForeignKey("establishments.code"), index=True
    )
    source_evaluation: Mapped[str] = mapped_column(String(1))
    intelligence_assessment: Mapped[str] = mapped_column(String(1))
    handling_code: Mapped[str] = mapped_column(String(1), index=True)
    handling_conditions: Mapped[str | None] = mapped_column(Text)
    owner_org: Mapped[str | None] = mapped_column(ForeignKey("organisations.code"), index=True)
    identifiers: Mapped[list[str]] = mapped_column(JSON, default=list)
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IntelligenceSubject(Base):
    """A prisoner an intelligence item is about."""

    __tablename__ = "intelligence_subjects"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("intelligence_reports.id"), primary_key=True
    )
    prison_number: Mapped[str] = mapped_column(
        ForeignKey("prisoners.prison_number"), primary_key=True, index=True
    )


class IntelligenceRelease(Base):
    """An organisation a C handling code names: the only ones (with the owner) to see it."""

    __tablename__ = "intelligence_releases"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("intelligence_reports.id"), primary_key=True
    )
    org_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"), primary_key=True)


class Dissemination(Base):
    """A record of intelligence going outward: an item shown to another organisation."""

    __tablename__ = "disseminations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts: Mapped[datetime] = mapped_column(default=utcnow)
    report_id: Mapped[int] = mapped_column(ForeignKey("intelligence_reports.id"), index=True)
    to_org: Mapped[str | None] = mapped_column(String(32), index=True)
    principal: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(1000))


class Case(Base):
    """A case or operation, owned by one organisation and shared explicitly with others."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    owner_org: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    establishment: Mapped[str | None] = mapped_column(ForeignKey("establishments.code"))
    status: Mapped[str] = mapped_column(String(16), default="OPEN")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseShare(Base):
    """Access to a case granted to another organisation, at a level."""

    __tablename__ = "case_shares"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    org_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    granted_by: Mapped[str] = mapped_column(String(100))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseSubject(Base):
    """A prisoner a case is about; sharing the case shares their record."""

    __tablename__ = "case_subjects"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    prison_number: Mapped[str] = mapped_column(
        ForeignKey("prisoners.prison_number"), primary_key=True, index=True
    )


class Referral(Base):
    """A crime committed from prison, referred by one organisation to another until acknowledged."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    from_org: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    to_org: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    prison_number: Mapped[str | None] = mapped_column(
        ForeignKey("prisoners.prison_number"), index=True
    )
    crime_reference: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="SENT", index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    acknowledged_at: Mapped[datetime | None]


class AuditEntry(Base):
    """One audited event; each row's hash covers its content and the previous row's hash."""

    __tablename__ = "audit_log"
    __table_args__ = (UniqueConstraint("prev_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts: Mapped[datetime]
    principal: Mapped[str] = mapped_column(String(100), index=True)
    org: Mapped[str | None] = mapped_column(String(32), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    resource_type: Mapped[str] = mapped_column(String(40), index=True)
    resource_id: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(1000))
    outcome: Mapped[str] = mapped_column(String(10), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Which key the hash is an HMAC under (cellwatch.access.audit.key_id); NULL for rows
    # chained before keyed hashes, plain SHA-256.
    key_id: Mapped[str | None] = mapped_column(String(16))


class SignInSession(Base):
    """A web session on the server: ended at sign-out, or past its idle or absolute limit.

    The id is the SHA-256 of the random token the cookie carries, so a copy of this
    table cannot be replayed as cookies.
    """

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(20))
