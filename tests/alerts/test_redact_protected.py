"""A victim's number in an alert, under the one rule of protected persons: shown only to
whom may read the person (a role that reads protected persons, of the organisation that
owns it), ``[protected contact]`` to everyone else, victim liaison of another
organisation included (it saw every victim's number before issue 16/17)."""

from __future__ import annotations

from sqlalchemy import select

from cellwatch.access.directory import create_user
from cellwatch.access.fixtures import PASSWORD, build_estate
from cellwatch.access.principal import SYSTEM, principal_for
from cellwatch.access.service import Access
from cellwatch.alerts.models import Alert
from cellwatch.alerts.redact import PROTECTED, redact
from cellwatch.protect.models import ProtectedIdentifier, ProtectedPerson
from cellwatch.store import Store

WMP_VICTIM, HEI_VICTIM = "+447700900111", "+447700900222"


def _world(store: Store) -> list[Alert]:
    build_estate(store)
    admin = Access(store, SYSTEM)
    create_user(admin, "wmp_victim", "WMP", ["victim_liaison"], PASSWORD)
    create_user(admin, "nat_victim", "NIU", ["victim_liaison"], PASSWORD)
    with store.session() as s:
        for ref, org, number in (("PP-W", "WMP", WMP_VICTIM), ("PP-H", "HEI-SIT", HEI_VICTIM)):
            s.add(ProtectedPerson(person_ref=ref, prison_number="A1111AA",
                                  condition="NO_CONTACT", owner_org=org))
            s.flush()
            s.add(ProtectedIdentifier(person_ref=ref, identifier_type="MSISDN",
                                      identifier=number))
            s.add(Alert(rule="PROTECTED_PERSON_CONTACTED", dedupe_key=f"{ref}|A1111AA",
                        prison_number="A1111AA", person_ref=ref, identifier=number,
                        establishment="HEI", status="OPEN",
                        summary=f"3 call(s) between A1111AA and {number}."))
    with store.session() as s:
        alerts = list(s.scalars(select(Alert).order_by(Alert.person_ref)))
        s.expunge_all()
        return alerts


def _seen(store: Store, alerts: list[Alert], user: str) -> dict[str, str | None]:
    with store.session() as s:
        access = Access(store, principal_for(s, user))
    return {str(a.person_ref): a.identifier for a in redact(access, alerts)}


def test_a_victims_number_is_shown_only_to_the_owning_organisation(store: Store) -> None:
    alerts = _world(store)
    assert _seen(store, alerts, "wmp_victim") == {"PP-W": WMP_VICTIM, "PP-H": PROTECTED}
    assert _seen(store, alerts, "nat_victim") == {"PP-W": PROTECTED, "PP-H": PROTECTED}
    # The owning prison team reads its person (as through the search box), not WMP's.
    assert _seen(store, alerts, "hei_analyst") == {"PP-W": PROTECTED, "PP-H": HEI_VICTIM}
    assert _seen(store, alerts, "lei_admin") == {"PP-W": PROTECTED, "PP-H": PROTECTED}
    assert {a.identifier for a in redact(Access(store, SYSTEM), alerts)} == {WMP_VICTIM,
                                                                             HEI_VICTIM}
