"""Organisation kinds, roles and actions, and which role may do what: the policy as data.

The tables here are the whole of the role side of the policy; the scope side (which
establishments, which shared cases) lives in :mod:`cellwatch.access.policy`.
"""

from __future__ import annotations

from enum import StrEnum


class OrgKind(StrEnum):
    """The kinds of organisation that take part in joint working."""

    NATIONAL = "NATIONAL"  # prison security directorate, national intelligence unit
    REGIONAL = "REGIONAL"  # serious and organised crime unit, prison group
    ESTABLISHMENT = "ESTABLISHMENT"  # local security and intelligence team
    POLICE = "POLICE"
    PAROLE_BOARD = "PAROLE_BOARD"
    OPERATOR = "OPERATOR"  # mobile network operator


# The prison service's own kinds: they see establishments by geography, the rest by sharing.
PRISON_SERVICE = frozenset({OrgKind.NATIONAL, OrgKind.REGIONAL, OrgKind.ESTABLISHMENT})


class Role(StrEnum):
    """What a user does; a user may hold several."""

    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    INVESTIGATOR = "investigator"
    PAROLE_CASE_MANAGER = "parole_case_manager"
    OPERATOR_LIAISON = "operator_liaison"
    ADMINISTRATOR = "administrator"
    VICTIM_LIAISON = "victim_liaison"  # reads protected persons' contact details


class Resource(StrEnum):
    """The kinds of thing the policy decides about."""

    ORGANISATION = "organisation"
    USER = "user"
    ESTABLISHMENT = "establishment"
    PRISONER = "prisoner"
    INTELLIGENCE = "intelligence"
    CASE = "case"
    REFERRAL = "referral"
    INGEST_BATCH = "ingest_batch"
    QUARANTINE = "quarantine"
    AUDIT = "audit"
    IDENTIFIER = "identifier"
    PROTECTED_PERSON = "protected_person"  # a victim's numbers, accounts and conditions
    TRO_ORDER = "tro_order"  # a disconnection application or order (cellwatch.tro.service.orders)
    # An order line as the operator it is served on sees and answers it
    # (cellwatch.tro.service.operator).
    TRO_LINE = "tro_line"
    TAKEDOWN = "takedown_request"  # a request to a platform (cellwatch.takedown.service)
    # An alert: decided by cellwatch.alerts.service (no role table entry), named here so
    # its export is audited under the resource name the service's own entries use.
    ALERT = "alert"
    # An identifier's attribution to a prisoner, or a link: judged by analysts
    # (cellwatch.attribution.service.attributions); read as part of the prisoner's or
    # device's record.
    ATTRIBUTION = "attribution"


class Action(StrEnum):
    """What is done to a resource."""

    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    SHARE = "share"
    ACKNOWLEDGE = "acknowledge"
    EXPORT = "export"
    VERIFY = "verify"
    APPROVE = "approve"  # a supervisor's sign-off (a TRO moved to APPROVED or FILED)


R, A = Resource, Action

_READ_ESTATE = {(R.ESTABLISHMENT, A.READ), (R.ORGANISATION, A.READ), (R.IDENTIFIER, A.READ)}
_ANALYST = _READ_ESTATE | {
    (R.PRISONER, A.READ), (R.INTELLIGENCE, A.READ), (R.INTELLIGENCE, A.CREATE),
    (R.CASE, A.READ), (R.CASE, A.CREATE), (R.CASE, A.UPDATE),
    (R.REFERRAL, A.READ), (R.REFERRAL, A.CREATE), (R.REFERRAL, A.ACKNOWLEDGE),
    (R.INGEST_BATCH, A.READ), (R.QUARANTINE, A.READ),
    (R.TRO_ORDER, A.READ), (R.TRO_ORDER, A.CREATE), (R.TRO_ORDER, A.UPDATE),
    (R.TAKEDOWN, A.READ), (R.TAKEDOWN, A.CREATE), (R.TAKEDOWN, A.UPDATE),
    (R.ATTRIBUTION, A.UPDATE),  # confirm, reject or mark unsure (a judgement)
}

# Role -> the (resource, action) pairs it grants. Scope is checked separately.
ROLE_PERMISSIONS: dict[Role, frozenset[tuple[Resource, Action]]] = {
    Role.ANALYST: frozenset(_ANALYST),
    Role.SUPERVISOR: frozenset(_ANALYST | {
        (R.CASE, A.SHARE), (R.INTELLIGENCE, A.EXPORT), (R.QUARANTINE, A.UPDATE),
        (R.INGEST_BATCH, A.CREATE), (R.AUDIT, A.READ), (R.TRO_ORDER, A.APPROVE),
    }),
    Role.INVESTIGATOR: frozenset(_READ_ESTATE | {
        (R.PRISONER, A.READ), (R.INTELLIGENCE, A.READ), (R.INTELLIGENCE, A.CREATE),
        (R.CASE, A.READ), (R.CASE, A.CREATE), (R.CASE, A.UPDATE), (R.CASE, A.SHARE),
        # A force acknowledges the referrals it receives and records what came of them.
        (R.REFERRAL, A.READ), (R.REFERRAL, A.CREATE), (R.REFERRAL, A.ACKNOWLEDGE),
    }),
    Role.PAROLE_CASE_MANAGER: frozenset(_READ_ESTATE | {
        (R.PRISONER, A.READ), (R.INTELLIGENCE, A.READ), (R.CASE, A.READ),
        (R.REFERRAL, A.READ), (R.REFERRAL, A.ACKNOWLEDGE),
    }),
    Role.OPERATOR_LIAISON: frozenset(_READ_ESTATE | {
        (R.CASE, A.READ), (R.TRO_LINE, A.READ), (R.TRO_LINE, A.UPDATE),
    }),
    Role.ADMINISTRATOR: frozenset(_READ_ESTATE | {
        (R.ORGANISATION, A.CREATE), (R.ORGANISATION, A.UPDATE),
        (R.USER, A.READ), (R.USER, A.CREATE), (R.USER, A.UPDATE),
        (R.AUDIT, A.READ), (R.AUDIT, A.VERIFY),
        (R.INGEST_BATCH, A.READ), (R.INGEST_BATCH, A.CREATE),
        (R.QUARANTINE, A.READ), (R.QUARANTINE, A.UPDATE),
    }),
    # Victim liaison records its own persons (conditions, identifiers, reports of contact).
    Role.VICTIM_LIAISON: frozenset(_READ_ESTATE | {
        (R.PROTECTED_PERSON, A.READ), (R.PROTECTED_PERSON, A.CREATE),
        (R.PROTECTED_PERSON, A.UPDATE)}),
}

# Which roles a user of each kind of organisation may hold: a police officer is never a
# parole case manager, an operator's liaison never reads prisoner records.
ORG_KIND_ROLES: dict[OrgKind, frozenset[Role]] = {
    OrgKind.NATIONAL: frozenset({Role.ANALYST, Role.SUPERVISOR, Role.ADMINISTRATOR,
                                 Role.OPERATOR_LIAISON,
                                 Role.VICTIM_LIAISON}),  # the victim contact scheme
    OrgKind.REGIONAL: frozenset({Role.ANALYST, Role.SUPERVISOR, Role.INVESTIGATOR,
                                 Role.ADMINISTRATOR}),
    OrgKind.ESTABLISHMENT: frozenset({Role.ANALYST, Role.SUPERVISOR, Role.ADMINISTRATOR,
                                      Role.OPERATOR_LIAISON}),
    OrgKind.POLICE: frozenset({Role.INVESTIGATOR, Role.ANALYST, Role.SUPERVISOR,
                               Role.ADMINISTRATOR,
                               Role.VICTIM_LIAISON}),  # witness care, victim liaison
    OrgKind.PAROLE_BOARD: frozenset({Role.PAROLE_CASE_MANAGER, Role.ADMINISTRATOR}),
    OrgKind.OPERATOR: frozenset({Role.OPERATOR_LIAISON, Role.ADMINISTRATOR}),
}


# Which kinds of file each role may upload (the ingest-batch permission is needed too).
# Reference data describes the whole estate, so only a national organisation loads it
# (NATIONAL_INGEST_KINDS); a local team loads what it finds: seizures, detections,
# intelligence. Kinds not named here are loaded only by the local ``system`` CLI.
REFERENCE_KINDS = frozenset({"establishments", "locations", "prisoners", "occupancy",
                             "sensors", "allow_list", "pin_contacts"})
EVENT_KINDS = frozenset({"seizures", "detections", "call_records", "operator_responses",
                         "extractions"})
INTELLIGENCE_KINDS = frozenset({"intelligence_reports", "contact_reports",
                                "social_observations", "protected_persons",
                                "protected_identifiers"})
INGEST_KINDS: dict[Role, frozenset[str]] = {
    Role.SUPERVISOR: EVENT_KINDS | INTELLIGENCE_KINDS,
    Role.ADMINISTRATOR: REFERENCE_KINDS | EVENT_KINDS,
}
# Call records (and phone extractions) name no establishment and feed the attribution of
# the whole estate, so
# only a unit whose geography is the whole estate loads them (a force's or an operator's
# administrator, or a prison's, would otherwise write into every prison's picture).
NATIONAL_INGEST_KINDS = REFERENCE_KINDS | {"call_records", "extractions"}


def may_ingest(roles: frozenset[Role], org_kind: OrgKind | None, kind: str) -> bool:
    """Whether a principal with ``roles`` in an organisation of ``org_kind`` may load ``kind``.

    >>> may_ingest(frozenset({Role.SUPERVISOR}), OrgKind.ESTABLISHMENT, "seizures")
    True
    >>> may_ingest(frozenset({Role.ADMINISTRATOR}), OrgKind.ESTABLISHMENT, "prisoners")
    False
    """
    if kind in NATIONAL_INGEST_KINDS and org_kind is not OrgKind.NATIONAL:
        return False
    return any(kind in INGEST_KINDS.get(role, frozenset()) for role in roles)


def permitted(roles: frozenset[Role], resource: Resource, action: Action) -> bool:
    """Whether any of ``roles`` grants ``action`` on ``resource`` (scope aside)."""
    return any((resource, action) in ROLE_PERMISSIONS[role] for role in roles)
