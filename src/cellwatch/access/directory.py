"""Organisations and users (creating, listing, disabling them, changing passwords) and the
audit log (read and verified), through the policy."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from cellwatch.access import audit as audit_log
from cellwatch.access.models import AuditEntry, Organisation, User
from cellwatch.access.passwords import hash_password
from cellwatch.access.policy import Target
from cellwatch.access.roles import ORG_KIND_ROLES, Action, OrgKind, Resource, Role
from cellwatch.access.scopes import own_or_national
from cellwatch.access.service import Access, Page
from cellwatch.errors import Conflict, InvalidData, NotFound
from cellwatch.identifiers.operators import uk_networks
from cellwatch.store.reference import Establishment


def _network(kind: OrgKind, network: str | None) -> str | None:
    """An operator's network as order lines spell it (case aside), or refused."""
    if not network:
        return None
    if kind is not OrgKind.OPERATOR:
        raise InvalidData("organisation refused",
                          {"network": ["only a mobile network operator has a network"]})
    # Order lines name the home network from the UK table; another spelling matches none.
    names = {n.operator.casefold(): n.operator for n in uk_networks().values()}
    found = names.get(network.strip().casefold())
    if found is None:
        raise InvalidData("organisation refused", {"network": [
            f"unknown network {network!r}; one of {', '.join(sorted(set(names.values())))}"]})
    return found


def _validate_org(kind: OrgKind, establishment: str | None, region: str | None) -> None:
    problems: dict[str, list[str]] = {}
    if kind is OrgKind.ESTABLISHMENT and not establishment:
        problems["establishment"] = ["an establishment organisation names its establishment"]
    if kind is OrgKind.REGIONAL and not region:
        problems["region"] = ["a regional organisation names its region"]
    if kind not in (OrgKind.ESTABLISHMENT,) and establishment:
        problems.setdefault("establishment", []).append("only establishment teams have one")
    if problems:
        raise InvalidData("organisation refused", problems)


def create_org(access: Access, code: str, name: str, kind: str,
               establishment: str | None = None, region: str | None = None,
               network: str | None = None) -> Organisation:
    """Add an organisation; establishment teams name their prison, regional units a region,
    an operator its network (whose order lines it answers)."""
    try:
        org_kind = OrgKind(kind.upper())
    except ValueError as exc:
        raise InvalidData("organisation refused", {"kind": [f"unknown kind {kind!r}"]}) from exc
    _validate_org(org_kind, establishment, region)
    network = _network(org_kind, network)
    target = Target(Resource.ORGANISATION, code)
    with access.transaction() as s:
        access.check(Action.CREATE, target)
        if s.get(Organisation, code) is not None:
            raise Conflict(f"organisation {code} exists")
        if establishment and s.get(Establishment, establishment) is None:
            raise NotFound(f"establishment {establishment} not known")
        org = Organisation(code=code, name=name, kind=org_kind.value,
                           establishment=establishment, region=region, network=network,
                           active=True)
        s.add(org)
        access.audit(s, "create", target, detail={"kind": org_kind.value, "network": network})
        return org


def list_orgs(access: Access, page: Page = Page(), kind: str | None = None) -> list[Organisation]:
    """Every organisation (who one can share with is not secret inside the partnership)."""
    with access.transaction() as s:
        access.check(Action.READ, Target(Resource.ORGANISATION))
        query = select(Organisation).order_by(Organisation.code)
        if kind:
            query = query.where(Organisation.kind == kind.upper())
        return list(s.scalars(query.limit(page.limit).offset(page.offset)))


def _roles(kind: OrgKind, roles: Sequence[str]) -> list[str]:
    try:
        wanted = [Role(r.lower()) for r in roles]
    except ValueError as exc:
        raise InvalidData("user refused", {"roles": [str(exc)]}) from exc
    refused = [r.value for r in wanted if r not in ORG_KIND_ROLES[kind]]
    if not wanted or refused:
        raise InvalidData("user refused", {
            "roles": [f"a {kind.value} organisation cannot hold {refused or 'no roles'}"]})
    return sorted({r.value for r in wanted})


def create_user(access: Access, username: str, org_code: str, roles: Sequence[str],
                password: str) -> User:
    """Add a user to an organisation with roles allowed for that kind of organisation."""
    if not username or len(username) > 100 or username == "system" or not username.isprintable():
        raise InvalidData("user refused", {"username": ["1-100 printable characters, not system"]})
    password_hash = hash_password(password)
    target = Target(Resource.USER, username, owner_org=org_code)
    with access.transaction() as s:
        access.check(Action.CREATE, target)
        org = s.get(Organisation, org_code)
        if org is None:
            raise NotFound(f"organisation {org_code} not known")
        clean_roles = _roles(OrgKind(org.kind), roles)
        if s.scalars(select(User).where(User.username == username)).first() is not None:
            raise Conflict(f"user {username} exists")
        user = User(username=username, org_code=org_code, roles=clean_roles,
                    password_hash=password_hash, active=True, token_version=0)
        s.add(user)
        access.audit(s, "create", target, detail={"org": org_code, "roles": clean_roles})
        return user


def _user(access: Access, username: str) -> tuple[User, Target]:
    with access.store.session() as s:
        user = s.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        raise NotFound(f"user {username} not known")
    return user, Target(Resource.USER, username, owner_org=user.org_code)


def list_users(access: Access, page: Page = Page(), org: str | None = None) -> list[User]:
    """Users of the principal's organisation (all of them for a national administrator)."""
    with access.transaction() as s:
        access.check(Action.READ, Target(Resource.USER, owner_org=access.principal.org_code))
        query = select(User).where(own_or_national(access.principal,
                                                   User.org_code == access.principal.org_code))
        if org:
            query = query.where(User.org_code == org)
        return list(s.scalars(query.order_by(User.username).limit(page.limit)
                              .offset(page.offset)))


def set_active(access: Access, username: str, active: bool) -> User:
    """Enable or disable a user; disabling revokes every token they hold."""
    _, target = _user(access, username)
    with access.transaction() as s:
        access.check(Action.UPDATE, target)
        user = s.scalars(select(User).where(User.username == username)).one()
        user.active = active
        user.token_version += 1
        access.audit(s, "update", target, detail={"active": active})
        return user


def set_password(access: Access, username: str, password: str) -> User:
    """Change a password; tokens issued before stop working."""
    password_hash = hash_password(password)
    _, target = _user(access, username)
    with access.transaction() as s:
        if access.principal.username != username:
            access.check(Action.UPDATE, target)
        user = s.scalars(select(User).where(User.username == username)).one()
        user.password_hash = password_hash
        user.token_version += 1
        access.audit(s, "password", target)
        return user


def list_audit(access: Access, page: Page = Page(), outcome: str | None = None,
               principal: str | None = None, action: str | None = None) -> list[AuditEntry]:
    """Audit entries of the principal's organisation (all for the national level)."""
    target = Target(Resource.AUDIT, owner_org=access.principal.org_code)
    with access.transaction() as s:
        access.check(Action.READ, target)
        query = select(AuditEntry).where(own_or_national(
            access.principal, AuditEntry.org == access.principal.org_code))
        if outcome:
            query = query.where(AuditEntry.outcome == outcome.lower())
        if principal:
            query = query.where(AuditEntry.principal == principal)
        if action:
            query = query.where(AuditEntry.action == action)
        rows = list(s.scalars(query.order_by(AuditEntry.id.desc())
                              .limit(page.limit).offset(page.offset)))
        # Reading the audit log is itself audited (after the read: it is not in the page).
        access.audit(s, "list", target, detail={"returned": len(rows)})
        return rows


def verify_audit(access: Access) -> audit_log.VerificationResult:
    """Check the whole chain (national administrators and the system principal)."""
    target = Target(Resource.AUDIT, "chain")
    with access.transaction() as s:
        access.check(Action.VERIFY, target)
        result = audit_log.verify_session(s)
        access.audit(s, "verify", target, detail=result.as_dict())
        return result
