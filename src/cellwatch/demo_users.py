"""The demo's people: one organisation of every kind and a user of every role.

Passwords are made fresh for each demo home (never kept in the repository), written to
``$CELLWATCH_HOME/demo-credentials.txt`` readable only by its owner, and printed once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from cellwatch.access.directory import create_org, create_user
from cellwatch.access.models import User
from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.settings import Settings
from cellwatch.store import Establishment, Store


@dataclass(frozen=True)
class DemoUser:
    """A user the demo creates, with where they sit and what they do."""

    username: str
    org: str
    roles: tuple[str, ...]


# The demo operator answers for EE, the home network of most of the demo's candidates
# (simulate/ids.py gives EE two MNCs), so its liaison user has order lines to answer.
NETWORKS = {"OPERATOR": "EE"}


def _organisations(establishments: list[Establishment]) -> list[tuple[str, str, str, str | None,
                                                                        str | None]]:
    first_region = next((e.region for e in establishments if e.region), None)
    orgs: list[tuple[str, str, str, str | None, str | None]] = [
        ("NIU", "National Intelligence Unit", "NATIONAL", None, None),
        ("POLICE", "Demo Police Force", "POLICE", None, None),
        ("PAROLE", "Parole Board", "PAROLE_BOARD", None, None),
        ("OPERATOR", "Demo Mobile Network", "OPERATOR", None, None),
    ]
    if first_region:
        orgs.append(("ROCU", f"{first_region} ROCU", "REGIONAL", None, first_region))
    for est in establishments:
        orgs.append((f"{est.code}-SIT", f"{est.name} security team", "ESTABLISHMENT",
                     est.code, None))
    return orgs


def _users(establishments: list[Establishment], with_region: bool) -> list[DemoUser]:
    users = [
        DemoUser("national.analyst", "NIU", ("analyst",)),
        DemoUser("national.supervisor", "NIU", ("supervisor",)),
        DemoUser("victim.liaison", "POLICE", ("victim_liaison",)),
        DemoUser("police.investigator", "POLICE", ("investigator",)),
        DemoUser("parole.manager", "PAROLE", ("parole_case_manager",)),
        DemoUser("operator.liaison", "OPERATOR", ("operator_liaison",)),
    ]
    if with_region:
        users.append(DemoUser("regional.analyst", "ROCU", ("analyst",)))
    for est in establishments:
        code = est.code.lower()
        users.append(DemoUser(f"{code}.analyst", f"{est.code}-SIT", ("analyst",)))
        users.append(DemoUser(f"{code}.supervisor", f"{est.code}-SIT", ("supervisor",)))
    return users


def create_demo_users(settings: Settings, store: Store, codes: list[str]) -> Path:
    """Create the demo organisations and users (once) and return the credentials file."""
    credentials = settings.home / "demo-credentials.txt"
    with store.session() as s:
        if s.scalars(select(User).limit(1)).first() is not None and credentials.exists():
            return credentials
        establishments = list(s.scalars(select(Establishment)
                                        .where(Establishment.code.in_(codes))
                                        .order_by(Establishment.code)))
    access = Access(store, SYSTEM, settings)
    orgs = _organisations(establishments)
    for code, name, kind, establishment, region in orgs:
        create_org(access, code, name, kind, establishment=establishment, region=region,
                   network=NETWORKS.get(code))
    password = secrets.token_urlsafe(12)
    users = _users(establishments, any(o[2] == "REGIONAL" for o in orgs))
    for user in users:
        create_user(access, user.username, user.org, list(user.roles), password)
    lines = [f"password for every demo user: {password}", ""]
    lines += [f"{u.username:24} {u.org:12} {', '.join(u.roles)}" for u in users]
    credentials.write_text("\n".join(lines) + "\n")
    credentials.chmod(0o600)
    return credentials
