"""scoring: expert scores of expert-rule indicators

Revision ID: 202611280600_scoring
Revises: 202611280536
Create Date: 2026-11-28 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workbench.core.money

revision: str = "202611280600_scoring"
down_revision: str | None = "202611280610_finance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "expert_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("score", workbench.core.money.DecimalType(2, 18), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"]),
        sa.ForeignKeyConstraint(["expert_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicator.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("indicator_id", "expert_id", name="uq_expert_score_indicator_expert"),
    )
    with op.batch_alter_table("expert_score", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_expert_score_engagement_id"), ["engagement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_expert_score_expert_id"), ["expert_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_expert_score_indicator_id"), ["indicator_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("expert_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_score_indicator_id"))
        batch_op.drop_index(batch_op.f("ix_expert_score_expert_id"))
        batch_op.drop_index(batch_op.f("ix_expert_score_engagement_id"))
    op.drop_table("expert_score")
