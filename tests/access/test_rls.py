"""PostgreSQL row-level security backs the policy at the database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text

from cellwatch.access import rls
from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
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
