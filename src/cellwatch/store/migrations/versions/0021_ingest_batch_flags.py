"""ingest batch flags: how many stored rows of a batch carry each flag

(``unallocated_number``, ``ambiguous_time``, ...), so ``cellwatch status`` and the web can
count flagged values of every kind, lake kinds included.

Revision ID: 0021_ingest_batch_flags
Revises: 0001_core
Create Date: 2026-12-07 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_ingest_batch_flags"
down_revision: str | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flagged", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ingest_batches", schema=None) as batch_op:
        batch_op.drop_column("flagged")
