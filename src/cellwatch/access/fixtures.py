"""A small joint-working estate, for tests and demonstrations of the access model.

Three prisons in two regions, one organisation of every kind, a user of every role, and
intelligence under both handling codes. Loaded directly (as the store's owner would at
set-up), not through the service layer: it is the world the service layer then guards.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from cellwatch.access.models import (
    IntelligenceRelease,
    IntelligenceReport,
    IntelligenceSubject,
    Organisation,
    User,
)
from cellwatch.access.passwords import hash_password
from cellwatch.store import Store
from cellwatch.store.reference import Establishment, Prisoner

PASSWORD = "correct horse battery staple"  # noqa: S105  (fixture users only)

ESTABLISHMENTS = (("HEI", "Hewell (HMP)", "West Midlands"),
                  ("BWI", "Berwyn (HMP)", "West Midlands"),
                  ("LEI", "Leeds (HMP)", "Yorkshire"))
PRISONERS: tuple[tuple[str, str, str | None], ...] = (
    ("A1111AA", "Smith", "HEI"), ("A2222BB", "Jones", "BWI"),
    ("A3333CC", "O'Brien", "LEI"), ("A4444DD", "Released", None))
ORGANISATIONS: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    ("NIU", "National Intelligence Unit", "NATIONAL", None, None),
    ("WMROCU", "West Midlands ROCU", "REGIONAL", None, "West Midlands"),
    ("HEI-SIT", "Hewell security team", "ESTABLISHMENT", "HEI", None),
    ("LEI-SIT", "Leeds security team", "ESTABLISHMENT", "LEI", None),
    ("WMP", "West Midlands Police", "POLICE", None, None),
    ("PAROLE", "Parole Board", "PAROLE_BOARD", None, None),
    ("VODA", "Vodafone UK", "OPERATOR", None, None),
)
USERS = (
    ("nat_analyst", "NIU", ["analyst"]), ("nat_admin", "NIU", ["administrator"]),
    ("wm_analyst", "WMROCU", ["analyst"]), ("hei_analyst", "HEI-SIT", ["analyst"]),
    ("hei_supervisor", "HEI-SIT", ["supervisor"]), ("lei_analyst", "LEI-SIT", ["analyst"]),
    ("lei_admin", "LEI-SIT", ["administrator"]),
    ("wmp_investigator", "WMP", ["investigator"]), ("parole_cm", "PAROLE",
                                                    ["parole_case_manager"]),
    ("voda_liaison", "VODA", ["operator_liaison"]),
)
# ref, establishment, code, conditions, owner, subjects, released to
INTELLIGENCE: tuple[tuple[str, str, str, str | None, str | None, list[str], list[str]], ...] = (
    ("IR-P-HEI", "HEI", "P", None, "HEI-SIT", ["A1111AA"], []),
    ("IR-P-LEI", "LEI", "P", None, "LEI-SIT", ["A3333CC"], []),
    ("IR-C-WMP", "HEI", "C", "Disseminate to WMP only", None, ["A1111AA"], ["WMP"]),
    ("IR-C-NIU", "BWI", "C", "NIU and PAROLE only", None, ["A2222BB"], ["NIU", "PAROLE"]),
)


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # One argon2 hash for every fixture user keeps test set-up fast.
    return hash_password(PASSWORD)


def build_estate(store: Store) -> None:
    """Load the estate into an empty, migrated store."""
    with store.session() as s:
        for code, name, est_region in ESTABLISHMENTS:
            s.add(Establishment(code=code, name=name, region=est_region, active=True))
        s.flush()
        for number, surname, est in PRISONERS:
            s.add(Prisoner(prison_number=number, surname=surname, forenames="Test",
                           establishment=est))
        for code, name, kind, org_est, region in ORGANISATIONS:
            s.add(Organisation(code=code, name=name, kind=kind, establishment=org_est,
                               region=region, active=True))
        s.flush()
        for username, org, roles in USERS:
            s.add(User(username=username, org_code=org, roles=roles,
                       password_hash=_password_hash(), active=True, token_version=0))
        for ref, est, code, cond, owner, subjects, releases in INTELLIGENCE:
            report = IntelligenceReport(
                report_ref=ref, ts=datetime(2026, 5, 1, 12, tzinfo=UTC), establishment=est,
                source_evaluation="2", intelligence_assessment="B", handling_code=code,
                handling_conditions=cond, owner_org=owner, identifiers=[], text=f"text {ref}")
            s.add(report)
            s.flush()
            s.add_all(IntelligenceSubject(report_id=report.id, prison_number=p)
                      for p in subjects)
            s.add_all(IntelligenceRelease(report_id=report.id, org_code=o) for o in releases)
