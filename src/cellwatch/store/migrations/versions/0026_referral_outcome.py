"""referral outcomes and update requests

A referral's receiver records what came of it (a force: charged, no further action...),
each outcome a row so a change of outcome keeps the earlier one; and the receiver of a
review referral (the Parole Board) asks its sender for an update, which the sender marks
done with an answer.

Revision ID: 0026_referral_outcome
Revises: 0025_crime_referral_named
Create Date: 2026-12-07 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cellwatch.store.base

revision: str = "0026_referral_outcome"
down_revision: str | None = "0025_crime_referral_named"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = cellwatch.store.base.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "referral_outcomes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("outcome_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", _TS(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["referral_id"], ["referrals.id"],
                                name="fk_referral_outcomes_referral_id_referrals"),
        sa.PrimaryKeyConstraint("id", name="pk_referral_outcomes"),
    )
    op.create_index("ix_referral_outcomes_referral_id", "referral_outcomes", ["referral_id"])
    op.create_table(
        "update_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("prison_number", sa.String(length=7), nullable=False),
        sa.Column("from_org", sa.String(length=32), nullable=False),
        sa.Column("to_org", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("requested_at", _TS(timezone=True), nullable=False),
        sa.Column("done_by", sa.String(length=100), nullable=True),
        sa.Column("done_at", _TS(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["referral_id"], ["referrals.id"],
                                name="fk_update_requests_referral_id_referrals"),
        sa.ForeignKeyConstraint(["prison_number"], ["prisoners.prison_number"],
                                name="fk_update_requests_prison_number_prisoners"),
        sa.ForeignKeyConstraint(["from_org"], ["organisations.code"],
                                name="fk_update_requests_from_org_organisations"),
        sa.ForeignKeyConstraint(["to_org"], ["organisations.code"],
                                name="fk_update_requests_to_org_organisations"),
        sa.PrimaryKeyConstraint("id", name="pk_update_requests"),
    )
    for column in ("referral_id", "prison_number", "from_org", "to_org", "status"):
        op.create_index(f"ix_update_requests_{column}", "update_requests", [column])


def downgrade() -> None:
    for column in ("referral_id", "prison_number", "from_org", "to_org", "status"):
        op.drop_index(f"ix_update_requests_{column}", table_name="update_requests")
    op.drop_table("update_requests")
    op.drop_index("ix_referral_outcomes_referral_id", table_name="referral_outcomes")
    op.drop_table("referral_outcomes")
