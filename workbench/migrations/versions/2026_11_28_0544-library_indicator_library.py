"""library: shared indicator library (packs, indicators, immutable versions, tags, search index)

Revision ID: 202611280544_library
Revises: 202611280536
Create Date: 2026-11-28 05:44:11.609806

The search index: on PostgreSQL the pg_trgm extension and a GIN trigram index on
library_indicator.search_text (ILIKE '%…%'); on SQLite the same index is a plain b-tree scanned
by short-query LIKE, and the FTS5 trigram table is created by workbench.library.search on first
use (Alembic would otherwise see its virtual/shadow tables as unknown tables).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workbench.core.money

revision: str = "202611280544_library"
down_revision: str | None = "202611280600_scoring"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "library_pack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("engagement_types", sa.JSON(), nullable=True),
        sa.Column("sector", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("pack_version", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["imported_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "library_indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("pack_key", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("sector", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("engagement_types", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status_note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("source_engagement_id", sa.Integer(), nullable=True),
        sa.Column("source_indicator_id", sa.Integer(), nullable=True),
        sa.Column("proposed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["source_engagement_id"], ["engagement.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("library_indicator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_library_indicator_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_library_indicator_owner_id"), ["owner_id"], unique=False
        )
        batch_op.create_index("ix_library_indicator_pack", ["pack_key", "position"], unique=False)
        batch_op.create_index(
            "ix_library_indicator_search",
            ["search_text"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            # Inserts go straight into the index: no pending list misleading the planner.
            postgresql_with={"fastupdate": "off"},
        )
        batch_op.create_index(batch_op.f("ix_library_indicator_sector"), ["sector"], unique=False)
        batch_op.create_index(batch_op.f("ix_library_indicator_status"), ["status"], unique=False)

    op.create_table(
        "library_indicator_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("level1", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("level2", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("points", sa.JSON(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("standard_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("params", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("weight", workbench.core.money.DecimalType(2, 18), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("scoring", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=True),
        sa.Column("benchmarks", sa.JSON(), nullable=True),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("change_note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["indicator_id"], ["library_indicator.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("indicator_id", "number", name="uq_library_version_number"),
    )
    with op.batch_alter_table("library_indicator_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_library_indicator_version_indicator_id"), ["indicator_id"], unique=False
        )

    op.create_table(
        "library_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("tag", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.ForeignKeyConstraint(["indicator_id"], ["library_indicator.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("indicator_id", "tag", name="uq_library_tag"),
    )
    with op.batch_alter_table("library_tag", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_library_tag_indicator_id"), ["indicator_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_library_tag_tag"), ["tag"], unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # The FTS5 table and its triggers (created on first search) go with the table they index.
        for trigger in ("library_fts_ai", "library_fts_ad", "library_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS library_fts")
    with op.batch_alter_table("library_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_library_tag_tag"))
        batch_op.drop_index(batch_op.f("ix_library_tag_indicator_id"))
    op.drop_table("library_tag")
    with op.batch_alter_table("library_indicator_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_library_indicator_version_indicator_id"))
    op.drop_table("library_indicator_version")
    with op.batch_alter_table("library_indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_library_indicator_status"))
        batch_op.drop_index(batch_op.f("ix_library_indicator_sector"))
        batch_op.drop_index(
            "ix_library_indicator_search",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )
        batch_op.drop_index("ix_library_indicator_pack")
        batch_op.drop_index(batch_op.f("ix_library_indicator_owner_id"))
        batch_op.drop_index(batch_op.f("ix_library_indicator_name"))
    op.drop_table("library_indicator")
    op.drop_table("library_pack")
    # pg_trgm stays: other indexes may use it, and dropping an extension needs more privileges.
