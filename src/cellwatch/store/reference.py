"""Reference data: the estate, its people and where they are."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cellwatch.store.base import Base, Provenance


class Establishment(Provenance, Base):
    """A prison or young offender institution, by its HMPPS agency code."""

    __tablename__ = "establishments"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(100), index=True)
    category: Mapped[str | None] = mapped_column(String(50))
    capacity: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    postcode: Mapped[str | None] = mapped_column(String(10))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)


class Location(Provenance, Base):
    """A place inside an establishment: wing, landing, cell, visits hall...

    Codes follow NOMIS style (``HEI-A-2-014``); depth varies between prisons, so the
    hierarchy is held by ``parent_code`` rather than parsed out of the code.
    """

    __tablename__ = "locations"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    establishment: Mapped[str] = mapped_column(ForeignKey("establishments.code"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("locations.code"), index=True)
    capacity: Mapped[int | None] = mapped_column(Integer)
    x_m: Mapped[float | None] = mapped_column(Float)
    y_m: Mapped[float | None] = mapped_column(Float)
    floor: Mapped[int | None] = mapped_column(Integer)


class Prisoner(Provenance, Base):
    """A person in custody (or released), by prison number ``A1234BC``."""

    __tablename__ = "prisoners"

    prison_number: Mapped[str] = mapped_column(String(7), primary_key=True)
    surname: Mapped[str] = mapped_column(String(100), index=True)
    forenames: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    establishment: Mapped[str | None] = mapped_column(ForeignKey("establishments.code"), index=True)
    reception_date: Mapped[date | None] = mapped_column(Date)
    release_date: Mapped[date | None] = mapped_column(Date)
    parole_eligibility_date: Mapped[date | None] = mapped_column(Date)
    next_parole_review_date: Mapped[date | None] = mapped_column(Date, index=True)


class Occupancy(Provenance, Base):
    """A prisoner's stay in a cell or other location; ``end_ts`` empty while current."""

    __tablename__ = "occupancy"
    __table_args__ = (UniqueConstraint("prison_number", "location_code", "start_ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    prison_number: Mapped[str] = mapped_column(ForeignKey("prisoners.prison_number"), index=True)
    location_code: Mapped[str] = mapped_column(ForeignKey("locations.code"), index=True)
    start_ts: Mapped[datetime]
    end_ts: Mapped[datetime | None]


class Sensor(Provenance, Base):
    """A detection device: RF detector, managed-access unit or handheld wand."""

    __tablename__ = "sensors"

    sensor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    establishment: Mapped[str] = mapped_column(ForeignKey("establishments.code"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    location_code: Mapped[str | None] = mapped_column(ForeignKey("locations.code"))
    x_m: Mapped[float | None] = mapped_column(Float)
    y_m: Mapped[float | None] = mapped_column(Float)
    range_m: Mapped[float | None] = mapped_column(Float)
    active_from: Mapped[datetime | None]
    active_to: Mapped[datetime | None]


class AllowListEntry(Provenance, Base):
    """An identifier that is never contraband (staff, official) or never analysed (privileged)."""

    __tablename__ = "allow_list"
    __table_args__ = (UniqueConstraint("identifier", "reason", "valid_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    identifier_type: Mapped[str] = mapped_column(String(10))
    identifier: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(String(500))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class PinContact(Provenance, Base):
    """A number a prisoner may call on the prison telephone system."""

    __tablename__ = "pin_contacts"
    __table_args__ = (UniqueConstraint("prison_number", "contact_number", "approved_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    prison_number: Mapped[str] = mapped_column(ForeignKey("prisoners.prison_number"), index=True)
    contact_number: Mapped[str] = mapped_column(String(20), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    relationship: Mapped[str | None] = mapped_column(String(16))
    approved_from: Mapped[date | None] = mapped_column(Date)
    approved_to: Mapped[date | None] = mapped_column(Date)
