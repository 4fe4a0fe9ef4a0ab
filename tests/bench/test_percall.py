"""The per-request counters of ``python -m cellwatch.bench.percall`` on each engine."""

from __future__ import annotations

from sqlalchemy import select

from cellwatch.bench.load import database_cpu_seconds, postmaster
from cellwatch.bench.percall import Counter
from cellwatch.store import Establishment, Store


def test_round_trips_count_transactions_and_pings_but_not_autocommit(store: Store) -> None:
    counter = Counter()
    counter.watch(store.engine)
    with store.session() as s:
        s.scalars(select(Establishment)).all()
    ping = 1 if store.dialect == "postgresql" else 0
    assert (counter.statements, counter.round_trips) == (1, 3 + ping)  # BEGIN, it, COMMIT
    with store.read() as s:
        s.scalars(select(Establishment)).all()
    assert (counter.statements, counter.round_trips) == (2, 4 + 2 * ping)


def test_database_cpu_of_a_local_postgresql(store: Store) -> None:
    if store.dialect != "postgresql":
        return
    pid = postmaster(store.url)
    if pid is not None:  # a server on this machine: its CPU is readable, and grows
        assert database_cpu_seconds(pid) > 0
