"""attributions keep the interval of the last run they were carried from

A nightly run copies the last run's earlier intervals (attribution.carry); their evidence
is then copied by this column in one indexed join. Matching copies to originals by their
values instead took 10 of 24 seconds of a nightly run on a 20-prison estate in SQLite.

Revision ID: 0030_attribution_carried_from
Revises: 0009_attribution_lookups
Create Date: 2026-12-07 20:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030_attribution_carried_from"
down_revision: str | None = "0009_attribution_lookups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("attributions", sa.Column("carried_from", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attributions", schema=None) as batch_op:
        batch_op.drop_column("carried_from")
