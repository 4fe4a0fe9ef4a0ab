"""Targeting's service: ranking needs prisoner read in the establishment ranked, the
whole estate only for a principal covering it; allowed and refused alike are audited."""

from __future__ import annotations

from datetime import date

import pytest

from audit_support import audited
from cellwatch.access.fixtures import build_estate
from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.errors import Denied
from cellwatch.settings import Settings
from cellwatch.store import Store
from cellwatch.targeting import service

DAY = date(2026, 6, 1)


def _access(store: Store, settings: Settings, user: str) -> Access:
    build_estate(store)
    with store.session() as s:
        return Access(store, principal_for(s, user), settings)


def test_a_ranking_in_scope_is_audited_with_what_was_asked(store: Store,
                                                           settings: Settings) -> None:
    access = _access(store, settings, "hei_analyst")
    ranking = service.rank(access, " hei ", DAY, "LANDING", 5)
    assert ranking.to_dict()["establishment"] == "HEI"
    assert audited(store, "hei_analyst", "prisoner") == [("targeting_rank", None, "allowed")]


def test_another_prison_and_the_whole_estate_are_refused_and_audited(
        store: Store, settings: Settings) -> None:
    access = _access(store, settings, "hei_analyst")
    with pytest.raises(Denied):
        service.rank(access, "LEI", DAY)
    with pytest.raises(Denied, match="name one of your establishments"):
        service.evaluate(access, DAY, DAY)
    assert [o for _, _, o in audited(store, "hei_analyst", "prisoner")] == ["denied"] * 2


def test_a_national_unit_evaluates_the_whole_estate(store: Store, settings: Settings) -> None:
    access = _access(store, settings, "nat_analyst")
    result = service.evaluate(access, DAY, DAY, top=3, every_days=1)
    assert result.chosen == 0  # the fixture estate has no cells to choose
    assert audited(store, "nat_analyst", "prisoner") == [("targeting_evaluate", None, "allowed")]
