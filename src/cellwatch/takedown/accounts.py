"""Which social-media accounts are linked to which prisoners, and on what evidence.

Four sources, merged per (account, prisoner):

- ``OBSERVATION``: an analyst or monitoring tool saw the account and named the prisoner
  they believe is behind it (``social_observations.prison_number``);
- ``ATTRIBUTION``: the newest attribution run attributed the account itself;
- ``GRAPH``: the identity graph links the account to an identifier (a WhatsApp number,
  say) that the newest run attributes to the prisoner;
- ``JUDGEMENT``: an analyst confirmed the pair. A rejection removes the pair whatever
  the other sources say: analysts' judgements have the last word.

The store tables read here are small (observations, attributions of one run, judgements),
so they are read through SQLAlchemy on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Final

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from cellwatch.attribution.models import Attribution, AttributionRun, IdentityLink, Judgement
from cellwatch.errors import InvalidIdentifier
from cellwatch.identifiers.accounts import parse_account
from cellwatch.protect.models import SocialObservation
from cellwatch.store import Store

# An observer's belief is evidence, not proof: it weighs as a fair attribution would.
OBSERVER_BELIEF: Final = 0.6
_LIVE_LINKS: Final = ("ACTIVE", "CONFIRMED")


@dataclass(frozen=True)
class AccountLink:
    """An account (``platform:id``) linked to a prisoner, with its sources."""

    account: str
    prison_number: str
    probability: float
    first_linked: datetime
    sources: tuple[str, ...]

    @property
    def platform(self) -> str:
        """The platform part of the canonical account."""
        return self.account.split(":", 1)[0]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"account": self.account, "platform": self.platform,
                "prison_number": self.prison_number, "probability": round(self.probability, 4),
                "first_linked": self.first_linked, "sources": list(self.sources)}


def canonical_account(account: str, platform: str | None = None) -> str | None:
    """``platform:id`` for a handle or URL, or None when it cannot be read as an account."""
    try:
        return parse_account(account, platform).value
    except InvalidIdentifier:
        return None


def _day_start(day: object) -> datetime:
    assert hasattr(day, "year")
    return datetime.combine(day, time(), tzinfo=UTC)  # type: ignore[arg-type]


_Key = tuple[str, str]
_Found = dict[_Key, tuple[float, datetime, set[str]]]


def _add(found: _Found, key: _Key, probability: float, at: datetime, source: str) -> None:
    prob, first, sources = found.get(key, (0.0, at, set()))
    found[key] = (max(prob, probability), min(first, at), sources | {source})


def _observations(s: Session, found: _Found) -> None:
    rows = s.execute(
        select(SocialObservation.platform, SocialObservation.account,
               SocialObservation.prison_number, func.min(SocialObservation.observed_ts))
        .where(SocialObservation.prison_number.is_not(None))
        .group_by(SocialObservation.platform, SocialObservation.account,
                  SocialObservation.prison_number))
    for platform, account, prisoner, first in rows:
        canonical = canonical_account(account, platform)
        if canonical is not None and prisoner is not None:
            _add(found, (canonical, prisoner), OBSERVER_BELIEF, first, "OBSERVATION")


def _attributions(s: Session, found: _Found) -> None:
    run_id = s.scalar(select(func.max(AttributionRun.id)).where(AttributionRun.status == "DONE"))
    if run_id is None:
        return
    direct = s.execute(
        select(Attribution.identifier, Attribution.prison_number,
               func.max(Attribution.probability), func.min(Attribution.valid_from))
        .where(Attribution.run_id == run_id, Attribution.identifier_type == "ACCOUNT",
               Attribution.status != "REJECTED")
        .group_by(Attribution.identifier, Attribution.prison_number))
    for account, prisoner, prob, first in direct:
        _add(found, (account, prisoner), float(prob), _day_start(first), "ATTRIBUTION")
    # One hop through the identity graph: account <-> identifier attributed to a prisoner.
    links = s.execute(
        select(IdentityLink.a_type, IdentityLink.a, IdentityLink.b_type, IdentityLink.b,
               IdentityLink.first_seen)
        .where(IdentityLink.status.in_(_LIVE_LINKS),
               or_(IdentityLink.a_type == "ACCOUNT", IdentityLink.b_type == "ACCOUNT")))
    for a_type, a, _b_type, b, seen in links:
        account, other = (a, b) if a_type == "ACCOUNT" else (b, a)
        held = s.execute(
            select(Attribution.prison_number, func.max(Attribution.probability),
                   func.min(Attribution.valid_from))
            .where(Attribution.run_id == run_id, Attribution.identifier == other,
                   Attribution.status != "REJECTED")
            .group_by(Attribution.prison_number))
        for prisoner, prob, first in held:
            _add(found, (account, prisoner), float(prob), max(seen, _day_start(first)), "GRAPH")


def _judgements(s: Session, found: _Found) -> None:
    rows = s.scalars(
        select(Judgement).where(Judgement.target == "ATTRIBUTION",
                                Judgement.subject_type == "ACCOUNT",
                                Judgement.undone_at.is_(None),
                                Judgement.verdict.in_(("CONFIRMED", "REJECTED")))
        .order_by(Judgement.id))
    for j in rows:
        key = (j.subject, j.object)
        if j.verdict == "REJECTED":
            found.pop(key, None)
        else:
            _add(found, key, 1.0, j.at, "JUDGEMENT")


def account_links(store: Store, prison_number: str | None = None) -> list[AccountLink]:
    """Every account linked to a prisoner (optionally one prisoner), oldest link first."""
    found: _Found = {}
    with store.session() as s:
        _observations(s, found)
        _attributions(s, found)
        _judgements(s, found)
    links = [AccountLink(acc, pn, prob, first, tuple(sorted(src)))
             for (acc, pn), (prob, first, src) in found.items()
             if prison_number is None or pn == prison_number]
    return sorted(links, key=lambda x: (x.first_linked, x.account, x.prison_number))
