"""Tables of social-media takedown requests: one request per account per platform, and
the append-only log of its transitions (who, when, why).

The account is stored canonical (``platform:canonical_id``, as
:func:`cellwatch.identifiers.accounts.parse_account` gives it), so the same profile
written as a URL or as a handle is one request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cellwatch.store.base import Base, utcnow


class TakedownRequest(Base):
    """A request to a platform to remove an account attributed to a prisoner."""

    __tablename__ = "takedown_requests"
    __table_args__ = (UniqueConstraint("platform", "account"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(32), index=True)
    account: Mapped[str] = mapped_column(String(200), index=True)
    prison_number: Mapped[str] = mapped_column(
        ForeignKey("prisoners.prison_number"), index=True
    )
    # The prisoner's establishment when drafted: statistics count requests where they arose.
    establishment: Mapped[str | None] = mapped_column(
        ForeignKey("establishments.code"), index=True
    )
    state: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str] = mapped_column(Text)
    platform_ref: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TakedownTransition(Base):
    """One change of a request's state (the first row, from nothing, is the draft)."""

    __tablename__ = "takedown_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("takedown_requests.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    reason: Mapped[str] = mapped_column(Text)


__all__ = ["TakedownRequest", "TakedownTransition"]
