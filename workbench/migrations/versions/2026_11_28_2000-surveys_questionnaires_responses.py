"""surveys: questionnaires, responses and file imports

Revision ID: 202611282000_surveys
Revises: 202611280541
Create Date: 2026-11-28 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workbench.core.money

revision: str = "202611282000_surveys"
down_revision: str | None = "202611280600_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("respondents", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("template_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=True),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("opens_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("closes_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("opened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("one_per_device", sa.Boolean(), nullable=False),
        sa.Column("thank_you", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=True),
        sa.Column("top_k", sa.Integer(), nullable=False),
        sa.Column("sample_population", sa.Integer(), nullable=True),
        sa.Column("sample_confidence", workbench.core.money.DecimalType(4, 18), nullable=False),
        sa.Column("sample_margin", workbench.core.money.DecimalType(4, 18), nullable=False),
        sa.Column("sample_planned_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column(
            "sample_waived_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False
        ),
        sa.Column("sample_waived_by_id", sa.Integer(), nullable=True),
        sa.Column("sample_waived_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
        ),
        sa.ForeignKeyConstraint(
            ["sample_waived_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
    )
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_engagement_id"), ["engagement_id"], unique=False
        )

    op.create_table(
        "survey_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["blob.sha256"],
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("survey_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_import_survey_id"), ["survey_id"], unique=False)

    op.create_table(
        "survey_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("source_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("ip", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("ip_location", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("origin_detail", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("missing", sa.JSON(), nullable=True),
        sa.Column("other_text", sa.JSON(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("override", sa.Boolean(), nullable=True),
        sa.Column("override_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("override_by_id", sa.Integer(), nullable=True),
        sa.Column("override_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["survey_import.id"],
        ),
        sa.ForeignKeyConstraint(
            ["override_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("survey_id", "source_key", name="uq_survey_response_source"),
    )
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_response_import_id"), ["import_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_response_survey_id"), ["survey_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_response_survey_id"))
        batch_op.drop_index(batch_op.f("ix_survey_response_import_id"))

    op.drop_table("survey_response")
    with op.batch_alter_table("survey_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_import_survey_id"))

    op.drop_table("survey_import")
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_engagement_id"))

    op.drop_table("survey")
