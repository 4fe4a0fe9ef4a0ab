"""protect: shared alerts, protected persons, contact reports, social observations

Revision ID: 0005_protect
Revises:
Create Date: 2026-11-28 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cellwatch.store.base

revision: str = "0005_protect"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("protect",)
depends_on: str | Sequence[str] | None = ("0001_core", "0002_access")


def upgrade() -> None:
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('rule', sa.String(length=64), nullable=False),
    sa.Column('dedupe_key', sa.String(length=300), nullable=False),
    sa.Column('created_ts', cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('prison_number', sa.String(length=7), nullable=True),
    sa.Column('person_ref', sa.String(length=64), nullable=True),
    sa.Column('identifier', sa.String(length=200), nullable=True),
    sa.Column('establishment', sa.String(length=8), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('assigned_to', sa.String(length=100), nullable=True),
    sa.Column('assigned_at', cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=100), nullable=True),
    sa.Column('acknowledged_at', cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=100), nullable=True),
    sa.Column('closed_at', cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('rule', 'dedupe_key', name=op.f('uq_alerts_rule_dedupe_key'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_created_ts'), ['created_ts'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_establishment'), ['establishment'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_identifier'), ['identifier'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_person_ref'), ['person_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_prison_number'), ['prison_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_rule'), ['rule'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_status'), ['status'], unique=False)

    op.create_table('alert_deliveries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('target', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('delivered_at', cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_deliveries_alert_id_alerts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_deliveries')),
    sa.UniqueConstraint('alert_id', 'channel', 'target', name=op.f('uq_alert_deliveries_alert_id_channel_target'))
    )
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_deliveries_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_deliveries_status'), ['status'], unique=False)

    op.create_table('social_observations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('observation_ref', sa.String(length=64), nullable=False),
    sa.Column('observed_ts', cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('account', sa.String(length=200), nullable=False),
    sa.Column('post_url', sa.String(length=1000), nullable=True),
    sa.Column('posted_ts', cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('observed_by', sa.String(length=200), nullable=True),
    sa.Column('establishment', sa.String(length=8), nullable=True),
    sa.Column('prison_number', sa.String(length=7), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('source_line', sa.Integer(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['ingest_batches.id'], name=op.f('fk_social_observations_batch_id_ingest_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_observations')),
    sa.UniqueConstraint('observation_ref', name=op.f('uq_social_observations_observation_ref'))
    )
    with op.batch_alter_table('social_observations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_social_observations_account'), ['account'], unique=False)
        batch_op.create_index(batch_op.f('ix_social_observations_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_social_observations_prison_number'), ['prison_number'], unique=False)

    op.create_table('protected_persons',
    sa.Column('person_ref', sa.String(length=64), nullable=False),
    sa.Column('prison_number', sa.String(length=7), nullable=False),
    sa.Column('condition', sa.String(length=32), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('owner_org', sa.String(length=32), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('source_line', sa.Integer(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['ingest_batches.id'], name=op.f('fk_protected_persons_batch_id_ingest_batches')),
    sa.ForeignKeyConstraint(['owner_org'], ['organisations.code'], name=op.f('fk_protected_persons_owner_org_organisations')),
    sa.ForeignKeyConstraint(['prison_number'], ['prisoners.prison_number'], name=op.f('fk_protected_persons_prison_number_prisoners')),
    sa.PrimaryKeyConstraint('person_ref', name=op.f('pk_protected_persons'))
    )
    with op.batch_alter_table('protected_persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_protected_persons_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_protected_persons_owner_org'), ['owner_org'], unique=False)
        batch_op.create_index(batch_op.f('ix_protected_persons_prison_number'), ['prison_number'], unique=False)

    op.create_table('contact_reports',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('report_ref', sa.String(length=64), nullable=False),
    sa.Column('received_ts', cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('occurred_ts', cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('reporting_org', sa.String(length=200), nullable=True),
    sa.Column('crime_reference', sa.String(length=64), nullable=True),
    sa.Column('person_ref', sa.String(length=64), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('sender_type', sa.String(length=10), nullable=False),
    sa.Column('sender', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('resolution', sa.String(length=10), nullable=False),
    sa.Column('resolved_at', cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('source_line', sa.Integer(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['ingest_batches.id'], name=op.f('fk_contact_reports_batch_id_ingest_batches')),
    sa.ForeignKeyConstraint(['person_ref'], ['protected_persons.person_ref'], name=op.f('fk_contact_reports_person_ref_protected_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_reports')),
    sa.UniqueConstraint('report_ref', name=op.f('uq_contact_reports_report_ref'))
    )
    with op.batch_alter_table('contact_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_reports_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_reports_crime_reference'), ['crime_reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_reports_person_ref'), ['person_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_reports_resolution'), ['resolution'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_reports_sender'), ['sender'], unique=False)

    op.create_table('protected_identifiers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('person_ref', sa.String(length=64), nullable=False),
    sa.Column('identifier_type', sa.String(length=10), nullable=False),
    sa.Column('identifier', sa.String(length=200), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('source_line', sa.Integer(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['ingest_batches.id'], name=op.f('fk_protected_identifiers_batch_id_ingest_batches')),
    sa.ForeignKeyConstraint(['person_ref'], ['protected_persons.person_ref'], name=op.f('fk_protected_identifiers_person_ref_protected_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_protected_identifiers')),
    sa.UniqueConstraint('person_ref', 'identifier', name=op.f('uq_protected_identifiers_person_ref_identifier'))
    )
    with op.batch_alter_table('protected_identifiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_protected_identifiers_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_protected_identifiers_identifier'), ['identifier'], unique=False)
        batch_op.create_index(batch_op.f('ix_protected_identifiers_person_ref'), ['person_ref'], unique=False)

    op.create_table('contact_resolutions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('prison_number', sa.String(length=7), nullable=False),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('device', sa.String(length=200), nullable=True),
    sa.Column('resolved_at', cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['contact_reports.id'], name=op.f('fk_contact_resolutions_report_id_contact_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_resolutions')),
    sa.UniqueConstraint('report_id', 'prison_number', name=op.f('uq_contact_resolutions_report_id_prison_number'))
    )
    with op.batch_alter_table('contact_resolutions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_resolutions_prison_number'), ['prison_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_resolutions_report_id'), ['report_id'], unique=False)

    op.create_table('crime_referrals',
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('offence', sa.String(length=300), nullable=False),
    sa.Column('police_status', sa.String(length=32), nullable=False),
    sa.Column('officer', sa.String(length=200), nullable=True),
    sa.Column('establishment', sa.String(length=8), nullable=True),
    sa.Column('due_by', sa.Date(), nullable=False),
    sa.Column('escalated_at', cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_crime_referrals_referral_id_referrals')),
    sa.PrimaryKeyConstraint('referral_id', name=op.f('pk_crime_referrals'))
    )
    with op.batch_alter_table('crime_referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crime_referrals_establishment'), ['establishment'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('crime_referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crime_referrals_establishment'))

    op.drop_table('crime_referrals')
    with op.batch_alter_table('contact_resolutions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_resolutions_report_id'))
        batch_op.drop_index(batch_op.f('ix_contact_resolutions_prison_number'))

    op.drop_table('contact_resolutions')
    with op.batch_alter_table('protected_identifiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_protected_identifiers_person_ref'))
        batch_op.drop_index(batch_op.f('ix_protected_identifiers_identifier'))
        batch_op.drop_index(batch_op.f('ix_protected_identifiers_batch_id'))

    op.drop_table('protected_identifiers')
    with op.batch_alter_table('contact_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_reports_sender'))
        batch_op.drop_index(batch_op.f('ix_contact_reports_resolution'))
        batch_op.drop_index(batch_op.f('ix_contact_reports_person_ref'))
        batch_op.drop_index(batch_op.f('ix_contact_reports_crime_reference'))
        batch_op.drop_index(batch_op.f('ix_contact_reports_batch_id'))

    op.drop_table('contact_reports')
    with op.batch_alter_table('protected_persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_protected_persons_prison_number'))
        batch_op.drop_index(batch_op.f('ix_protected_persons_owner_org'))
        batch_op.drop_index(batch_op.f('ix_protected_persons_batch_id'))

    op.drop_table('protected_persons')
    with op.batch_alter_table('social_observations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_social_observations_prison_number'))
        batch_op.drop_index(batch_op.f('ix_social_observations_batch_id'))
        batch_op.drop_index(batch_op.f('ix_social_observations_account'))

    op.drop_table('social_observations')
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_deliveries_status'))
        batch_op.drop_index(batch_op.f('ix_alert_deliveries_alert_id'))

    op.drop_table('alert_deliveries')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_status'))
        batch_op.drop_index(batch_op.f('ix_alerts_rule'))
        batch_op.drop_index(batch_op.f('ix_alerts_prison_number'))
        batch_op.drop_index(batch_op.f('ix_alerts_person_ref'))
        batch_op.drop_index(batch_op.f('ix_alerts_identifier'))
        batch_op.drop_index(batch_op.f('ix_alerts_establishment'))
        batch_op.drop_index(batch_op.f('ix_alerts_created_ts'))

    op.drop_table('alerts')
