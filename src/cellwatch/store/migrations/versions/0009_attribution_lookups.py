"""attribution look-ups: identifier and prisoner indexes that also hold the run

A look-up is always "this identifier (or prisoner) in the latest run". With one index per
column and no statistics, SQLite chose the run's index and read every attribution of the
run (19 ms a look-up on a year's estate, 645 of them per alert run); a composite index
answers it directly. The single-column indexes are their prefixes, so they go.

Revision ID: 0009_attribution_lookups
Revises: 0003_attribution
Create Date: 2026-11-29 11:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_attribution_lookups"
down_revision: str | None = "0003_attribution"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_attributions_identifier_run", "attributions",
                    ["identifier", "run_id"], unique=False)
    op.create_index("ix_attributions_prison_number_run", "attributions",
                    ["prison_number", "run_id"], unique=False)
    op.drop_index("ix_attributions_identifier", table_name="attributions")
    op.drop_index("ix_attributions_prison_number", table_name="attributions")


def downgrade() -> None:
    op.create_index("ix_attributions_identifier", "attributions", ["identifier"], unique=False)
    op.create_index("ix_attributions_prison_number", "attributions", ["prison_number"],
                    unique=False)
    op.drop_index("ix_attributions_prison_number_run", table_name="attributions")
    op.drop_index("ix_attributions_identifier_run", table_name="attributions")
