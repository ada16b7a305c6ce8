"""the association hub: members, published items, statistics; a member's connection, links,
incoming updates and cached shared statistics

Revision ID: 202612100900_association_hub
Revises: 202612091000_benchmark_series
Create Date: 2026-12-10 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workbench.core.money

revision: str = "202612100900_association_hub"
down_revision: str | None = "202612091000_benchmark_series"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hub_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "hub_connection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("key_secret", sa.Text(), nullable=False),
        sa.Column("public_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("share_stats", sa.Boolean(), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_success_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id"),
    )
    op.create_table(
        "hub_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("key_hint", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "hub_stat_cache",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("indicator_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sector", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("engagements", sa.Integer(), nullable=False),
        sa.Column("mean_rate", workbench.core.money.DecimalType(2, 18), nullable=True),
        sa.Column("mean_weight", workbench.core.money.DecimalType(2, 18), nullable=True),
        sa.Column("fetched_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["hub_connection.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hub_stat_cache", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hub_stat_cache_key", ["connection_id", "indicator_key"], unique=False
        )

    op.create_table(
        "hub_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("hub_item_id", sa.Integer(), nullable=False),
        sa.Column("hub_version", sa.Integer(), nullable=False),
        sa.Column("publisher", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sector", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("engagement_types", sa.JSON(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["hub_connection.id"],
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("connection_id", "hub_item_id", name="uq_hub_update_item"),
    )
    with op.batch_alter_table("hub_update", schema=None) as batch_op:
        batch_op.create_index("ix_hub_update_status", ["connection_id", "status"], unique=False)

    op.create_table(
        "hub_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("origin_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("publisher", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sector", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("engagement_types", sa.JSON(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["hub_member.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "origin_key", name="uq_hub_item_origin"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("hub_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hub_item_member_id"), ["member_id"], unique=False)

    op.create_table(
        "hub_stat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("indicator_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sector", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("engagements", sa.Integer(), nullable=False),
        sa.Column("rate_sum", workbench.core.money.DecimalType(2, 14), nullable=False),
        sa.Column("rate_count", sa.Integer(), nullable=False),
        sa.Column("weight_sum", workbench.core.money.DecimalType(2, 14), nullable=False),
        sa.Column("uploaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["hub_member.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hub_stat", schema=None) as batch_op:
        batch_op.create_index("ix_hub_stat_key", ["indicator_key", "year"], unique=False)
        batch_op.create_index(batch_op.f("ix_hub_stat_member_id"), ["member_id"], unique=False)

    op.create_table(
        "hub_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("hub_item_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("hub_version", sa.Integer(), nullable=False),
        sa.Column("base_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["hub_connection.id"],
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["library_indicator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("connection_id", "hub_item_id", name="uq_hub_link_item"),
        sa.UniqueConstraint("connection_id", "indicator_id", name="uq_hub_link_indicator"),
    )
    with op.batch_alter_table("hub_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hub_link_connection_id"), ["connection_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_hub_link_indicator_id"), ["indicator_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("hub_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_link_indicator_id"))
        batch_op.drop_index(batch_op.f("ix_hub_link_connection_id"))

    op.drop_table("hub_link")
    with op.batch_alter_table("hub_stat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_stat_member_id"))
        batch_op.drop_index("ix_hub_stat_key")

    op.drop_table("hub_stat")
    with op.batch_alter_table("hub_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_item_member_id"))

    op.drop_table("hub_item")
    with op.batch_alter_table("hub_update", schema=None) as batch_op:
        batch_op.drop_index("ix_hub_update_status")

    op.drop_table("hub_update")
    with op.batch_alter_table("hub_stat_cache", schema=None) as batch_op:
        batch_op.drop_index("ix_hub_stat_cache_key")

    op.drop_table("hub_stat_cache")
    op.drop_table("hub_member")
    op.drop_table("hub_connection")
    op.drop_table("hub_feed")
