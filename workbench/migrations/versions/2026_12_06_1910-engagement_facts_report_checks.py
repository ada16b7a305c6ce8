"""one set of facts per engagement, indicator bindings to facts, the 报告体检 record

`fact_sheet` (the facts form's version), `engagement_fact` (value, source: entered or a working
paper's computed value), `indicator_binding` (目标值/实际值 shown from a fact) and `report_check`
(findings of the pre-generation check, the lead's acknowledgement, per generated version).

Revision ID: 202612061910_facts_checks
Revises: 202612061850_rectification_seal
Create Date: 2026-12-06 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from workbench.core.money import DecimalType

revision: str = "202612061910_facts_checks"
down_revision: str | None = "202612061850_rectification_seal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fact_sheet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"]),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("engagement_id"),
    )
    op.create_table(
        "engagement_fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("value", DecimalType(2, 18), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("source_label", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=True),
        sa.Column("paper_ref", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"]),
        sa.ForeignKeyConstraint(["paper_id"], ["working_paper.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("engagement_id", "key", name="uq_engagement_fact_key"),
    )
    op.create_index("ix_engagement_fact_engagement_id", "engagement_fact", ["engagement_id"])
    op.create_table(
        "indicator_binding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("target_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("actual_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"]),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicator.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("indicator_id"),
    )
    op.create_index("ix_indicator_binding_engagement_id", "indicator_binding", ["engagement_id"])
    op.create_table(
        "report_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=True),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["deliverable_version.id"]),
        sa.ForeignKeyConstraint(["acknowledged_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_check_engagement_id", "report_check", ["engagement_id"])
    op.create_index("ix_report_check_version_id", "report_check", ["version_id"])


def downgrade() -> None:
    op.drop_index("ix_report_check_version_id", table_name="report_check")
    op.drop_index("ix_report_check_engagement_id", table_name="report_check")
    op.drop_table("report_check")
    op.drop_index("ix_indicator_binding_engagement_id", table_name="indicator_binding")
    op.drop_table("indicator_binding")
    op.drop_index("ix_engagement_fact_engagement_id", table_name="engagement_fact")
    op.drop_table("engagement_fact")
    op.drop_table("fact_sheet")
