"""guard holds: suspected staff, visitor and contractor phones, held out of candidates

Revision ID: 0015_guard_holds
Revises:
Create Date: 2026-12-07 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cellwatch.store.base

revision: str = "0015_guard_holds"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table(
        "guard_holds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("identifier_type", sa.String(length=10), nullable=False),
        sa.Column("identifier", sa.String(length=64), nullable=False),
        sa.Column("establishment", sa.String(length=8), nullable=False),
        sa.Column("flag", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("allow_listed", sa.Boolean(), nullable=False),
        sa.Column("first_flagged_at", cellwatch.store.base.UtcDateTime(timezone=True),
                  nullable=False),
        sa.Column("computed_at", cellwatch.store.base.UtcDateTime(timezone=True),
                  nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("allow_entry_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["allow_entry_id"], ["allow_list.id"],
                                name=op.f("fk_guard_holds_allow_entry_id_allow_list")),
        sa.ForeignKeyConstraint(["establishment"], ["establishments.code"],
                                name=op.f("fk_guard_holds_establishment_establishments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guard_holds")),
        sa.UniqueConstraint("identifier_type", "identifier", "establishment",
                            name=op.f("uq_guard_holds_identifier_type_identifier_establishment")),
    )
    with op.batch_alter_table("guard_holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guard_holds_identifier"), ["identifier"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_guard_holds_establishment"), ["establishment"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_guard_holds_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("guard_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guard_holds_status"))
        batch_op.drop_index(batch_op.f("ix_guard_holds_establishment"))
        batch_op.drop_index(batch_op.f("ix_guard_holds_identifier"))
    op.drop_table("guard_holds")
