"""protected persons keep the prison number as named, no key to prisoners

A victim-liaison officer (who may not read prisoners) recording a protected person was
refused an unknown prison number, so the form told whether a prisoner exists. The number is
now kept as named, well formed, held or not, and joined to ``prisoners`` by value when read
(alerts, resolution), so a condition recorded before he is received works once he is.

Revision ID: 0028_protected_named
Revises: 0027_referral_rls
Create Date: 2026-12-07 06:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0028_protected_named"
down_revision: str | None = "0027_referral_rls"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FK = "fk_protected_persons_prison_number_prisoners"


def upgrade() -> None:
    with op.batch_alter_table("protected_persons", schema=None) as batch_op:
        batch_op.drop_constraint(_FK, type_="foreignkey")


def downgrade() -> None:
    # Fails while a person is named against a prisoner the store does not hold.
    with op.batch_alter_table("protected_persons", schema=None) as batch_op:
        batch_op.create_foreign_key(_FK, "prisoners", ["prison_number"], ["prison_number"])
