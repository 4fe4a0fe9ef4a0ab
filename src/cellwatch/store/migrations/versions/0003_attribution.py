"""attribution: identity graph, attribution runs, evidence and judgements

Revision ID: 0003_attribution
Revises: (own branch; depends on 0001_core)
Create Date: 2026-11-28 22:41:31.173726
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cellwatch.store.base

revision: str = "0003_attribution"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("attribution",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table(
        "attribution_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("engine", sa.String(length=20), nullable=False),
        sa.Column("run_by", sa.String(length=100), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attribution_runs")),
    )
    op.create_table(
        "identity_hubs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("identifier_type", sa.String(length=10), nullable=False),
        sa.Column("identifier", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("degree", sa.Integer(), nullable=False),
        sa.Column("limit", sa.Integer(), nullable=False),
        sa.Column("reported_at", cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_hubs")),
        sa.UniqueConstraint(
            "identifier_type",
            "identifier",
            "source",
            name=op.f("uq_identity_hubs_identifier_type_identifier_source"),
        ),
    )
    with op.batch_alter_table("identity_hubs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_hubs_identifier"), ["identifier"], unique=False
        )

    op.create_table(
        "identity_link_builds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("built_at", cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("detection_batch", sa.Integer(), nullable=False),
        sa.Column("call_batch", sa.Integer(), nullable=False),
        sa.Column("seizure_id", sa.Integer(), nullable=False),
        sa.Column("links_added", sa.Integer(), nullable=False),
        sa.Column("links_updated", sa.Integer(), nullable=False),
        sa.Column("hubs", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_link_builds")),
    )
    op.create_table(
        "identity_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("a_type", sa.String(length=10), nullable=False),
        sa.Column("a", sa.String(length=64), nullable=False),
        sa.Column("b_type", sa.String(length=10), nullable=False),
        sa.Column("b", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("first_seen", cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen", cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_links")),
        sa.UniqueConstraint(
            "a_type",
            "a",
            "b_type",
            "b",
            "source",
            name=op.f("uq_identity_links_a_type_a_b_type_b_source"),
        ),
    )
    with op.batch_alter_table("identity_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identity_links_a"), ["a"], unique=False)
        batch_op.create_index(batch_op.f("ix_identity_links_b"), ["b"], unique=False)
        batch_op.create_index(batch_op.f("ix_identity_links_status"), ["status"], unique=False)

    op.create_table(
        "judgements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("target", sa.String(length=12), nullable=False),
        sa.Column("subject_type", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=10), nullable=False),
        sa.Column("object", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("at", cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("undone_at", cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judgements")),
    )
    with op.batch_alter_table("judgements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_judgements_object"), ["object"], unique=False)
        batch_op.create_index(batch_op.f("ix_judgements_subject"), ["subject"], unique=False)

    op.create_table(
        "attributions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("identifier_type", sa.String(length=10), nullable=False),
        sa.Column("identifier", sa.String(length=64), nullable=False),
        sa.Column("prison_number", sa.String(length=7), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["attribution_runs.id"],
            name=op.f("fk_attributions_run_id_attribution_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attributions")),
    )
    with op.batch_alter_table("attributions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attributions_identifier"), ["identifier"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attributions_prison_number"), ["prison_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_attributions_run_id"), ["run_id"], unique=False)

    op.create_table(
        "attribution_evidence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("attribution_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("weight_log2", sa.Float(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.Date(), nullable=True),
        sa.Column("last_seen", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attribution_id"],
            ["attributions.id"],
            name=op.f("fk_attribution_evidence_attribution_id_attributions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attribution_evidence")),
    )
    with op.batch_alter_table("attribution_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attribution_evidence_attribution_id"), ["attribution_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("attribution_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attribution_evidence_attribution_id"))

    op.drop_table("attribution_evidence")
    with op.batch_alter_table("attributions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attributions_run_id"))
        batch_op.drop_index(batch_op.f("ix_attributions_prison_number"))
        batch_op.drop_index(batch_op.f("ix_attributions_identifier"))

    op.drop_table("attributions")
    with op.batch_alter_table("judgements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_judgements_subject"))
        batch_op.drop_index(batch_op.f("ix_judgements_object"))

    op.drop_table("judgements")
    with op.batch_alter_table("identity_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_links_status"))
        batch_op.drop_index(batch_op.f("ix_identity_links_b"))
        batch_op.drop_index(batch_op.f("ix_identity_links_a"))

    op.drop_table("identity_links")
    op.drop_table("identity_link_builds")
    with op.batch_alter_table("identity_hubs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_hubs_identifier"))

    op.drop_table("identity_hubs")
    op.drop_table("attribution_runs")
