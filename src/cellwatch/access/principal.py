"""Who is acting: a user resolved once per request (or CLI run), or the local ``system``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from cellwatch.access.models import Organisation, User
from cellwatch.access.roles import PRISON_SERVICE, OrgKind, Role
from cellwatch.errors import AuthenticationFailed
from cellwatch.store.reference import Establishment

SYSTEM_NAME = "system"


@dataclass(frozen=True)
class Principal:
    """The acting principal, with everything the policy needs already resolved.

    ``establishments`` is ``None`` when the principal covers the whole estate.
    """

    username: str
    user_id: int | None
    org_code: str | None
    org_kind: OrgKind | None
    roles: frozenset[Role]
    establishments: frozenset[str] | None
    token_version: int = 0

    @property
    def is_system(self) -> bool:
        """The local administrator of a CLI run: no organisation, every permission."""
        return self.user_id is None and self.username == SYSTEM_NAME

    def covers(self, establishment: str | None) -> bool:
        """Whether an establishment lies within this principal's geographic scope."""
        if establishment is None:
            # Released prisoners and unplaced items: only the whole-estate view has them.
            return self.establishments is None
        return self.establishments is None or establishment in self.establishments


SYSTEM = Principal(SYSTEM_NAME, None, None, None, frozenset(Role), None)


def covered_establishments(org: Organisation, regional: Iterable[str | None]
                           ) -> frozenset[str] | None:
    """The establishments an organisation sees by geography (``None``: all of them).

    ``regional`` are the codes of the establishments in the organisation's region (read
    with it by :func:`principal_for`); only a regional organisation's scope uses them.
    """
    kind = OrgKind(org.kind)
    if kind is OrgKind.NATIONAL:
        return None
    if kind is OrgKind.REGIONAL and org.region:
        return frozenset(code for code in regional if code is not None)
    if kind is OrgKind.ESTABLISHMENT and org.establishment:
        return frozenset({org.establishment})
    # Police, Parole Board and operators see nothing by geography, only what is shared.
    return frozenset()


def principal_for(session: Session, username: str) -> Principal:
    """Resolve a user (active, in an active organisation) into a :class:`Principal`.

    One query, read afresh on every call (every API request): the user, the organisation
    and, for a regional one, its region's establishments (one row each). Nothing is
    cached, so a disabled user, a bumped ``token_version`` or a changed scope holds from
    the very next request.
    """
    if username == SYSTEM_NAME:
        return SYSTEM
    rows = session.execute(
        select(User, Organisation, Establishment.code)
        .join(Organisation, Organisation.code == User.org_code)
        .outerjoin(Establishment, and_(Organisation.kind == OrgKind.REGIONAL.value,
                                       Establishment.region == Organisation.region))
        .where(User.username == username)).all()
    if not rows or not rows[0][0].active:
        raise AuthenticationFailed(f"no active user {username!r}")
    user, org = rows[0][0], rows[0][1]
    if not org.active:
        raise AuthenticationFailed(f"the organisation of {username!r} is not active")
    kind = OrgKind(org.kind)
    scope = covered_establishments(org, (row[2] for row in rows)) \
        if kind in PRISON_SERVICE else frozenset()
    return Principal(
        username=user.username,
        user_id=user.id,
        org_code=org.code,
        org_kind=kind,
        roles=frozenset(Role(r) for r in user.roles),
        establishments=scope,
        token_version=user.token_version,
    )
