"""row-level security: a referral shares its prisoner with its receiver only

``cellwatch_shared_prisoner`` (0002_access) let either party of a referral see the
prisoner it names, so under PostgreSQL's row-level security a force that reported a crime
by prison number was shown the prisoner's record. The service layer never let it (the
policy and ``access/scopes.shared_prisoner`` share only with the receiver); now the
database agrees. PostgreSQL only: SQLite has no row-level security.

Revision ID: 0027_referral_rls
Revises: 0026_referral_outcome
Create Date: 2026-12-07 06:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0027_referral_rls"
down_revision: str | None = "0026_referral_outcome"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SHARED_PRISONER_FN = """
CREATE OR REPLACE FUNCTION cellwatch_shared_prisoner(pn text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
      SELECT 1 FROM case_subjects cs JOIN cases c ON c.id = cs.case_id
      WHERE cs.prison_number = pn
        AND (c.owner_org = current_setting('cellwatch.org', true)
             OR EXISTS (SELECT 1 FROM case_shares sh WHERE sh.case_id = c.id
                        AND sh.org_code = current_setting('cellwatch.org', true))))
  OR EXISTS (
      SELECT 1 FROM referrals r WHERE r.prison_number = pn
        AND {referral_party})
$$"""
_RECEIVER = "r.to_org = current_setting('cellwatch.org', true)"
_EITHER_PARTY = "current_setting('cellwatch.org', true) IN (r.from_org, r.to_org)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_SHARED_PRISONER_FN.format(referral_party=_RECEIVER))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_SHARED_PRISONER_FN.format(referral_party=_EITHER_PARTY))
