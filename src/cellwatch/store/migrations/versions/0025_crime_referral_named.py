"""crime referrals keep the prison number the force named

A force may report a crime by any well-formed prison number: the answer must not tell it
whether that prisoner exists. The referral's own ``prison_number`` (a key to
``prisoners``) is set only when he does; this column keeps what the force sent, always.

Revision ID: 0025_crime_referral_named
Revises: 0010_one_alert_system
Create Date: 2026-12-07 04:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025_crime_referral_named"
down_revision: str | None = "0010_one_alert_system"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crime_referrals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("named_prison_number", sa.String(length=16),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crime_referrals", schema=None) as batch_op:
        batch_op.drop_column("named_prison_number")
