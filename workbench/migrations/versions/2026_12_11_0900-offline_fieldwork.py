"""offline fieldwork: check-outs, their bases, check-ins and conflicts; the device on audit entries

Revision ID: 202612110900_offline_fieldwork
Revises: 202612100900_association_hub
Create Date: 2026-12-11 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workbench.core.money

revision: str = "202612110900_offline_fieldwork"
down_revision: str | None = "202612100900_association_hub"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offline_checkout",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ended_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
    )
    with op.batch_alter_table("offline_checkout", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offline_checkout_engagement_id"), ["engagement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_offline_checkout_user_id"), ["user_id"], unique=False)

    op.create_table(
        "offline_base",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkout_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("server_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("created_offline", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkout_id"],
            ["offline_checkout.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("checkout_id", "table_name", "key", name="uq_offline_base_key"),
    )
    with op.batch_alter_table("offline_base", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offline_base_checkout_id"), ["checkout_id"], unique=False
        )
        batch_op.create_index(
            "ix_offline_base_server", ["checkout_id", "table_name", "server_key"], unique=False
        )

    op.create_table(
        "offline_checkin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkout_id", sa.Integer(), nullable=False),
        sa.Column("export_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("exported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["checkout_id"],
            ["offline_checkout.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("export_id"),
    )
    with op.batch_alter_table("offline_checkin", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offline_checkin_checkout_id"), ["checkout_id"], unique=False
        )

    op.create_table(
        "offline_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("checkout_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("server_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("offline_row", sa.JSON(), nullable=True),
        sa.Column("deleted", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("choice", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["checkin_id"],
            ["offline_checkin.id"],
        ),
        sa.ForeignKeyConstraint(
            ["checkout_id"],
            ["offline_checkout.id"],
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("offline_conflict", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offline_conflict_checkin_id"), ["checkin_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_offline_conflict_checkout_id"), ["checkout_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_offline_conflict_engagement_id"), ["engagement_id"], unique=False
        )

    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("latitude", workbench.core.money.DecimalType(6, 18), nullable=True)
        )
        batch_op.add_column(
            sa.Column("longitude", workbench.core.money.DecimalType(6, 18), nullable=True)
        )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "device",
                sqlmodel.sql.sqltypes.AutoString(length=60),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_column("device")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")

    with op.batch_alter_table("offline_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offline_conflict_engagement_id"))
        batch_op.drop_index(batch_op.f("ix_offline_conflict_checkout_id"))
        batch_op.drop_index(batch_op.f("ix_offline_conflict_checkin_id"))

    op.drop_table("offline_conflict")
    with op.batch_alter_table("offline_checkin", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offline_checkin_checkout_id"))

    op.drop_table("offline_checkin")
    with op.batch_alter_table("offline_base", schema=None) as batch_op:
        batch_op.drop_index("ix_offline_base_server")
        batch_op.drop_index(batch_op.f("ix_offline_base_checkout_id"))

    op.drop_table("offline_base")
    with op.batch_alter_table("offline_checkout", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offline_checkout_user_id"))
        batch_op.drop_index(batch_op.f("ix_offline_checkout_engagement_id"))

    op.drop_table("offline_checkout")
