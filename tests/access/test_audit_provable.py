"""The audit chain is provable: keyed hashes and signed checkpoints outside the database.

The attacks of issue 17: deleting the newest 50 rows, and rewriting a row then computing
every hash after it again, both used to verify as intact.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from cellwatch.access import audit
from cellwatch.access.models import AuditEntry
from cellwatch.settings import Settings
from cellwatch.store import Store, open_store

ROWS = 60


def _fill(store: Store, n: int = ROWS, start: int = 0) -> None:
    for i in range(start, start + n):
        audit.append_now(store, audit.AuditEvent(
            principal="hei_analyst", org="HEI-OSU", action="prisoner.read",
            resource_type="prisoner", resource_id=f"A{i:04d}AA", outcome="allowed"))


def _sql(store: Store, *statements: str) -> None:
    """What someone with the database owner's rights (not the key) can do."""
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        for sql in statements:
            conn.execute(text(sql))
        if store.dialect == "postgresql":
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))


def _rehash_from(store: Store, first: int, key: bytes | None) -> None:
    """Rewrite row ``first`` and recompute every hash after it (with ``key``, or plain)."""
    with store.session() as s:
        rows = list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    rows[first - 1].outcome, rows[first - 1].reason = "denied", "routine"
    prev = rows[first - 2].hash if first > 1 else audit.GENESIS
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        # Placeholders first, so a new hash never meets an old one on the unique indexes.
        conn.execute(text("UPDATE audit_log SET hash = 'x' || id, prev_hash = 'y' || id "
                          "WHERE id >= :i"), {"i": first})
        for row in rows[first - 1:]:
            row.prev_hash = prev
            row.key_id = audit.key_id(key) if key is not None else None
            new = audit.row_hash(row, key)
            conn.execute(text("UPDATE audit_log SET prev_hash = :p, hash = :h, key_id = :k, "
                              "outcome = :o, reason = :r WHERE id = :i"),
                         {"p": prev, "h": new, "k": row.key_id, "o": row.outcome,
                          "r": row.reason, "i": row.id})
            prev = new
        if store.dialect == "postgresql":
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))


def test_rows_are_keyed_and_checkpointed(store: Store, settings: Settings) -> None:
    _fill(store, 3)
    with store.session() as s:
        rows = list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    key = settings.audit_secret()
    assert {r.key_id for r in rows} == {audit.key_id(key)}
    # Not the plain SHA-256 anyone could compute again.
    assert all(r.hash != audit.row_hash(r) for r in rows)
    lines = [json.loads(line) for path in settings.audit_checkpoints.glob("*.jsonl")
             for line in path.read_text().splitlines()]
    assert [p["id"] for p in lines] == [1, 2, 3]
    result = audit.verify_chain(store)
    assert result.ok
    assert result.checkpoints == 3


def test_deleting_the_last_50_rows_is_found(store: Store) -> None:
    _fill(store)
    _sql(store, f"DELETE FROM audit_log WHERE id > {ROWS - 50}")
    result = audit.verify_chain(store)
    assert not result.ok
    assert result.first_bad_id == ROWS - 50 + 1
    assert result.problem is not None
    assert "removed" in result.problem


def test_rehashing_without_the_key_is_found(store: Store) -> None:
    _fill(store)
    _rehash_from(store, 20, key=None)
    result = audit.verify_chain(store)
    assert not result.ok
    assert result.first_bad_id == 20


def test_rehashing_with_a_stolen_key_is_found_by_the_checkpoints(
        store: Store, settings: Settings) -> None:
    _fill(store)
    _rehash_from(store, 20, key=settings.audit_secret())
    result = audit.verify_chain(store)
    assert not result.ok
    assert result.first_bad_id == 20
    assert result.problem is not None
    assert "checkpoint" in result.problem


def test_a_forged_checkpoint_is_found(store: Store, settings: Settings) -> None:
    _fill(store, 5)
    path = next(settings.audit_checkpoints.glob("*.jsonl"))
    fake = {"id": 3, "hash": "0" * 64, "ts": "2026-01-01T00:00:00.000000Z",
            "sig": hmac.new(b"not the key", b"x", hashlib.sha256).hexdigest()}
    with path.open("a") as out:
        out.write(json.dumps(fake) + "\n")
    result = audit.verify_chain(store)
    assert not result.ok
    assert result.problem is not None
    assert "not signed" in result.problem


def test_rows_chained_before_keys_still_verify(settings: Settings, tmp_path: Path) -> None:
    keyed = open_store(settings)
    try:
        # The same database opened as before keyed hashes existed: no key, no checkpoints.
        legacy = Store(settings.store_url)
        _fill(legacy, 3)
        legacy.dispose()
        _fill(keyed, 3, start=3)
        result = audit.verify_chain(keyed)
        assert result.ok, result
        assert result.rows == 6
        # But an unkeyed row after keyed ones is a row someone re-hashed.
        legacy = Store(settings.store_url)
        _fill(legacy, 1, start=6)
        legacy.dispose()
        late = audit.verify_chain(keyed)
        assert not late.ok
        assert late.first_bad_id == 7
    finally:
        keyed.dispose()


def test_another_installations_key_is_refused(store: Store, settings: Settings) -> None:
    _fill(store, 2)
    other = Store(settings.store_url, b"some other key", settings.audit_checkpoints)
    try:
        result = audit.verify_chain(other)
    finally:
        other.dispose()
    assert not result.ok
    assert result.problem is not None
    assert "key" in result.problem


def test_cli_audit_verify_finds_truncation(store: Store, settings: Settings,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from cellwatch.cli import build_app

    _fill(store)
    monkeypatch.setenv("CELLWATCH_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("CELLWATCH_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    assert runner.invoke(build_app(), ["audit", "verify"]).exit_code == 0
    _sql(store, f"DELETE FROM audit_log WHERE id > {ROWS - 50}")
    broken = runner.invoke(build_app(), ["audit", "verify", "--json"])
    assert broken.exit_code == 1
    assert json.loads(broken.output)["first_bad_id"] == ROWS - 50 + 1
