"""Tables of victim protection: protected persons and their identifiers, reports of
contact and how each was resolved, social-media observations, and the crime-in-prison
fields a police referral carries.

Protected persons' identifiers are the most sensitive data cellwatch holds: they are
read only through :mod:`cellwatch.protect.service.persons` and ``.liaison``, which let the
owning organisation (its victim liaison, its prison team) see them and nobody else
(:func:`cellwatch.access.policy.may_read_protected`), and no export or summary selects them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cellwatch.store.base import Base, Provenance, utcnow


class ProtectedPerson(Provenance, Base):
    """Someone with a no-contact condition against a prisoner (``person_ref`` is opaque)."""

    __tablename__ = "protected_persons"

    person_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The prison number as named, no key to ``prisoners`` (0028_protected_named): a
    # condition may be recorded before he is received, and refusing an unknown number would
    # tell the victim-liaison officer who is in prison. Joined by value when read.
    prison_number: Mapped[str] = mapped_column(String(7), index=True)
    condition: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    # The team that owns the record (victim liaison unit or the establishment's team).
    owner_org: Mapped[str | None] = mapped_column(ForeignKey("organisations.code"), index=True)


class ProtectedIdentifier(Provenance, Base):
    """A protected person's number or account, normalised (E.164, ``platform:id``)."""

    __tablename__ = "protected_identifiers"
    __table_args__ = (UniqueConstraint("person_ref", "identifier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_ref: Mapped[str] = mapped_column(
        ForeignKey("protected_persons.person_ref"), index=True
    )
    identifier_type: Mapped[str] = mapped_column(String(10))
    identifier: Mapped[str] = mapped_column(String(200), index=True)


class ContactReport(Provenance, Base):
    """A protected person, victim or witness reporting contact, with the sender as given.

    ``resolution`` is OPEN until the sender resolves to at least one prisoner, then
    RESOLVED; open reports are tried again whenever the rules run (new links, new runs).
    """

    __tablename__ = "contact_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_ref: Mapped[str] = mapped_column(String(64), unique=True)
    received_ts: Mapped[datetime]
    occurred_ts: Mapped[datetime | None]
    reporting_org: Mapped[str | None] = mapped_column(String(200))
    crime_reference: Mapped[str | None] = mapped_column(String(64), index=True)
    person_ref: Mapped[str | None] = mapped_column(
        ForeignKey("protected_persons.person_ref"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    sender_type: Mapped[str] = mapped_column(String(10))
    sender: Mapped[str] = mapped_column(String(200), index=True)
    content: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str] = mapped_column(String(10), default="OPEN", index=True)
    resolved_at: Mapped[datetime | None]


class ContactResolution(Base):
    """A prisoner a report's sender resolves to, the probability, and the path taken."""

    __tablename__ = "contact_resolutions"
    __table_args__ = (UniqueConstraint("report_id", "prison_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("contact_reports.id"), index=True)
    prison_number: Mapped[str] = mapped_column(String(7), index=True)
    probability: Mapped[float] = mapped_column(Float)
    # The chain from sender to prisoner, readable: "sender -> IMSI x -> IMEI y -> A1234BC".
    path: Mapped[str] = mapped_column(Text)
    device: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime] = mapped_column(default=utcnow)


class SocialObservation(Provenance, Base):
    """A post or profile seen on social media, stored for linking accounts to prisoners."""

    __tablename__ = "social_observations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    observation_ref: Mapped[str] = mapped_column(String(64), unique=True)
    observed_ts: Mapped[datetime]
    platform: Mapped[str] = mapped_column(String(32))
    account: Mapped[str] = mapped_column(String(200), index=True)
    post_url: Mapped[str | None] = mapped_column(String(1000))
    posted_ts: Mapped[datetime | None]
    content: Mapped[str | None] = mapped_column(Text)
    observed_by: Mapped[str | None] = mapped_column(String(200))
    establishment: Mapped[str | None] = mapped_column(String(8))
    prison_number: Mapped[str | None] = mapped_column(String(7), index=True)


class CrimeReferral(Base):
    """The Crime in Prison Referral Agreement's fields on a police referral.

    Extends access's ``referrals`` row one-to-one rather than being a second referral:
    the referral carries parties, status and acknowledgement; this carries the crime.
    """

    __tablename__ = "crime_referrals"

    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), primary_key=True)
    offence: Mapped[str] = mapped_column(String(300))
    police_status: Mapped[str] = mapped_column(String(32))
    officer: Mapped[str | None] = mapped_column(String(200))
    establishment: Mapped[str | None] = mapped_column(String(8), index=True)
    # What the force named, known prisoner or not (the referral's own key is set only
    # when he is known): its answer is the same either way.
    named_prison_number: Mapped[str | None] = mapped_column(String(16))
    due_by: Mapped[date] = mapped_column(Date)
    escalated_at: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)


class ReferralOutcome(Base):
    """What the receiver of a referral (a force, say) did with it: one row per outcome
    recorded, the newest being the referral's current outcome (the earlier ones kept)."""

    __tablename__ = "referral_outcomes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(32))
    outcome_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class UpdateRequest(Base):
    """A receiver of a referral (the Parole Board) asking its sender (the prison team) for
    an update on the prisoner; OPEN until the sender marks it DONE, with its answer."""

    __tablename__ = "update_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    prison_number: Mapped[str] = mapped_column(ForeignKey("prisoners.prison_number"),
                                               index=True)
    from_org: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    to_org: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="OPEN", index=True)
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_by: Mapped[str | None] = mapped_column(String(100))
    done_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(Text)


__all__ = [
    "ContactReport",
    "ContactResolution",
    "CrimeReferral",
    "ProtectedIdentifier",
    "ProtectedPerson",
    "ReferralOutcome",
    "SocialObservation",
    "UpdateRequest",
]
