"""reports deliverable versions

Revision ID: 202611280541
Revises: 202611280536
Create Date: 2026-11-28 05:41:31.666664
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "202611280541"
down_revision: str | None = "202611280536"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deliverable_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("mime", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("pdf_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("generated_by_id", sa.Integer(), nullable=True),
        sa.Column("generated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
        ),
        sa.ForeignKeyConstraint(
            ["generated_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["pdf_sha256"],
            ["blob.sha256"],
        ),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["blob.sha256"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("engagement_id", "kind", "number", name="uq_deliverable_number"),
    )
    with op.batch_alter_table("deliverable_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deliverable_version_engagement_id"), ["engagement_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("deliverable_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliverable_version_engagement_id"))
    op.drop_table("deliverable_version")
