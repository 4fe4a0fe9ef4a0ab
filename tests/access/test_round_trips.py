"""What a request costs the store: the principal in one query, the scope in one statement.

Counted with SQLAlchemy's own ``before_cursor_execute`` event on the real engine (SQLite
and PostgreSQL); the scope each path publishes is checked too, not just the count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text, update

from cellwatch.access import rls
from cellwatch.access.models import Organisation
from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.errors import AuthenticationFailed
from cellwatch.store import Store


@contextmanager
def _statements(store: Store) -> Iterator[list[str]]:
    sent: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        sent.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


@pytest.mark.parametrize(("username", "scope"), [
    ("nat_analyst", None), ("wm_analyst", frozenset({"HEI", "BWI"})),
    ("hei_analyst", frozenset({"HEI"})), ("wmp_investigator", frozenset()),
])
def test_a_principal_is_read_in_one_query(estate: Store, username: str,
                                          scope: frozenset[str] | None) -> None:
    with _statements(estate) as sent, estate.session() as s:
        principal = principal_for(s, username)
    assert len(sent) == 1, sent
    assert principal.establishments == scope


def test_an_inactive_organisation_or_user_is_refused(estate: Store) -> None:
    with estate.session() as s:
        s.execute(update(Organisation).where(Organisation.code == "WMROCU").values(active=False))
    with pytest.raises(AuthenticationFailed, match="organisation"), estate.session() as s:
        principal_for(s, "wm_analyst")
    with pytest.raises(AuthenticationFailed, match="no active user"), estate.session() as s:
        principal_for(s, "nobody")


def test_a_guarded_transaction_sets_role_and_scope_in_one_statement(
        estate: Store, as_user: Callable[[str], Access]) -> None:
    if estate.dialect != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    access = as_user("wm_analyst")
    with _statements(estate) as sent, access.transaction() as s:
        assert len(sent) == 1, sent
        row = s.execute(text(
            "SELECT current_user, current_setting('cellwatch.bypass'), "
            "current_setting('cellwatch.org'), current_setting('cellwatch.establishments')"
        )).one()
        assert tuple(row) == (rls.APP_ROLE, "off", "WMROCU", "BWI,HEI")
        assert sorted(s.scalars(text("SELECT prison_number FROM prisoners"))) == [
            "A1111AA", "A2222BB"]
    # Transaction-local: the pooled connection goes back as its owner, with no scope.
    with estate.session() as s:
        row = s.execute(text("SELECT current_user <> :app, "
                             "coalesce(current_setting('cellwatch.org', true), '')"),
                        {"app": rls.APP_ROLE}).one()
    assert tuple(row) == (True, "")


def test_a_store_session_runs_without_jit(store: Store) -> None:
    if store.dialect != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    with store.session() as s:
        assert s.execute(text("SHOW jit")).scalar_one() == "off"
