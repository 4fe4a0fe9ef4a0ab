"""Ingest bookkeeping: batches (who loaded which file when) and quarantined rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cellwatch.store.base import Base, utcnow


class IngestBatch(Base):
    """One run of ``cellwatch ingest`` over one file."""

    __tablename__ = "ingest_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    file_name: Mapped[str] = mapped_column(String(1000))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_size: Mapped[int] = mapped_column(BigInteger)
    file_format: Mapped[str] = mapped_column(String(10))
    run_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # RUNNING while loading, DONE when every row is stored or quarantined, FAILED otherwise.
    status: Mapped[str] = mapped_column(String(10), default="RUNNING")
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_accepted: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    rows_quarantined: Mapped[int] = mapped_column(Integer, default=0)
    unknown_columns: Mapped[list[str] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    # Stored rows per flag ("FIELD: unallocated_number", "ambiguous_time", ...).
    flagged: Mapped[dict[str, int] | None] = mapped_column(JSON)


class QuarantinedRow(Base):
    """A rejected row, kept whole with every problem found, until fixed and retried."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    file_name: Mapped[str] = mapped_column(String(1000))
    line: Mapped[int] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(500), index=True)
    problems: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)
    # OPEN until retried successfully (RESOLVED) or given up on by an analyst (DISCARDED).
    status: Mapped[str] = mapped_column(String(10), default="OPEN", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"))
    # Who resolved or discarded the row, and why it was discarded.
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    # Analysts' edits of the raw row: [{field, old, new, by, at}], oldest first.
    edits: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
