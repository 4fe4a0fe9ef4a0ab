"""The audit chain: verifiable, tamper-evident, append-only on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cellwatch.access import audit
from cellwatch.access.service import Access
from cellwatch.errors import AccessDenied, NotFound, StoreError
from cellwatch.estate import service as people
from cellwatch.settings import Settings
from cellwatch.store import Store


def _activity(as_user: Callable[[str], Access]) -> None:
    people.list_prisoners(as_user("hei_analyst"))
    people.get_prisoner(as_user("wm_analyst"), "A1111AA", reason="op BADGER")
    with pytest.raises(NotFound):  # out of scope answers as unknown, and is audited
        people.get_prisoner(as_user("lei_analyst"), "A1111AA", reason="nosy")


def test_chain_verifies(as_user: Callable[[str], Access], estate: Store) -> None:
    _activity(as_user)
    result = audit.verify_chain(estate)
    assert result.ok
    assert result.rows == 3


def _tamper(store: Store, sql: str) -> None:
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            # An attacker with the owner's rights must first get round the trigger.
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        conn.execute(text(sql))
        if store.dialect == "postgresql":
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))


@pytest.mark.parametrize(("sql", "bad_id"), [
    ("UPDATE audit_log SET reason = 'routine' WHERE id = 2", 2),
    ("UPDATE audit_log SET outcome = 'allowed' WHERE id = 3", 3),
    ("DELETE FROM audit_log WHERE id = 2", 3),
])
def test_tampering_is_found(as_user: Callable[[str], Access], estate: Store,
                            sql: str, bad_id: int) -> None:
    _activity(as_user)
    _tamper(estate, sql)
    result = audit.verify_chain(estate)
    assert not result.ok
    assert result.first_bad_id == bad_id


def test_postgres_refuses_update_and_delete(as_user: Callable[[str], Access],
                                            estate: Store) -> None:
    if estate.dialect != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    _activity(as_user)
    for sql in ("UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log",
                "TRUNCATE audit_log"):
        with pytest.raises(StoreError, match="append-only"), estate.session() as s:
            s.execute(text(sql))


def test_cli_audit_verify_and_list(as_user: Callable[[str], Access], estate: Store,
                                   settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from cellwatch.cli import build_app

    _activity(as_user)
    monkeypatch.setenv("CELLWATCH_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("CELLWATCH_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    ok = runner.invoke(build_app(), ["audit", "verify", "--json"])
    assert ok.exit_code == 0, ok.output
    assert '"ok": true' in ok.output
    listed = runner.invoke(build_app(), ["audit", "list", "--json"])
    assert "nosy" in listed.output
    _tamper(estate, "UPDATE audit_log SET principal = 'someone' WHERE id = 1")
    broken = runner.invoke(build_app(), ["audit", "verify"])
    assert broken.exit_code == 1
    assert "row 1" in broken.output


def test_cli_acts_as_configured_principal(estate: Store, settings: Settings,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from cellwatch.cli import build_app

    monkeypatch.setenv("CELLWATCH_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("CELLWATCH_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CELLWATCH_PRINCIPAL", "lei_analyst")
    result = CliRunner().invoke(build_app(), ["audit", "verify"])
    assert isinstance(result.exception, AccessDenied)
    monkeypatch.setenv("CELLWATCH_PRINCIPAL", "nat_admin")
    assert CliRunner().invoke(build_app(), ["audit", "verify"]).exit_code == 0
