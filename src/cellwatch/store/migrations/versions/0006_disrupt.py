"""disrupt: social-media takedown requests and their transitions

Revision ID: 0006_disrupt
Revises:
Create Date: 2026-11-28 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cellwatch.store.base

revision: str = "0006_disrupt"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("disrupt",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table(
        "takedown_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("prison_number", sa.String(length=7), nullable=False),
        sa.Column("establishment", sa.String(length=8), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("platform_ref", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["establishment"],
            ["establishments.code"],
            name=op.f("fk_takedown_requests_establishment_establishments"),
        ),
        sa.ForeignKeyConstraint(
            ["prison_number"],
            ["prisoners.prison_number"],
            name=op.f("fk_takedown_requests_prison_number_prisoners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_takedown_requests")),
        sa.UniqueConstraint(
            "platform", "account", name=op.f("uq_takedown_requests_platform_account")
        ),
    )
    with op.batch_alter_table("takedown_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_takedown_requests_account"), ["account"])
        batch_op.create_index(batch_op.f("ix_takedown_requests_establishment"), ["establishment"])
        batch_op.create_index(batch_op.f("ix_takedown_requests_platform"), ["platform"])
        batch_op.create_index(batch_op.f("ix_takedown_requests_prison_number"), ["prison_number"])
        batch_op.create_index(batch_op.f("ix_takedown_requests_state"), ["state"])

    op.create_table(
        "takedown_transitions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["takedown_requests.id"],
            name=op.f("fk_takedown_transitions_request_id_takedown_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_takedown_transitions")),
    )
    with op.batch_alter_table("takedown_transitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_takedown_transitions_at"), ["at"])
        batch_op.create_index(batch_op.f("ix_takedown_transitions_request_id"), ["request_id"])


def downgrade() -> None:
    op.drop_table("takedown_transitions")
    op.drop_table("takedown_requests")
