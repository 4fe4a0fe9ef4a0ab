"""Contact with a protected person points at the prisoner the person is protected from."""

from __future__ import annotations

from datetime import date

import pytest

from cellwatch.attribution.run import attribute
from cellwatch.attribution.views import device_view
from cellwatch.protect.models import ProtectedIdentifier, ProtectedPerson
from cellwatch.settings import Settings
from cellwatch.store import Store

from . import estate

VICTIM = "+447700900555"


@pytest.fixture
def protected_store(settings: Settings, store: Store) -> Store:
    """The estate, with a person protected from the owner whom his phone calls every day."""
    estate.build_store(store)
    with store.session() as s:
        s.add(ProtectedPerson(person_ref="PP1", prison_number=estate.OWNER,
                              condition="RESTRAINING_ORDER", valid_from=date(2023, 1, 1)))
        s.flush()
        s.add(ProtectedIdentifier(person_ref="PP1", identifier_type="MSISDN",
                                  identifier=VICTIM))
    estate.write_lake(settings)
    estate.write_calls(settings, parties=(VICTIM,))
    return store


def test_calls_to_a_protected_person_point_at_the_prisoner_protected_from(
        settings: Settings, protected_store: Store) -> None:
    attribute(settings, protected_store)
    rows = device_view(protected_store, estate.IMSI)["attributions"]
    owner = [r for r in rows if r["prison_number"] == estate.OWNER]
    assert owner, "the prisoner the person is protected from must be a candidate"
    kinds = {e["kind"]: e for r in owner for e in r["evidence"]}
    assert "PROTECTED" in kinds
    assert kinds["PROTECTED"]["weight_log2"] > 0
    assert "protected from " + estate.OWNER in kinds["PROTECTED"]["description"]


def test_no_protection_no_protected_evidence(settings: Settings, store: Store) -> None:
    estate.build_store(store)
    estate.write_lake(settings)
    estate.write_calls(settings, parties=(VICTIM,))
    attribute(settings, store)
    rows = device_view(store, estate.IMSI)["attributions"]
    assert all(e["kind"] != "PROTECTED" for r in rows for e in r["evidence"])
