"""phone extractions: extractions, their identifiers, call/message metadata and links

Revision ID: 0024_extractions
Revises:
Create Date: 2026-12-07 03:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cellwatch.store.base

revision: str = "0024_extractions"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0001_core"

_TS = cellwatch.store.base.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "extractions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=1000), nullable=False),
        sa.Column("tool", sa.String(length=10), nullable=False),
        sa.Column("extracted_at", _TS(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["ingest_batches.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_extractions_batch_id", "extractions", ["batch_id"])
    op.create_table(
        "extraction_identifiers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("extraction_id", sa.Integer(), nullable=False),
        sa.Column("source_line", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("identifier_type", sa.String(length=10), nullable=False),
        sa.Column("identifier", sa.String(length=500), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["extraction_id"], ["extractions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("extraction_id", "role", "identifier_type", "identifier"),
    )
    op.create_index("ix_extraction_identifiers_extraction_id", "extraction_identifiers",
                    ["extraction_id"])
    op.create_index("ix_extraction_identifiers_identifier", "extraction_identifiers",
                    ["identifier"])
    op.create_table(
        "extraction_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("extraction_id", sa.Integer(), nullable=False),
        sa.Column("source_line", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("ts", _TS(timezone=True), nullable=True),
        sa.Column("direction", sa.String(length=20), nullable=True),
        sa.Column("party", sa.String(length=64), nullable=True),
        sa.Column("application", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["extraction_id"], ["extractions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_extraction_events_extraction_id", "extraction_events",
                    ["extraction_id"])
    op.create_index("ix_extraction_events_party", "extraction_events", ["party"])
    op.create_table(
        "extraction_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("extraction_id", sa.Integer(), nullable=False),
        sa.Column("a_type", sa.String(length=10), nullable=False),
        sa.Column("a", sa.String(length=64), nullable=False),
        sa.Column("b_type", sa.String(length=10), nullable=False),
        sa.Column("b", sa.String(length=64), nullable=False),
        sa.Column("ts", _TS(timezone=True), nullable=False),
        sa.Column("build_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["extraction_id"], ["extractions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_extraction_links_extraction_id", "extraction_links",
                    ["extraction_id"])
    op.create_index("ix_extraction_links_build_id", "extraction_links", ["build_id"])


def downgrade() -> None:
    for table in ("extraction_links", "extraction_events", "extraction_identifiers"):
        op.drop_table(table)
    op.drop_table("extractions")
