"""report outline profiles per agency and commissioning bureau

`outline_profile`: an agency's own outline (YAML) for one commissioning bureau's engagements of
one type, one row per saved version; the newest active one applies, else the shipped profile.

Revision ID: 202612062016_outline_profiles
Revises: 202612062015_self_scores
Create Date: 2026-12-06 20:16:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "202612062016_outline_profiles"
down_revision: str | None = "202612062015_self_scores"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outline_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("bureau_id", sa.Integer(), nullable=False),
        sa.Column("engagement_type", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["bureau_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "agency_id",
            "bureau_id",
            "engagement_type",
            "version",
            name="uq_outline_profile_version",
        ),
    )
    op.create_index("ix_outline_profile_agency_id", "outline_profile", ["agency_id"])
    op.create_index("ix_outline_profile_bureau_id", "outline_profile", ["bureau_id"])


def downgrade() -> None:
    op.drop_index("ix_outline_profile_bureau_id", table_name="outline_profile")
    op.drop_index("ix_outline_profile_agency_id", table_name="outline_profile")
    op.drop_table("outline_profile")
