"""audit keys and web sessions: keyed audit hashes name their key; sessions held on the server

``audit_log.key_id`` says which key a row's hash is an HMAC under (NULL: a row chained
before keyed hashes, plain SHA-256). ``web_sessions`` holds each signed-in web session,
so sign-out, the idle limit and the absolute limit end it on the server.

Revision ID: 0017_audit_keys_sessions
Revises: 0008_org_network
Create Date: 2026-12-07 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cellwatch.store.base

revision: str = "0017_audit_keys_sessions"
down_revision: str | None = "0008_org_network"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both engines: no table copy, and PostgreSQL's append-only
    # trigger (UPDATE, DELETE, TRUNCATE) is not involved.
    op.add_column("audit_log", sa.Column("key_id", sa.String(length=16), nullable=True))
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("created_at", cellwatch.store.base.UtcDateTime(timezone=True),
                  nullable=False),
        sa.Column("last_seen_at", cellwatch.store.base.UtcDateTime(timezone=True),
                  nullable=False),
        sa.Column("ended_at", cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
    )
    op.create_index(op.f("ix_web_sessions_username"), "web_sessions", ["username"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_web_sessions_username"), table_name="web_sessions")
    op.drop_table("web_sessions")
    # In place (SQLite 3.35+ drops a column itself); recreating audit_log would copy it.
    with op.batch_alter_table("audit_log", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("key_id")
