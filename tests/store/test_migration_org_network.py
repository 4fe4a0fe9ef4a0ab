"""Migration 0008 (an operator organisation's network) goes down and up again on every
engine, on a store with organisations and users in it."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, select

from cellwatch.access.models import Organisation, User
from cellwatch.store import Store
from cellwatch.store.engine import alembic_config


def _alembic(store: Store, direction: str, target: str) -> None:
    with store.engine.begin() as connection:
        config = alembic_config(store.url)
        config.attributes["connection"] = connection
        getattr(command, direction)(config, target)


def _columns(store: Store) -> set[str]:
    return {c["name"] for c in inspect(store.engine).get_columns("organisations")}


def test_org_network_migrates_down_and_up(store: Store) -> None:
    with store.session() as s:
        s.add(Organisation(code="EE-OPS", name="EE", kind="OPERATOR", network="EE"))
        s.flush()
        s.add(User(username="ee_liaison", org_code="EE-OPS", roles=["operator_liaison"]))
    # Down to the access branch's first revision: only 0008 is undone, the rows stay.
    _alembic(store, "downgrade", "access@0002_access")
    assert "network" not in _columns(store)
    with store.engine.connect() as conn:
        assert conn.execute(select(User.__table__.c.org_code)).scalars().all() == ["EE-OPS"]
    _alembic(store, "upgrade", "heads")
    assert "network" in _columns(store)
    with store.session() as s:
        assert s.get(Organisation, "EE-OPS").network is None  # type: ignore[union-attr]
