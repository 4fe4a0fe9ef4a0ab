"""org network: the mobile network an operator organisation answers order lines for

Revision ID: 0008_org_network
Revises: 0002_access
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_org_network"
down_revision: str | None = "0002_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("network", sa.String(length=100), nullable=True))


def downgrade() -> None:
    # In place (SQLite 3.35+ drops a column itself): recreating the table, as batch mode
    # otherwise does on SQLite, would drop a table that users and cases still reference.
    with op.batch_alter_table("organisations", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("network")
