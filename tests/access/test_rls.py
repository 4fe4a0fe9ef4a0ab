"""PostgreSQL row-level security backs the policy at the database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text

from cellwatch.access import rls
from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.protect.service.referrals import CrimeDetails, record_crime_referral
from cellwatch.store import Store


def _raw(estate: Store, username: str, sql: str) -> list[str]:
    with estate.session() as s:
        principal = principal_for(s, username)
    with estate.session() as s:
        rls.apply(s, principal)
        return sorted(s.scalars(text(sql)))


def test_raw_sql_under_the_app_role_sees_only_scope(estate: Store,
                                                     as_user: Callable[[str], Access]) -> None:
    if estate.dialect != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    prisoners = "SELECT prison_number FROM prisoners"
    reports = "SELECT report_ref FROM intelligence_reports"
    assert _raw(estate, "hei_analyst", prisoners) == ["A1111AA"]
    assert _raw(estate, "wm_analyst", prisoners) == ["A1111AA", "A2222BB"]
    assert _raw(estate, "wmp_investigator", prisoners) == []
    assert _raw(estate, "nat_analyst", reports) == ["IR-C-NIU", "IR-P-HEI", "IR-P-LEI"]
    assert _raw(estate, "wmp_investigator", reports) == ["IR-C-WMP"]
    assert _raw(estate, "hei_analyst", reports) == ["IR-P-HEI"]


def test_forgotten_scope_fails_closed(estate: Store) -> None:
    if estate.dialect != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    with estate.session() as s:
        s.execute(text(f"SET LOCAL ROLE {rls.APP_ROLE}"))
        assert list(s.scalars(text("SELECT prison_number FROM prisoners"))) == []
        assert list(s.scalars(text("SELECT report_ref FROM intelligence_reports"))) == []


def test_a_referral_shares_its_prisoner_with_the_receiver_only(
        estate: Store, as_user: Callable[[str], Access]) -> None:
    """The policy's rule (``scopes.shared_prisoner``) at the database too: a force that
    reports a crime by prison number is not shown the prisoner; the team it reaches is."""
    if estate.dialect != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    record_crime_referral(as_user("wmp_investigator"), "LEI-SIT", "A1111AA",
                          CrimeDetails("harassment", "20/1/26"))
    prisoners = "SELECT prison_number FROM prisoners"
    assert _raw(estate, "wmp_investigator", prisoners) == []
    assert _raw(estate, "lei_analyst", prisoners) == ["A1111AA", "A3333CC"]
    # A P-coded item about him follows the prisoner: the receiver's, not the sender's.
    reports = "SELECT report_ref FROM intelligence_reports"
    assert _raw(estate, "wmp_investigator", reports) == ["IR-C-WMP"]
    assert "IR-P-HEI" in _raw(estate, "lei_analyst", reports)
