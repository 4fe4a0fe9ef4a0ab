"""The simulated estate every statement test of this folder reads (built once a session,
for each seed: 11, and 5 marked slow)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from checks import as_of
from sqlalchemy import func, select

from attribution.tiny_estate import tiny_estate
from cellwatch.alerts.detect.run import run_rules
from cellwatch.attribution.models import Attribution
from cellwatch.attribution.run import attribute
from cellwatch.protect.models import ProtectedPerson
from cellwatch.settings import Settings
from cellwatch.store import Store


@pytest.fixture(scope="session", params=[11, pytest.param(5, marks=pytest.mark.slow)])
def estate(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Store]]:
    """A tiny simulated estate with campaigns, ingested, attributed, rules run."""
    root = tmp_path_factory.mktemp(f"statements-{request.param}")
    settings = Settings(home=root / "home", environment="test")
    with tiny_estate(settings, request.param, root / "sim", campaigns=True) as (_, store):
        attribute(settings, store)
        _protect_phone_users(store)
        result = run_rules(settings, store, as_of=as_of(store), deliver=False)
        assert not result.failed
        yield settings, store


def _protect_phone_users(store: Store) -> None:
    """A hand-made edge on the simulated estate: the simulator's protected persons are
    against men it attributes no phone to, so give a protected person to the five men
    with the strongest handset attributions (the flagged-device rule needs both)."""
    with store.session() as s:
        top = s.execute(select(Attribution.prison_number, func.max(Attribution.probability))
                        .where(Attribution.identifier_type.in_(("IMEI", "IMSI")))
                        .group_by(Attribution.prison_number)
                        .order_by(func.max(Attribution.probability).desc(),
                                  Attribution.prison_number).limit(5)).all()
        for n, (pn, _p) in enumerate(top):
            s.add(ProtectedPerson(person_ref=f"PP-TEST-{n}", prison_number=pn,
                                  condition="RESTRAINING_ORDER"))
