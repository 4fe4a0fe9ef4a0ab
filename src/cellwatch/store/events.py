"""Low-volume events kept in the relational store (high-volume ones live in the lake)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cellwatch.store.base import Base, Provenance


class SeizureItem(Provenance, Base):
    """One item found in a search; ``seizure_ref`` groups the items of one find.

    Identifiers are stored normalised (15-digit IMEI, E.164 number); the raw text
    as read from the item stays in ``extra`` when it differed.
    """

    __tablename__ = "seizure_items"
    __table_args__ = (UniqueConstraint("seizure_ref", "item_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seizure_ref: Mapped[str] = mapped_column(String(64), index=True)
    item_no: Mapped[int] = mapped_column(Integer)
    ts: Mapped[datetime]
    establishment: Mapped[str] = mapped_column(ForeignKey("establishments.code"), index=True)
    location_code: Mapped[str | None] = mapped_column(ForeignKey("locations.code"), index=True)
    search_type: Mapped[str | None] = mapped_column(String(20))
    item_type: Mapped[str] = mapped_column(String(20))
    imei: Mapped[str | None] = mapped_column(String(16), index=True)
    iccid: Mapped[str | None] = mapped_column(String(22), index=True)
    imsi: Mapped[str | None] = mapped_column(String(15), index=True)
    msisdn: Mapped[str | None] = mapped_column(String(20), index=True)
    make: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    prison_number: Mapped[str | None] = mapped_column(
        ForeignKey("prisoners.prison_number"), index=True
    )
