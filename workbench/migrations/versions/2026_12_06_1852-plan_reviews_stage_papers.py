"""the plan's expert reviews and each firm's per-stage working-paper requirements

`plan_review`: an expert's opinion on a plan version with the conclusion 通过 / 修改后通过 /
不通过, signed in the app by the expert or recorded by the lead with the paper's scan; the plan
stage's gate reads it. `stage_paper_setting`: per agency and stage, the templates whose approved
paper the stage's gate asks for (absent rows: the defaults in fieldwork/stage_papers.py).

Revision ID: 202612061852_plan_reviews
Revises: 202612061910_facts_checks
Create Date: 2026-12-06 18:52:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "202612061852_plan_reviews"
down_revision: str | None = "202612061910_facts_checks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "plan_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("plan_version_id", sa.Integer(), nullable=True),
        sa.Column("plan_version_number", sa.Integer(), nullable=True),
        sa.Column("conclusion", AutoString(length=24), nullable=False),
        sa.Column("opinion", AutoString(length=4000), nullable=False),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("scan_sha256", AutoString(length=64), nullable=True),
        sa.Column("scan_name", AutoString(length=255), nullable=False),
        sa.Column("scan_mime", AutoString(length=120), nullable=False),
        sa.Column("content_hash", AutoString(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"]),
        sa.ForeignKeyConstraint(["expert_id"], ["expert.id"]),
        sa.ForeignKeyConstraint(["plan_version_id"], ["deliverable_version.id"]),
        sa.ForeignKeyConstraint(["signed_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["scan_sha256"], ["blob.sha256"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_review_engagement_id"), ["engagement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_plan_review_expert_id"), ["expert_id"], unique=False)
    op.create_table(
        "stage_paper_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("stage", AutoString(length=30), nullable=False),
        sa.Column("template_keys", sa.JSON(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agency_id", "stage", name="uq_stage_paper_setting"),
    )
    with op.batch_alter_table("stage_paper_setting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stage_paper_setting_agency_id"), ["agency_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("stage_paper_setting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stage_paper_setting_agency_id"))
    op.drop_table("stage_paper_setting")
    with op.batch_alter_table("plan_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_review_expert_id"))
        batch_op.drop_index(batch_op.f("ix_plan_review_engagement_id"))
    op.drop_table("plan_review")
