"""Tables of the shared alerts: one row per alert, and one per delivery attempt target.

Every domain (victim protection, TRO, parole) raises into the same ``alerts`` table
through :func:`cellwatch.alerts.raise_alert` (or :func:`cellwatch.alerts.upsert_alert`);
``(rule, dedupe_key)`` is unique: the key names an episode (a rule, a prisoner and a run of
evidence), so a rule that runs again updates its alert in place rather than raising anew.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cellwatch.store.base import Base, utcnow


class Alert(Base):
    """An alert: what rule fired, on whom, and where it is in its lifecycle.

    ``status`` moves OPEN -> ASSIGNED -> ACKNOWLEDGED -> CLOSED (assigning may be
    skipped; closing needs an ``outcome``). ``summary`` never carries a protected
    person's contact details: it is exported and delivered by webhook and email.

    An episode's alert is updated in place as evidence arrives: ``first_seen`` and
    ``last_seen`` (UTC) bound its evidence, ``evidence_count`` counts it, ``updated_ts``
    is the last change, and ``as_of``/``attribution_run`` stamp the rules run and the
    attribution run its current text was written from. ``priority``: 1 (most urgent) to 4.
    """

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("rule", "dedupe_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(64), index=True)
    dedupe_key: Mapped[str] = mapped_column(String(300))
    created_ts: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(16), default="OPEN", index=True)
    prison_number: Mapped[str | None] = mapped_column(String(7), index=True)
    person_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    identifier: Mapped[str | None] = mapped_column(String(200), index=True)
    establishment: Mapped[str | None] = mapped_column(String(8), index=True)
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    assigned_to: Mapped[str | None] = mapped_column(String(100))
    assigned_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    acknowledged_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(100))
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(32))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer, default=3, index=True)
    first_seen: Mapped[datetime | None]
    last_seen: Mapped[datetime | None]
    evidence_count: Mapped[int | None] = mapped_column(Integer)
    updated_ts: Mapped[datetime | None]
    as_of: Mapped[date | None] = mapped_column(Date)
    attribution_run: Mapped[int | None] = mapped_column(Integer)


class AlertDelivery(Base):
    """One alert to one channel target (in-app, a webhook URL, an email address)."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (UniqueConstraint("alert_id", "channel", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(300))
    # PENDING until sent (SENT) or given up on after the attempts allowed (FAILED).
    status: Mapped[str] = mapped_column(String(10), default="PENDING", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
