"""report sections marked internal, withheld from the public version (公开版)

Revision ID: 202612061905_internal_sections
Revises: 202612062016_outline_profiles
Create Date: 2026-12-06 19:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "202612061905_internal_sections"
down_revision: str | None = "202612062016_outline_profiles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_internal_section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagement.id"],
            name="fk_report_internal_section_engagement_id_engagement",
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"], ["user.id"], name="fk_report_internal_section_marked_by_id_user"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_report_internal_section"),
        sa.UniqueConstraint("engagement_id", "key", name="uq_report_internal_section_key"),
    )  # fmt: skip
    op.create_index(
        "ix_report_internal_section_engagement_id",
        "report_internal_section",
        ["engagement_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_report_internal_section_engagement_id", table_name="report_internal_section")
    op.drop_table("report_internal_section")
