"""Migration 0010 folds the TRO workflow's alerts into the shared table and keeps them:
down to 0005 (tro_alerts back, the rows with it) and up again (in alerts, under their own
keys, a carried-over reappearance not duplicated), on every engine."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from sqlalchemy import inspect

from cellwatch.store import Store
from cellwatch.store.engine import alembic_config

T = datetime(2026, 10, 1, tzinfo=UTC)


def _alembic(store: Store, direction: str, target: str) -> None:
    with store.engine.begin() as connection:
        config = alembic_config(store.url)
        config.attributes["connection"] = connection
        getattr(command, direction)(config, target)


def test_tro_alerts_move_into_alerts_and_back(store: Store) -> None:
    _alembic(store, "downgrade", "protect@0005_protect")
    assert "tro_alerts" in inspect(store.engine).get_table_names()
    meta = sa.MetaData()
    tro = sa.Table("tro_alerts", meta, autoload_with=store.engine)
    alerts = sa.Table("alerts", meta, autoload_with=store.engine)
    with store.engine.begin() as c:
        c.execute(tro.insert(), [
            {"rule": "TRO_COMPLIANCE_OVERDUE", "dedupe_key": "TRO_COMPLIANCE_OVERDUE:1",
             "created_ts": T, "status": "OPEN", "identifier_type": "IMSI",
             "identifier": "234150000000001", "establishment": "HEI", "summary": "late",
             "details": {"order_ref": "TRO-1"}},
            {"rule": "DISCONNECTED_IDENTIFIER_REAPPEARED",
             "dedupe_key": "DISCONNECTED_IDENTIFIER_REAPPEARED:1:234150000000001:",
             "created_ts": T, "status": "OPEN", "identifier_type": "IMSI",
             "identifier": "234150000000001", "establishment": "HEI", "summary": "back",
             "details": {}}])
        back_id = c.execute(sa.select(tro.c.id).where(tro.c.summary == "back")).scalar_one()
        # The old rule had already carried the reappearance into the shared table.
        c.execute(alerts.insert(), [{"rule": "DISCONNECTED_IDENTIFIER_REAPPEARED",
                                     "dedupe_key": f"tro:{back_id}", "created_ts": T,
                                     "status": "ACKNOWLEDGED", "summary": "back",
                                     "establishment": "HEI",
                                     "details": {"tro_alert_id": back_id}}])
    _alembic(store, "upgrade", "heads")
    assert "tro_alerts" not in inspect(store.engine).get_table_names()
    meta = sa.MetaData()
    alerts = sa.Table("alerts", meta, autoload_with=store.engine)
    with store.engine.connect() as c:
        rows = {r.rule: r for r in c.execute(sa.select(alerts))}
    assert len(rows) == 2
    overdue, back = rows["TRO_COMPLIANCE_OVERDUE"], rows["DISCONNECTED_IDENTIFIER_REAPPEARED"]
    assert overdue.dedupe_key == "TRO_COMPLIANCE_OVERDUE:1"
    assert overdue.details["order_ref"] == "TRO-1"
    assert overdue.details["identifier_type"] == "IMSI"
    assert back.dedupe_key.startswith("DISCONNECTED_IDENTIFIER_REAPPEARED:1:")
    assert back.status == "ACKNOWLEDGED"  # the shared alert's work is kept
    assert back.priority == 2
    # And down again: the TRO alerts go back to their table.
    _alembic(store, "downgrade", "protect@0005_protect")
    meta = sa.MetaData()
    tro = sa.Table("tro_alerts", meta, autoload_with=store.engine)
    with store.engine.connect() as c:
        assert sorted(r.rule for r in c.execute(sa.select(tro))) == [
            "DISCONNECTED_IDENTIFIER_REAPPEARED", "TRO_COMPLIANCE_OVERDUE"]
    _alembic(store, "upgrade", "heads")
