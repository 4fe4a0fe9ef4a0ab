"""The policy: ``can(principal, action, target) -> Decision``, one pure function set.

Roles say *what* a principal may do (:data:`~cellwatch.access.roles.ROLE_PERMISSIONS`);
scope says *to which records*: geography for the prison service, explicit sharing
for everyone, and handling codes over both. The service layer gathers the facts about a
record into a :class:`Target` and asks; the same rules are written as SQL filters in
:mod:`cellwatch.access.scopes` for lists, and as row-level security on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cellwatch.access.principal import Principal
from cellwatch.access.roles import Action, OrgKind, Resource, permitted

# Case share levels, weakest first: READ sees, CONTRIBUTE edits, MANAGE also re-shares.
SHARE_LEVELS = ("READ", "CONTRIBUTE", "MANAGE")


@dataclass(frozen=True)
class Target:
    """The facts about one record the policy needs (gathered by the service layer)."""

    type: Resource
    id: str | None = None
    establishment: str | None = None
    owner_org: str | None = None
    owner_user: str | None = None
    recipient_org: str | None = None
    share_level: str | None = None  # the principal's org's level on a shared case
    handling_code: str | None = None
    release_to: frozenset[str] = field(default_factory=frozenset)
    via_sharing: bool = False  # the principal's org reaches it through a case or referral


@dataclass(frozen=True)
class Decision:
    """Allowed or not, and why (the reason goes in the audit log)."""

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def _yes(reason: str) -> Decision:
    return Decision(True, reason)


def _no(reason: str) -> Decision:
    return Decision(False, reason)


def can(principal: Principal, action: Action, target: Target) -> Decision:
    """Decide whether ``principal`` may do ``action`` to ``target``.

    >>> from cellwatch.access.principal import SYSTEM
    >>> bool(can(SYSTEM, Action.READ, Target(Resource.PRISONER, "A1234BC")))
    True
    """
    if principal.is_system:
        return _yes("system principal")
    if not permitted(principal.roles, target.type, action):
        return _no(f"no role of {principal.username} grants {action} on {target.type}")
    rule = _SCOPE_RULES.get(target.type, _role_only)
    return rule(principal, action, target)


def _role_only(principal: Principal, action: Action, target: Target) -> Decision:
    return _yes("granted by role")


def _same_org(principal: Principal, org: str | None) -> bool:
    return principal.org_code is not None and principal.org_code == org


def _national(principal: Principal) -> bool:
    return principal.org_kind is OrgKind.NATIONAL


def _geography(principal: Principal, action: Action, target: Target) -> Decision:
    if principal.covers(target.establishment):
        return _yes("within the principal's establishments")
    return _no(f"{target.establishment or 'no establishment'} is outside the principal's scope")


def _prisoner(principal: Principal, action: Action, target: Target) -> Decision:
    if target.via_sharing and not principal.covers(target.establishment):
        return _yes("shared through a case or referral")
    return _geography(principal, action, target)


def _intelligence(principal: Principal, action: Action, target: Target) -> Decision:
    if _same_org(principal, target.owner_org):
        return _yes("the principal's organisation owns the item")
    if target.handling_code == "C":
        # A C code is shown only to the organisations its conditions name: no geography,
        # no seniority and no sharing widens it.
        if principal.org_code in target.release_to:
            return _yes("named in the handling conditions")
        return _no("handling code C does not name the principal's organisation")
    if action is Action.CREATE:
        if target.establishment is None or principal.covers(target.establishment) \
                or principal.establishments == frozenset():
            return _yes("creating for the principal's own organisation")
        return _no(f"{target.establishment} is outside the principal's scope")
    return _prisoner(principal, action, target)


def _case(principal: Principal, action: Action, target: Target) -> Decision:
    if action is Action.CREATE or _same_org(principal, target.owner_org):
        return _yes("the principal's organisation owns the case")
    level = target.share_level
    if level is None:
        return _no("the case is not shared with the principal's organisation")
    needed = {Action.READ: "READ", Action.UPDATE: "CONTRIBUTE", Action.SHARE: "MANAGE"}
    want = needed.get(action, "MANAGE")
    if SHARE_LEVELS.index(level) >= SHARE_LEVELS.index(want):
        return _yes(f"shared at level {level}")
    return _no(f"shared at level {level}, {want} needed")


def _referral(principal: Principal, action: Action, target: Target) -> Decision:
    if action is Action.ACKNOWLEDGE:
        if _same_org(principal, target.recipient_org):
            return _yes("addressed to the principal's organisation")
        return _no("only the receiving organisation acknowledges a referral")
    if _same_org(principal, target.owner_org) or _same_org(principal, target.recipient_org):
        return _yes("a party to the referral")
    return _no("not a party to the referral")


def _own_or_national(principal: Principal, action: Action, target: Target) -> Decision:
    if _national(principal):
        return _yes("national organisation")
    if target.owner_user is not None and target.owner_user == principal.username:
        return _yes("the principal's own")
    if target.owner_org is not None and _same_org(principal, target.owner_org):
        return _yes("the principal's own organisation")
    return _no("belongs to another organisation")


def _audit(principal: Principal, action: Action, target: Target) -> Decision:
    if action is Action.VERIFY and not _national(principal):
        return _no("only a national administrator verifies the whole chain")
    return _own_or_national(principal, action, target)


def _organisation(principal: Principal, action: Action, target: Target) -> Decision:
    if action is Action.READ or _national(principal):
        return _yes("granted by role")
    return _no("only a national administrator manages organisations")


def _tro_line(principal: Principal, action: Action, target: Target) -> Decision:
    # A served line is released to the operator organisations of its network (the service
    # names them); a prison's own liaison officer holds the role but answers for no network.
    if principal.org_kind is not OrgKind.OPERATOR:
        return _no("only the mobile network operator an order is served on answers its lines")
    if principal.org_code in target.release_to:
        return _yes("served on the principal's network")
    return _no("not served on the principal's network")


# The roles that read a protected person's details: victim liaison, and the owning
# organisation's case-working team (whoever reads prisoner records there; an administrator
# who only manages accounts is not the team).
PROTECTED_PERSON_READERS = ((Resource.PROTECTED_PERSON, Action.READ),
                            (Resource.PRISONER, Action.READ))


def reads_protected_persons(principal: Principal) -> bool:
    """Whether a role of ``principal`` reads protected persons (before any scope)."""
    return principal.is_system or any(permitted(principal.roles, r, a)
                                      for r, a in PROTECTED_PERSON_READERS)


def protected_person_scope(principal: Principal, owner_org: str | None) -> Decision:
    """The one scope of a protected person: the organisation that owns it
    (``protected_persons.owner_org``). Nothing shares one (no share mechanism exists for
    protected persons) and no national reach widens it: each unit sees whom it protects."""
    if principal.is_system:
        return _yes("system principal")
    if _same_org(principal, owner_org):
        return _yes("the principal's organisation owns the person")
    return _no("another organisation's protected person, or none")


def may_read_protected(principal: Principal, owner_org: str | None) -> Decision:
    """Whether ``principal`` reads the details of a person owned by ``owner_org``."""
    if not reads_protected_persons(principal):
        return _no("no role of the principal reads protected persons")
    return protected_person_scope(principal, owner_org)


def _protected_person(principal: Principal, action: Action, target: Target) -> Decision:
    if action is Action.CREATE:
        return _yes("recorded for the principal's own organisation")
    return protected_person_scope(principal, target.owner_org)


_SCOPE_RULES = {
    Resource.PROTECTED_PERSON: _protected_person,
    Resource.PRISONER: _prisoner,
    Resource.INTELLIGENCE: _intelligence,
    Resource.CASE: _case,
    Resource.REFERRAL: _referral,
    Resource.INGEST_BATCH: _own_or_national,
    Resource.QUARANTINE: _own_or_national,
    Resource.USER: _own_or_national,
    Resource.AUDIT: _audit,
    Resource.ORGANISATION: _organisation,
    # A takedown request is where its prisoner was when it was drafted; nothing shares it.
    Resource.TAKEDOWN: _geography,
    # A judgement changes what every later run proposes for the prisoner: the work of the
    # teams whose geography holds them (where the prisoner, or a link's end, is known),
    # not of an organisation a case was merely shared with.
    Resource.ATTRIBUTION: _geography,
    Resource.TRO_LINE: _tro_line,
}


def needs_reason(principal: Principal, target: Target) -> bool:
    """Whether opening this record takes a stated reason: it lies outside the principal's org.

    A record is inside when the principal's own establishment holds it or its
    organisation owns it; everything else (a region's, the nation's, a shared one) is outside.
    """
    if principal.is_system:
        return False
    if _same_org(principal, target.owner_org):
        return False
    if principal.org_kind is OrgKind.ESTABLISHMENT and target.establishment is not None:
        return principal.establishments != frozenset({target.establishment})
    return True
