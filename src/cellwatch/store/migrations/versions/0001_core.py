"""core

Revision ID: 0001_core
Revises:
Create Date: 2026-11-28 22:30:50.978949
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cellwatch.store.base

revision: str = "0001_core"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("core",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "ingest_batches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=1000), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("file_format", sa.String(length=10), nullable=False),
        sa.Column("run_by", sa.String(length=100), nullable=False),
        sa.Column("started_at", cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_accepted", sa.Integer(), nullable=False),
        sa.Column("rows_updated", sa.Integer(), nullable=False),
        sa.Column("rows_duplicate", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
        sa.Column("unknown_columns", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_batches")),
    )
    with op.batch_alter_table("ingest_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ingest_batches_file_sha256"), ["file_sha256"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ingest_batches_kind"), ["kind"], unique=False)

    op.create_table(
        "allow_list",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("identifier_type", sa.String(length=10), nullable=False),
        sa.Column("identifier", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batches.id"], name=op.f("fk_allow_list_batch_id_ingest_batches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allow_list")),
        sa.UniqueConstraint(
            "identifier",
            "reason",
            "valid_from",
            name=op.f("uq_allow_list_identifier_reason_valid_from"),
        ),
    )
    with op.batch_alter_table("allow_list", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allow_list_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_allow_list_identifier"), ["identifier"], unique=False)

    op.create_table(
        "establishments",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("category", sa.String(length=50), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["ingest_batches.id"],
            name=op.f("fk_establishments_batch_id_ingest_batches"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_establishments")),
    )
    with op.batch_alter_table("establishments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_establishments_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_establishments_region"), ["region"], unique=False)

    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=1000), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("resolved_batch_id", sa.Integer(), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("edits", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batches.id"], name=op.f("fk_quarantine_batch_id_ingest_batches")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_batch_id"],
            ["ingest_batches.id"],
            name=op.f("fk_quarantine_resolved_batch_id_ingest_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine")),
    )
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quarantine_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quarantine_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_quarantine_reason"), ["reason"], unique=False)
        batch_op.create_index(batch_op.f("ix_quarantine_status"), ["status"], unique=False)

    op.create_table(
        "locations",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("establishment", sa.String(length=8), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=64), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("x_m", sa.Float(), nullable=True),
        sa.Column("y_m", sa.Float(), nullable=True),
        sa.Column("floor", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batches.id"], name=op.f("fk_locations_batch_id_ingest_batches")
        ),
        sa.ForeignKeyConstraint(
            ["establishment"],
            ["establishments.code"],
            name=op.f("fk_locations_establishment_establishments"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["locations.code"], name=op.f("fk_locations_parent_code_locations")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_locations")),
    )
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_locations_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_locations_establishment"), ["establishment"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_locations_parent_code"), ["parent_code"], unique=False)

    op.create_table(
        "prisoners",
        sa.Column("prison_number", sa.String(length=7), nullable=False),
        sa.Column("surname", sa.String(length=100), nullable=False),
        sa.Column("forenames", sa.String(length=200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("establishment", sa.String(length=8), nullable=True),
        sa.Column("reception_date", sa.Date(), nullable=True),
        sa.Column("release_date", sa.Date(), nullable=True),
        sa.Column("parole_eligibility_date", sa.Date(), nullable=True),
        sa.Column("next_parole_review_date", sa.Date(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batches.id"], name=op.f("fk_prisoners_batch_id_ingest_batches")
        ),
        sa.ForeignKeyConstraint(
            ["establishment"],
            ["establishments.code"],
            name=op.f("fk_prisoners_establishment_establishments"),
        ),
        sa.PrimaryKeyConstraint("prison_number", name=op.f("pk_prisoners")),
    )
    with op.batch_alter_table("prisoners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prisoners_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_prisoners_establishment"), ["establishment"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_prisoners_next_parole_review_date"),
            ["next_parole_review_date"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_prisoners_surname"), ["surname"], unique=False)

    op.create_table(
        "occupancy",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("prison_number", sa.String(length=7), nullable=False),
        sa.Column("location_code", sa.String(length=64), nullable=False),
        sa.Column("start_ts", cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("end_ts", cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batches.id"], name=op.f("fk_occupancy_batch_id_ingest_batches")
        ),
        sa.ForeignKeyConstraint(
            ["location_code"], ["locations.code"], name=op.f("fk_occupancy_location_code_locations")
        ),
        sa.ForeignKeyConstraint(
            ["prison_number"],
            ["prisoners.prison_number"],
            name=op.f("fk_occupancy_prison_number_prisoners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_occupancy")),
        sa.UniqueConstraint(
            "prison_number",
            "location_code",
            "start_ts",
            name=op.f("uq_occupancy_prison_number_location_code_start_ts"),
        ),
    )
    with op.batch_alter_table("occupancy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_occupancy_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_occupancy_location_code"), ["location_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_occupancy_prison_number"), ["prison_number"], unique=False
        )

    op.create_table(
        "pin_contacts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("prison_number", sa.String(length=7), nullable=False),
        sa.Column("contact_number", sa.String(length=20), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("relationship", sa.String(length=16), nullable=True),
        sa.Column("approved_from", sa.Date(), nullable=True),
        sa.Column("approved_to", sa.Date(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["ingest_batches.id"],
            name=op.f("fk_pin_contacts_batch_id_ingest_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["prison_number"],
            ["prisoners.prison_number"],
            name=op.f("fk_pin_contacts_prison_number_prisoners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pin_contacts")),
        sa.UniqueConstraint(
            "prison_number",
            "contact_number",
            "approved_from",
            name=op.f("uq_pin_contacts_prison_number_contact_number_approved_from"),
        ),
    )
    with op.batch_alter_table("pin_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pin_contacts_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pin_contacts_contact_number"), ["contact_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pin_contacts_prison_number"), ["prison_number"], unique=False
        )

    op.create_table(
        "seizure_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("seizure_ref", sa.String(length=64), nullable=False),
        sa.Column("item_no", sa.Integer(), nullable=False),
        sa.Column("ts", cellwatch.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("establishment", sa.String(length=8), nullable=False),
        sa.Column("location_code", sa.String(length=64), nullable=True),
        sa.Column("search_type", sa.String(length=20), nullable=True),
        sa.Column("item_type", sa.String(length=20), nullable=False),
        sa.Column("imei", sa.String(length=16), nullable=True),
        sa.Column("iccid", sa.String(length=22), nullable=True),
        sa.Column("imsi", sa.String(length=15), nullable=True),
        sa.Column("msisdn", sa.String(length=20), nullable=True),
        sa.Column("make", sa.String(length=100), nullable=True),
        sa.Column("model", sa.String(length=100), nullable=True),
        sa.Column("prison_number", sa.String(length=7), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["ingest_batches.id"],
            name=op.f("fk_seizure_items_batch_id_ingest_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["establishment"],
            ["establishments.code"],
            name=op.f("fk_seizure_items_establishment_establishments"),
        ),
        sa.ForeignKeyConstraint(
            ["location_code"],
            ["locations.code"],
            name=op.f("fk_seizure_items_location_code_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["prison_number"],
            ["prisoners.prison_number"],
            name=op.f("fk_seizure_items_prison_number_prisoners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seizure_items")),
        sa.UniqueConstraint(
            "seizure_ref", "item_no", name=op.f("uq_seizure_items_seizure_ref_item_no")
        ),
    )
    with op.batch_alter_table("seizure_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seizure_items_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_seizure_items_establishment"), ["establishment"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_seizure_items_iccid"), ["iccid"], unique=False)
        batch_op.create_index(batch_op.f("ix_seizure_items_imei"), ["imei"], unique=False)
        batch_op.create_index(batch_op.f("ix_seizure_items_imsi"), ["imsi"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_seizure_items_location_code"), ["location_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_seizure_items_msisdn"), ["msisdn"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_seizure_items_prison_number"), ["prison_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_seizure_items_seizure_ref"), ["seizure_ref"], unique=False
        )

    op.create_table(
        "sensors",
        sa.Column("sensor_id", sa.String(length=64), nullable=False),
        sa.Column("establishment", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("location_code", sa.String(length=64), nullable=True),
        sa.Column("x_m", sa.Float(), nullable=True),
        sa.Column("y_m", sa.Float(), nullable=True),
        sa.Column("range_m", sa.Float(), nullable=True),
        sa.Column("active_from", cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("active_to", cellwatch.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batches.id"], name=op.f("fk_sensors_batch_id_ingest_batches")
        ),
        sa.ForeignKeyConstraint(
            ["establishment"],
            ["establishments.code"],
            name=op.f("fk_sensors_establishment_establishments"),
        ),
        sa.ForeignKeyConstraint(
            ["location_code"], ["locations.code"], name=op.f("fk_sensors_location_code_locations")
        ),
        sa.PrimaryKeyConstraint("sensor_id", name=op.f("pk_sensors")),
    )
    with op.batch_alter_table("sensors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sensors_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sensors_establishment"), ["establishment"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("sensors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sensors_establishment"))
        batch_op.drop_index(batch_op.f("ix_sensors_batch_id"))

    op.drop_table("sensors")
    with op.batch_alter_table("seizure_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seizure_items_seizure_ref"))
        batch_op.drop_index(batch_op.f("ix_seizure_items_prison_number"))
        batch_op.drop_index(batch_op.f("ix_seizure_items_msisdn"))
        batch_op.drop_index(batch_op.f("ix_seizure_items_location_code"))
        batch_op.drop_index(batch_op.f("ix_seizure_items_imsi"))
        batch_op.drop_index(batch_op.f("ix_seizure_items_imei"))
        batch_op.drop_index(batch_op.f("ix_seizure_items_iccid"))
        batch_op.drop_index(batch_op.f("ix_seizure_items_establishment"))
        batch_op.drop_index(batch_op.f("ix_seizure_items_batch_id"))

    op.drop_table("seizure_items")
    with op.batch_alter_table("pin_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pin_contacts_prison_number"))
        batch_op.drop_index(batch_op.f("ix_pin_contacts_contact_number"))
        batch_op.drop_index(batch_op.f("ix_pin_contacts_batch_id"))

    op.drop_table("pin_contacts")
    with op.batch_alter_table("occupancy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_occupancy_prison_number"))
        batch_op.drop_index(batch_op.f("ix_occupancy_location_code"))
        batch_op.drop_index(batch_op.f("ix_occupancy_batch_id"))

    op.drop_table("occupancy")
    with op.batch_alter_table("prisoners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prisoners_surname"))
        batch_op.drop_index(batch_op.f("ix_prisoners_next_parole_review_date"))
        batch_op.drop_index(batch_op.f("ix_prisoners_establishment"))
        batch_op.drop_index(batch_op.f("ix_prisoners_batch_id"))

    op.drop_table("prisoners")
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_locations_parent_code"))
        batch_op.drop_index(batch_op.f("ix_locations_establishment"))
        batch_op.drop_index(batch_op.f("ix_locations_batch_id"))

    op.drop_table("locations")
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantine_status"))
        batch_op.drop_index(batch_op.f("ix_quarantine_reason"))
        batch_op.drop_index(batch_op.f("ix_quarantine_kind"))
        batch_op.drop_index(batch_op.f("ix_quarantine_batch_id"))

    op.drop_table("quarantine")
    with op.batch_alter_table("establishments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_establishments_region"))
        batch_op.drop_index(batch_op.f("ix_establishments_batch_id"))

    op.drop_table("establishments")
    with op.batch_alter_table("allow_list", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allow_list_identifier"))
        batch_op.drop_index(batch_op.f("ix_allow_list_batch_id"))

    op.drop_table("allow_list")
    with op.batch_alter_table("ingest_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingest_batches_kind"))
        batch_op.drop_index(batch_op.f("ix_ingest_batches_file_sha256"))

    op.drop_table("ingest_batches")
