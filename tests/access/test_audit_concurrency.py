"""Audit appends from many threads at once: none collides and the chain still holds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from cellwatch.access import audit
from cellwatch.access.models import AuditEntry, User
from cellwatch.store import Store

THREADS = 8
PER_THREAD = 20


def _event(n: int) -> audit.AuditEvent:
    return audit.AuditEvent(principal=f"user{n % THREADS}", org=None, action="test.append",
                            resource_type="thing", resource_id=str(n), outcome="allowed")


def _read_then_append(store: Store, n: int) -> None:
    # What a service does: read in the session, chain the audit row, write, then commit.
    with store.session() as session:
        session.execute(select(func.count()).select_from(User)).scalar_one()
        session.execute(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)).first()
        audit.append(session, _event(n))
        audit.append(session, _event(n + 10_000))  # two in one transaction: consecutive


def test_concurrent_appends_chain_without_collision(store: Store) -> None:
    jobs = range(THREADS * PER_THREAD)
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(lambda n: _read_then_append(store, n), jobs))
    with store.session() as s:
        rows = list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [r.id for r in rows] == list(range(1, 2 * THREADS * PER_THREAD + 1))
    for first, second in zip(rows[::2], rows[1::2], strict=True):
        assert int(second.resource_id or 0) == int(first.resource_id or 0) + 10_000
    result = audit.verify_chain(store)
    assert result.ok, result
    assert result.rows == 2 * THREADS * PER_THREAD


def test_concurrent_appends_in_own_transactions(store: Store) -> None:
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(lambda n: audit.append_now(store, _event(n)), range(THREADS * 10)))
    with store.session() as s:
        assert s.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == THREADS * 10
    assert audit.verify_chain(store).ok
