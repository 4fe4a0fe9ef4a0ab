"""tro candidates: the materialised disconnection candidates and the runs that computed them

Revision ID: 0007_tro_candidates
Revises: 0004_tro
Create Date: 2026-11-29 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cellwatch.store.base

revision: str = "0007_tro_candidates"
down_revision: str | None = "0004_tro"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tro_candidate_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("computed_at", cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("batch_watermark", sa.Integer(), nullable=False),
        sa.Column("batch_count", sa.Integer(), nullable=False),
        sa.Column("policy_sha256", sa.String(length=64), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tro_candidate_runs")),
    )
    with op.batch_alter_table("tro_candidate_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tro_candidate_runs_policy_sha256"),
                              ["policy_sha256"], unique=False)

    op.create_table(
        "tro_candidates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("identifier_type", sa.String(length=10), nullable=False),
        sa.Column("identifier", sa.String(length=64), nullable=False),
        sa.Column("establishment", sa.String(length=8), nullable=False),
        sa.Column("operator", sa.String(length=100), nullable=True),
        sa.Column("evidence_days", sa.Integer(), nullable=False),
        sa.Column("first_seen", cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen", cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("detection_days", sa.Integer(), nullable=False),
        sa.Column("detections", sa.Integer(), nullable=False),
        sa.Column("call_days", sa.Integer(), nullable=False),
        sa.Column("seizures", sa.Integer(), nullable=False),
        sa.Column("home_imsi", sa.String(length=20), nullable=True),
        sa.Column("linked_imsis", sa.JSON(), nullable=False),
        sa.Column("linked_imeis", sa.JSON(), nullable=False),
        sa.Column("locations", sa.JSON(), nullable=False),
        sa.Column("seizure_refs", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["tro_candidate_runs.id"],
                                name=op.f("fk_tro_candidates_run_id_tro_candidate_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tro_candidates")),
        sa.UniqueConstraint("run_id", "identifier_type", "identifier", "establishment",
                            name="uq_tro_candidates_run_key"),
    )
    with op.batch_alter_table("tro_candidates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tro_candidates_identifier"), ["identifier"],
                              unique=False)
        batch_op.create_index("ix_tro_candidates_run_id_establishment_score",
                              ["run_id", "establishment", "score"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tro_candidates", schema=None) as batch_op:
        batch_op.drop_index("ix_tro_candidates_run_id_establishment_score")
        batch_op.drop_index(batch_op.f("ix_tro_candidates_identifier"))
    op.drop_table("tro_candidates")
    with op.batch_alter_table("tro_candidate_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tro_candidate_runs_policy_sha256"))
    op.drop_table("tro_candidate_runs")
