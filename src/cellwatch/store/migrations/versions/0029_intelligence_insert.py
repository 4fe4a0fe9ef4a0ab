"""row-level security: a user may file intelligence owned by his own organisation

0002_access enabled row-level security on ``intelligence_reports`` with a SELECT
policy for users and an ALL policy for the system (``cellwatch.bypass``) only, so a
report submitted from the web or API (a guarded transaction, running as the non-owner
application role) was refused by PostgreSQL: no policy let the row in. The service
layer decides who may submit and for which establishment; the database now agrees to
the one thing it can check itself, that the report is owned by the writer's
organisation. PostgreSQL only: SQLite has no row-level security.

Revision ID: 0029_intelligence_insert
Revises: 0028_protected_named
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0029_intelligence_insert"
down_revision: str | None = "0028_protected_named"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_POLICY = """
CREATE POLICY cellwatch_own_report ON intelligence_reports FOR INSERT
WITH CHECK (owner_org = current_setting('cellwatch.org', true))"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POLICY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY cellwatch_own_report ON intelligence_reports")
