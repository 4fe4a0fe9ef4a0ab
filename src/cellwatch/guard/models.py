"""The queue of suspected staff, visitor and contractor phones ("guard holds").

One row per identifier and establishment whose detections show the pattern of a phone
that belongs in the prison (or of such a phone used at night in the cells). A row's
status is the decision: HELD (out of disconnection candidates and attribution until a
person decides), ALLOWED (a person allow-listed it: the allow-list entry it created is
named) or RELEASED (a person released it as contraband: back in candidates and
attribution). A NIGHT_USE row is never held: it flags a candidate for review.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cellwatch.store.base import Base, utcnow

STATUSES = ("HELD", "ALLOWED", "RELEASED")
# Why a row is in the queue: the pattern itself, the pattern or an allow-listed phone
# seen at night in the cells, or an identifier seen on the same events as a held one.
FLAGS = ("STAFF_PATTERN", "NIGHT_USE", "LINKED")


class GuardHold(Base):
    """A suspected staff, visitor or contractor phone, with its evidence and decision."""

    __tablename__ = "guard_holds"
    __table_args__ = (UniqueConstraint("identifier_type", "identifier", "establishment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    identifier_type: Mapped[str] = mapped_column(String(10))
    identifier: Mapped[str] = mapped_column(String(64), index=True)
    establishment: Mapped[str] = mapped_column(String(8), ForeignKey("establishments.code"),
                                               index=True)
    flag: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(10), default="HELD", index=True)
    # The pattern's figures when last computed (days, work_share, zones, cell_nights, ...).
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    allow_listed: Mapped[bool] = mapped_column(default=False)
    first_flagged_at: Mapped[datetime] = mapped_column(default=utcnow)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    allow_entry_id: Mapped[int | None] = mapped_column(ForeignKey("allow_list.id"))
