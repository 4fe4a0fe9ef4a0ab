"""Tables of phone extractions: what a seized phone's extraction said, batch by batch.

One ``extractions`` row per ingested file; its identifiers (the device's own, its
accounts, its contacts' numbers), its call and message metadata (parties and times,
never content), and the identity links it evidences (``extraction_links``: the handset
with its SIMs and accounts, a SIM with its number), which the identity graph merges
once (``build_id`` marks the graph build that took them).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cellwatch.store.base import Base, utcnow


class Extraction(Base):
    """One phone extraction as ingested: its batch, file, tool and extraction time."""

    __tablename__ = "extractions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(1000))
    tool: Mapped[str] = mapped_column(String(10))  # UFDR or FLAT
    # When the phone was extracted, if the report says; else when it was ingested.
    extracted_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExtractionIdentifier(Base):
    """An identifier an extraction holds: the device's own, an account, a contact."""

    __tablename__ = "extraction_identifiers"
    __table_args__ = (UniqueConstraint("extraction_id", "role", "identifier_type",
                                       "identifier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extractions.id"), index=True)
    source_line: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(10))  # DEVICE, ACCOUNT or CONTACT
    identifier_type: Mapped[str] = mapped_column(String(10))
    identifier: Mapped[str] = mapped_column(String(500), index=True)
    name: Mapped[str | None] = mapped_column(String(200))  # a contact's name on the phone


class ExtractionEvent(Base):
    """A call or message on the phone, one row per party: when, which way, with whom."""

    __tablename__ = "extraction_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extractions.id"), index=True)
    source_line: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # CALL or MESSAGE
    ts: Mapped[datetime | None]
    direction: Mapped[str | None] = mapped_column(String(20))
    party: Mapped[str | None] = mapped_column(String(64), index=True)
    application: Mapped[str | None] = mapped_column(String(64))


class ExtractionLink(Base):
    """Two identifiers one extraction ties together, in the graph's type order."""

    __tablename__ = "extraction_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extractions.id"), index=True)
    a_type: Mapped[str] = mapped_column(String(10))
    a: Mapped[str] = mapped_column(String(64))
    b_type: Mapped[str] = mapped_column(String(10))
    b: Mapped[str] = mapped_column(String(64))
    ts: Mapped[datetime]
    # The identity graph build that merged this link (None until one has).
    build_id: Mapped[int | None] = mapped_column(Integer, index=True)
