"""access: organisations, users, graded intelligence, cases, referrals and the audit chain.

On PostgreSQL this also creates the unprivileged role ``cellwatch_app`` that guarded
transactions drop to, the row-level security policies on ``prisoners`` and
``intelligence_reports`` (see :mod:`cellwatch.access.rls`), and a trigger that makes
``audit_log`` append-only.

Revision ID: 0002_access
Revises:
Create Date: 2026-11-29 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cellwatch.store.base

revision: str = "0002_access"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("access",)
depends_on: str | Sequence[str] | None = "0001_core"

APP_ROLE = "cellwatch_app"


def upgrade() -> None:
    _create_tables()
    if op.get_bind().dialect.name == "postgresql":
        _postgres_role()
        _postgres_row_security()
        _postgres_append_only_audit()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _POSTGRES_DOWN:
            op.execute(statement)
    _drop_tables()


def _create_tables() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('ts', cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('principal', sa.String(length=100), nullable=False),
    sa.Column('org', sa.String(length=32), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('resource_type', sa.String(length=40), nullable=False),
    sa.Column('resource_id', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.String(length=1000), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_log_hash')),
    sa.UniqueConstraint('prev_hash', name=op.f('uq_audit_log_prev_hash'))
    )
    op.create_index(op.f('ix_audit_log_action'), 'audit_log', ['action'], unique=False)
    op.create_index(op.f('ix_audit_log_org'), 'audit_log', ['org'], unique=False)
    op.create_index(op.f('ix_audit_log_outcome'), 'audit_log', ['outcome'], unique=False)
    op.create_index(op.f('ix_audit_log_principal'), 'audit_log', ['principal'], unique=False)
    op.create_index(op.f('ix_audit_log_resource_type'), 'audit_log', ['resource_type'], unique=False)
    op.create_table('organisations',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('establishment', sa.String(length=8), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['establishment'], ['establishments.code'], name=op.f('fk_organisations_establishment_establishments')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_organisations'))
    )
    op.create_index(op.f('ix_organisations_kind'), 'organisations', ['kind'], unique=False)
    op.create_table('cases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('owner_org', sa.String(length=32), nullable=False),
    sa.Column('establishment', sa.String(length=8), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['establishment'], ['establishments.code'], name=op.f('fk_cases_establishment_establishments')),
    sa.ForeignKeyConstraint(['owner_org'], ['organisations.code'], name=op.f('fk_cases_owner_org_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('ref', name=op.f('uq_cases_ref'))
    )
    op.create_index(op.f('ix_cases_owner_org'), 'cases', ['owner_org'], unique=False)
    op.create_table('intelligence_reports',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('report_ref', sa.String(length=64), nullable=False),
    sa.Column('ts', cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('establishment', sa.String(length=8), nullable=True),
    sa.Column('source_evaluation', sa.String(length=1), nullable=False),
    sa.Column('intelligence_assessment', sa.String(length=1), nullable=False),
    sa.Column('handling_code', sa.String(length=1), nullable=False),
    sa.Column('handling_conditions', sa.Text(), nullable=True),
    sa.Column('owner_org', sa.String(length=32), nullable=True),
    sa.Column('identifiers', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('created_at', cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('source_line', sa.Integer(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['ingest_batches.id'], name=op.f('fk_intelligence_reports_batch_id_ingest_batches')),
    sa.ForeignKeyConstraint(['establishment'], ['establishments.code'], name=op.f('fk_intelligence_reports_establishment_establishments')),
    sa.ForeignKeyConstraint(['owner_org'], ['organisations.code'], name=op.f('fk_intelligence_reports_owner_org_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intelligence_reports')),
    sa.UniqueConstraint('report_ref', name=op.f('uq_intelligence_reports_report_ref'))
    )
    op.create_index(op.f('ix_intelligence_reports_batch_id'), 'intelligence_reports', ['batch_id'], unique=False)
    op.create_index(op.f('ix_intelligence_reports_establishment'), 'intelligence_reports', ['establishment'], unique=False)
    op.create_index(op.f('ix_intelligence_reports_handling_code'), 'intelligence_reports', ['handling_code'], unique=False)
    op.create_index(op.f('ix_intelligence_reports_owner_org'), 'intelligence_reports', ['owner_org'], unique=False)
    op.create_table('users',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('org_code', sa.String(length=32), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('token_version', sa.Integer(), nullable=False),
    sa.Column('created_at', cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_code'], ['organisations.code'], name=op.f('fk_users_org_code_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_index(op.f('ix_users_org_code'), 'users', ['org_code'], unique=False)
    op.create_table('case_shares',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('org_code', sa.String(length=32), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('granted_by', sa.String(length=100), nullable=False),
    sa.Column('granted_at', cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_shares_case_id_cases')),
    sa.ForeignKeyConstraint(['org_code'], ['organisations.code'], name=op.f('fk_case_shares_org_code_organisations')),
    sa.PrimaryKeyConstraint('case_id', 'org_code', name=op.f('pk_case_shares'))
    )
    op.create_table('case_subjects',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('prison_number', sa.String(length=7), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_subjects_case_id_cases')),
    sa.ForeignKeyConstraint(['prison_number'], ['prisoners.prison_number'], name=op.f('fk_case_subjects_prison_number_prisoners')),
    sa.PrimaryKeyConstraint('case_id', 'prison_number', name=op.f('pk_case_subjects'))
    )
    op.create_index(op.f('ix_case_subjects_prison_number'), 'case_subjects', ['prison_number'], unique=False)
    op.create_table('disseminations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('ts', cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('to_org', sa.String(length=32), nullable=True),
    sa.Column('principal', sa.String(length=100), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['intelligence_reports.id'], name=op.f('fk_disseminations_report_id_intelligence_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disseminations'))
    )
    op.create_index(op.f('ix_disseminations_report_id'), 'disseminations', ['report_id'], unique=False)
    op.create_index(op.f('ix_disseminations_to_org'), 'disseminations', ['to_org'], unique=False)
    op.create_table('intelligence_releases',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('org_code', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['org_code'], ['organisations.code'], name=op.f('fk_intelligence_releases_org_code_organisations')),
    sa.ForeignKeyConstraint(['report_id'], ['intelligence_reports.id'], name=op.f('fk_intelligence_releases_report_id_intelligence_reports')),
    sa.PrimaryKeyConstraint('report_id', 'org_code', name=op.f('pk_intelligence_releases'))
    )
    op.create_table('intelligence_subjects',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('prison_number', sa.String(length=7), nullable=False),
    sa.ForeignKeyConstraint(['prison_number'], ['prisoners.prison_number'], name=op.f('fk_intelligence_subjects_prison_number_prisoners')),
    sa.ForeignKeyConstraint(['report_id'], ['intelligence_reports.id'], name=op.f('fk_intelligence_subjects_report_id_intelligence_reports')),
    sa.PrimaryKeyConstraint('report_id', 'prison_number', name=op.f('pk_intelligence_subjects'))
    )
    op.create_index(op.f('ix_intelligence_subjects_prison_number'), 'intelligence_subjects', ['prison_number'], unique=False)
    op.create_table('referrals',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('from_org', sa.String(length=32), nullable=False),
    sa.Column('to_org', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('prison_number', sa.String(length=7), nullable=True),
    sa.Column('crime_reference', sa.String(length=64), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_by', sa.String(length=100), nullable=True),
    sa.Column('acknowledged_at', cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_referrals_case_id_cases')),
    sa.ForeignKeyConstraint(['from_org'], ['organisations.code'], name=op.f('fk_referrals_from_org_organisations')),
    sa.ForeignKeyConstraint(['prison_number'], ['prisoners.prison_number'], name=op.f('fk_referrals_prison_number_prisoners')),
    sa.ForeignKeyConstraint(['to_org'], ['organisations.code'], name=op.f('fk_referrals_to_org_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    op.create_index(op.f('ix_referrals_from_org'), 'referrals', ['from_org'], unique=False)
    op.create_index(op.f('ix_referrals_prison_number'), 'referrals', ['prison_number'], unique=False)
    op.create_index(op.f('ix_referrals_status'), 'referrals', ['status'], unique=False)
    op.create_index(op.f('ix_referrals_to_org'), 'referrals', ['to_org'], unique=False)

def _drop_tables() -> None:
    op.drop_index(op.f('ix_referrals_to_org'), table_name='referrals')
    op.drop_index(op.f('ix_referrals_status'), table_name='referrals')
    op.drop_index(op.f('ix_referrals_prison_number'), table_name='referrals')
    op.drop_index(op.f('ix_referrals_from_org'), table_name='referrals')
    op.drop_table('referrals')
    op.drop_index(op.f('ix_intelligence_subjects_prison_number'), table_name='intelligence_subjects')
    op.drop_table('intelligence_subjects')
    op.drop_table('intelligence_releases')
    op.drop_index(op.f('ix_disseminations_to_org'), table_name='disseminations')
    op.drop_index(op.f('ix_disseminations_report_id'), table_name='disseminations')
    op.drop_table('disseminations')
    op.drop_index(op.f('ix_case_subjects_prison_number'), table_name='case_subjects')
    op.drop_table('case_subjects')
    op.drop_table('case_shares')
    op.drop_index(op.f('ix_users_org_code'), table_name='users')
    op.drop_table('users')
    op.drop_index(op.f('ix_intelligence_reports_owner_org'), table_name='intelligence_reports')
    op.drop_index(op.f('ix_intelligence_reports_handling_code'), table_name='intelligence_reports')
    op.drop_index(op.f('ix_intelligence_reports_establishment'), table_name='intelligence_reports')
    op.drop_index(op.f('ix_intelligence_reports_batch_id'), table_name='intelligence_reports')
    op.drop_table('intelligence_reports')
    op.drop_index(op.f('ix_cases_owner_org'), table_name='cases')
    op.drop_table('cases')
    op.drop_index(op.f('ix_organisations_kind'), table_name='organisations')
    op.drop_table('organisations')
    op.drop_index(op.f('ix_audit_log_resource_type'), table_name='audit_log')
    op.drop_index(op.f('ix_audit_log_principal'), table_name='audit_log')
    op.drop_index(op.f('ix_audit_log_outcome'), table_name='audit_log')
    op.drop_index(op.f('ix_audit_log_org'), table_name='audit_log')
    op.drop_index(op.f('ix_audit_log_action'), table_name='audit_log')
    op.drop_table('audit_log')


_ROLE_SQL = [
    # Roles are cluster-wide: another database (or a parallel test worker) may have made it.
    f"""DO $$ BEGIN CREATE ROLE {APP_ROLE} NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$""",
    # The migrating user must be able to SET ROLE to it (a superuser always can).
    f"""DO $$ BEGIN EXECUTE format('GRANT {APP_ROLE} TO %I', current_user);
        EXCEPTION WHEN others THEN NULL; END $$""",
    f"""DO $$ BEGIN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO {APP_ROLE}', current_schema());
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO {APP_ROLE}', current_schema());
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO {APP_ROLE}', current_schema());
        END $$""",
    # Tables other branches create later are granted too.
    f"ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}",
    f"ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}",
    f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {APP_ROLE}",
]


def _postgres_role() -> None:
    for statement in _ROLE_SQL:
        op.execute(statement)


# Unset settings read as '' or NULL, which match nothing: a forgotten scope fails closed.
_SHARED_PRISONER_FN = """
CREATE FUNCTION cellwatch_shared_prisoner(pn text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
      SELECT 1 FROM case_subjects cs JOIN cases c ON c.id = cs.case_id
      WHERE cs.prison_number = pn
        AND (c.owner_org = current_setting('cellwatch.org', true)
             OR EXISTS (SELECT 1 FROM case_shares sh WHERE sh.case_id = c.id
                        AND sh.org_code = current_setting('cellwatch.org', true))))
  OR EXISTS (
      SELECT 1 FROM referrals r WHERE r.prison_number = pn
        AND current_setting('cellwatch.org', true) IN (r.from_org, r.to_org))
$$"""

_IN_SCOPE_FN = """
CREATE FUNCTION cellwatch_in_scope(est text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT current_setting('cellwatch.establishments', true) = '*'
      OR est = ANY (string_to_array(current_setting('cellwatch.establishments', true), ','))
$$"""

_BYPASS = "current_setting('cellwatch.bypass', true) = 'on'"

_PRISONERS_POLICY = """
CREATE POLICY cellwatch_scope ON prisoners FOR SELECT USING (
  current_setting('cellwatch.bypass', true) = 'on'
  OR cellwatch_in_scope(establishment)
  OR cellwatch_shared_prisoner(prison_number))"""

_INTELLIGENCE_POLICY = """
CREATE POLICY cellwatch_scope ON intelligence_reports FOR SELECT USING (
  current_setting('cellwatch.bypass', true) = 'on'
  OR owner_org = current_setting('cellwatch.org', true)
  OR (handling_code = 'C' AND EXISTS (
        SELECT 1 FROM intelligence_releases r WHERE r.report_id = intelligence_reports.id
          AND r.org_code = current_setting('cellwatch.org', true)))
  OR (handling_code = 'P' AND (
        cellwatch_in_scope(establishment)
        OR EXISTS (SELECT 1 FROM intelligence_subjects s
                   WHERE s.report_id = intelligence_reports.id
                     AND cellwatch_shared_prisoner(s.prison_number)))))"""


def _postgres_row_security() -> None:
    op.execute(_SHARED_PRISONER_FN)
    op.execute(_IN_SCOPE_FN)
    for table, policy in (("prisoners", _PRISONERS_POLICY),
                          ("intelligence_reports", _INTELLIGENCE_POLICY)):
        # ENABLE, not FORCE: the owner (migrations, ingest, the system CLI) stays outside;
        # guarded transactions run as the non-owner APP_ROLE, which the policies bind.
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(policy)
        op.execute(f"CREATE POLICY cellwatch_system ON {table} USING ({_BYPASS}) WITH CHECK ({_BYPASS})")


def _postgres_append_only_audit() -> None:
    op.execute("""
CREATE FUNCTION cellwatch_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$""")
    op.execute("""CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION cellwatch_audit_append_only()""")
    op.execute("""CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION cellwatch_audit_append_only()""")


_POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
    "DROP FUNCTION IF EXISTS cellwatch_audit_append_only()",
    "DROP POLICY IF EXISTS cellwatch_scope ON intelligence_reports",
    "DROP POLICY IF EXISTS cellwatch_system ON intelligence_reports",
    "DROP POLICY IF EXISTS cellwatch_scope ON prisoners",
    "DROP POLICY IF EXISTS cellwatch_system ON prisoners",
    "ALTER TABLE prisoners DISABLE ROW LEVEL SECURITY",
    "DROP FUNCTION IF EXISTS cellwatch_shared_prisoner(text)",
    "DROP FUNCTION IF EXISTS cellwatch_in_scope(text)",
]
