"""one alert system: alerts updated in place per episode; tro_alerts folded into alerts

Alerts gain what an episode's alert needs to be updated in place (first and last
evidence, how much, when last updated, the rules run and attribution run its text was
written from) and a priority. The TRO workflow's own table goes: each of its alerts moves
into ``alerts`` under its own key (a reappearance already carried over as ``tro:<id>``
takes the TRO key, so it is not duplicated), its order and line ids into ``details``.

Revision ID: 0010_one_alert_system
Revises: 0005_protect
Create Date: 2026-12-07 03:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import cellwatch.store.base

revision: str = "0010_one_alert_system"
down_revision: str | None = "0005_protect"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0007_tro_candidates"

REAPPEARED = "DISCONNECTED_IDENTIFIER_REAPPEARED"
# Priority 1 (most urgent) to 4, from the rule's severity (rules.yaml).
PRIORITY = {REAPPEARED: 2, "TRO_HANDSET_NEW_SIM": 2, "TRO_REPLACEMENT_DEVICE": 2,
            "TRO_COMPLIANCE_OVERDUE": 3}
TRO_ONLY = ("TRO_HANDSET_NEW_SIM", "TRO_REPLACEMENT_DEVICE", "TRO_COMPLIANCE_OVERDUE")

_ts = cellwatch.store.base.UtcDateTime(timezone=True)
alerts = sa.table(
    "alerts", sa.column("id", sa.Integer), sa.column("rule", sa.String),
    sa.column("dedupe_key", sa.String), sa.column("created_ts", _ts),
    sa.column("status", sa.String), sa.column("prison_number", sa.String),
    sa.column("identifier", sa.String), sa.column("establishment", sa.String),
    sa.column("summary", sa.Text), sa.column("details", sa.JSON),
    sa.column("priority", sa.Integer), sa.column("first_seen", _ts),
    sa.column("last_seen", _ts), sa.column("updated_ts", _ts))
tro_alerts = sa.table(
    "tro_alerts", sa.column("id", sa.Integer), sa.column("rule", sa.String),
    sa.column("dedupe_key", sa.String), sa.column("created_ts", _ts),
    sa.column("status", sa.String), sa.column("identifier_type", sa.String),
    sa.column("identifier", sa.String), sa.column("establishment", sa.String),
    sa.column("application_id", sa.Integer), sa.column("line_id", sa.Integer),
    sa.column("prison_number", sa.String), sa.column("summary", sa.Text),
    sa.column("details", sa.JSON))


def _add_columns() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False,
                                      server_default="3"))
        batch_op.add_column(sa.Column("first_seen", _ts, nullable=True))
        batch_op.add_column(sa.Column("last_seen", _ts, nullable=True))
        batch_op.add_column(sa.Column("evidence_count", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("updated_ts", _ts, nullable=True))
        batch_op.add_column(sa.Column("as_of", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("attribution_run", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_alerts_priority"), ["priority"], unique=False)


def _move_tro_alerts() -> None:
    bind = op.get_bind()
    for t in bind.execute(sa.select(tro_alerts).order_by(tro_alerts.c.id)).mappings():
        details: dict[str, Any] = {**(t["details"] or {}), "tro_alert_id": t["id"],
                                   "application_id": t["application_id"],
                                   "line_id": t["line_id"],
                                   "identifier_type": t["identifier_type"]}
        # Carried over by the old rule (``tro:<id>``), or kept by a downgrade (its own key).
        carried = bind.execute(sa.select(alerts.c.id, alerts.c.details).where(
            alerts.c.rule == t["rule"],
            alerts.c.dedupe_key.in_((f"tro:{t['id']}", t["dedupe_key"])))).first()
        if carried is not None:
            bind.execute(alerts.update().where(alerts.c.id == carried.id).values(
                dedupe_key=t["dedupe_key"], details={**(carried.details or {}), **details},
                priority=PRIORITY.get(t["rule"], 3)))
            continue
        bind.execute(alerts.insert().values(
            rule=t["rule"], dedupe_key=t["dedupe_key"], created_ts=t["created_ts"],
            status=t["status"], prison_number=t["prison_number"], identifier=t["identifier"],
            establishment=t["establishment"], summary=t["summary"], details=details,
            priority=PRIORITY.get(t["rule"], 3)))


def upgrade() -> None:
    _add_columns()
    _move_tro_alerts()
    with op.batch_alter_table("tro_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tro_alerts_rule"))
        batch_op.drop_index(batch_op.f("ix_tro_alerts_identifier"))
        batch_op.drop_index(batch_op.f("ix_tro_alerts_establishment"))
    op.drop_table("tro_alerts")


def downgrade() -> None:
    op.create_table(
        "tro_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("dedupe_key", sa.String(length=300), nullable=False),
        sa.Column("created_ts", _ts, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("identifier_type", sa.String(length=10), nullable=True),
        sa.Column("identifier", sa.String(length=64), nullable=True),
        sa.Column("establishment", sa.String(length=8), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.Column("prison_number", sa.String(length=7), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["tro_applications.id"],
                                name=op.f("fk_tro_alerts_application_id_tro_applications")),
        sa.ForeignKeyConstraint(["line_id"], ["tro_lines.id"],
                                name=op.f("fk_tro_alerts_line_id_tro_lines")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tro_alerts")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_tro_alerts_dedupe_key")))
    with op.batch_alter_table("tro_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tro_alerts_establishment"), ["establishment"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_tro_alerts_identifier"), ["identifier"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_tro_alerts_rule"), ["rule"], unique=False)
    bind = op.get_bind()
    moved = bind.execute(sa.select(alerts).where(
        alerts.c.rule.in_((REAPPEARED, *TRO_ONLY)))).mappings().all()
    for a in moved:
        d = dict(a["details"] or {})
        if "line_id" not in d:
            continue
        bind.execute(tro_alerts.insert().values(
            rule=a["rule"], dedupe_key=a["dedupe_key"], created_ts=a["created_ts"],
            status="OPEN", identifier_type=d.get("identifier_type"),
            identifier=a["identifier"], establishment=a["establishment"],
            application_id=d.get("application_id"), line_id=d.get("line_id"),
            prison_number=a["prison_number"], summary=a["summary"], details=d))
    bind.execute(alerts.delete().where(alerts.c.rule.in_(TRO_ONLY)))
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_priority"))
        for name in ("attribution_run", "as_of", "updated_ts", "evidence_count", "last_seen",
                     "first_seen", "priority"):
            batch_op.drop_column(name)
