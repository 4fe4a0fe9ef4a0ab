"""The parole summary's service: the prisoner opened through the policy (a reason outside
the reader's organisation, out of scope answered as unknown), the summary's own audience
rule, and every opening and refusal audited."""

from __future__ import annotations

from datetime import date

import pytest

from audit_support import audited
from cellwatch.access.fixtures import build_estate
from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.cases.service import create_referrals
from cellwatch.errors import Denied, NotFound, ReasonRequired
from cellwatch.parole import service
from cellwatch.settings import Settings
from cellwatch.store import Store

AS_OF = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _estate(store: Store) -> None:
    build_estate(store)


def _access(store: Store, settings: Settings, user: str, referred_to: str | None = None
            ) -> Access:
    """``user`` acting, on the fixture estate; Hewell refers A1111AA to ``referred_to``."""
    with store.session() as s:
        hei, acting = principal_for(s, "hei_analyst"), principal_for(s, user)
    if referred_to:
        create_referrals(Access(store, hei, settings), [referred_to], "for the review",
                         prison_number="A1111AA")
    return Access(store, acting, settings)


def test_the_prison_reads_its_own_prisoners_summary_audited(store: Store,
                                                            settings: Settings) -> None:
    access = _access(store, settings, "hei_analyst")
    summary = service.open_summary(access, "a1111aa", AS_OF)
    assert (summary.prison_number, summary.generated, summary.audience) == (
        "A1111AA", AS_OF, "HEI-SIT")
    assert ("parole_summary", "A1111AA", "allowed") in audited(store, "hei_analyst",
                                                               "prisoner")
    assert "<html" in service.render_html(summary).lower()


def test_out_of_scope_answers_as_unknown_and_is_audited(store: Store,
                                                        settings: Settings) -> None:
    access = _access(store, settings, "hei_analyst")
    with pytest.raises(NotFound) as hidden:
        service.open_summary(access, "A3333CC", AS_OF)
    with pytest.raises(NotFound) as unknown:
        service.open_summary(access, "Z9999ZZ", AS_OF)
    assert str(hidden.value).replace("A3333CC", "X") == str(unknown.value).replace(
        "Z9999ZZ", "X")
    assert ("read", "A3333CC", "denied") in audited(store, "hei_analyst", "prisoner")
    assert not any(a == "parole_summary" for a, _, _ in audited(store, "hei_analyst",
                                                                  "prisoner"))


def test_the_parole_board_states_a_reason(store: Store, settings: Settings) -> None:
    # Not referred: the Parole Board sees no prisoner by geography.
    with pytest.raises(NotFound):
        service.open_summary(_access(store, settings, "parole_cm"), "A1111AA", AS_OF)
    access = _access(store, settings, "parole_cm", referred_to="PAROLE")
    with pytest.raises(ReasonRequired):
        service.open_summary(access, "A1111AA", AS_OF)
    summary = service.open_summary(access, "A1111AA", AS_OF, reason="review on 1 July")
    assert summary.parole_board
    assert ("parole_summary", "A1111AA", "allowed") in audited(store, "parole_cm", "prisoner")


def test_a_reader_the_summary_is_not_for_is_refused_and_audited(store: Store,
                                                                settings: Settings) -> None:
    # The police may open a prisoner's record referred to them; the summary is not for them.
    access = _access(store, settings, "wmp_investigator", referred_to="WMP")
    with pytest.raises(Denied):
        service.open_summary(access, "A1111AA", AS_OF, reason="investigation")
    assert audited(store, "wmp_investigator", "prisoner")[-1] == (
        "read", "A1111AA", "denied")
