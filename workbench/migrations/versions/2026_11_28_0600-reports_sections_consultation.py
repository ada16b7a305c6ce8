"""reports sections consultation

Narrative sections with versions, comments and the report's sign-offs; the plan/report settings;
the consultation with the evaluated unit and its opinions; the background PDF conversion state of
deliverable versions (existing rows get "" through the server default) and the background
generation jobs of the pages.

Revision ID: 202611280600_reports
Revises: 202611280541
Create Date: 2026-11-28 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workbench.core.money

revision: str = "202611280600_reports"
down_revision: str | None = "202611281900_fieldwork"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliverable_version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "pdf_status",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "pdf_error",
                sqlmodel.sql.sqltypes.AutoString(length=500),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("pdf_requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    op.create_table(
        "report_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"]),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["deliverable_version.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("report_job", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_job_engagement_id"), ["engagement_id"], unique=False
        )
    op.create_table(
        "report_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("confidence", workbench.core.money.DecimalType(4, 18), nullable=False),
        sa.Column("margin", workbench.core.money.DecimalType(4, 18), nullable=False),
        sa.Column("proportion", workbench.core.money.DecimalType(4, 18), nullable=False),
        sa.Column("target", sa.Integer(), nullable=True),
        sa.Column("strata", sa.JSON(), nullable=True),
        sa.Column(
            "ex_ante_conclusion", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False
        ),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("engagement_id"),
    )
    op.create_table(
        "report_section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("deliverable", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("engagement_id", "deliverable", "key", name="uq_report_section_key"),
    )
    with op.batch_alter_table("report_section", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_section_engagement_id"), ["engagement_id"], unique=False
        )
    op.create_table(
        "report_section_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("autosave", sa.Boolean(), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=True),
        sa.Column("saved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
        ),
        sa.ForeignKeyConstraint(
            ["saved_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["report_section.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("section_id", "number", name="uq_section_version_number"),
    )
    with op.batch_alter_table("report_section_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_section_version_engagement_id"), ["engagement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_report_section_version_section_id"), ["section_id"], unique=False
        )
    op.create_table(
        "report_section_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["report_section.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("report_section_comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_section_comment_engagement_id"), ["engagement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_report_section_comment_section_id"), ["section_id"], unique=False
        )
    op.create_table(
        "report_signoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("signed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sections_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("cleared_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("cleared_reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("report_signoff", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_signoff_engagement_id"), ["engagement_id"], unique=False
        )
    op.create_table(
        "consultation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("deliverable_version_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column(
            "no_opinions_note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False
        ),
        sa.Column("no_opinions_by_id", sa.Integer(), nullable=True),
        sa.Column("no_opinions_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["completed_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["deliverable_version_id"],
            ["deliverable_version.id"],
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
        ),
        sa.ForeignKeyConstraint(
            ["no_opinions_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_engagement_id"), ["engagement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consultation_recipient_id"), ["recipient_id"], unique=False
        )
    op.create_table(
        "consultation_opinion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("content", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("adoption", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("consultation_id", "number", name="uq_consultation_opinion_number"),
    )
    with op.batch_alter_table("consultation_opinion", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_opinion_consultation_id"), ["consultation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consultation_opinion_engagement_id"), ["engagement_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("consultation_opinion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_opinion_engagement_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_opinion_consultation_id"))
    op.drop_table("consultation_opinion")
    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_recipient_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_engagement_id"))
    op.drop_table("consultation")
    with op.batch_alter_table("report_signoff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_signoff_engagement_id"))
    op.drop_table("report_signoff")
    with op.batch_alter_table("report_section_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_section_comment_section_id"))
        batch_op.drop_index(batch_op.f("ix_report_section_comment_engagement_id"))
    op.drop_table("report_section_comment")
    with op.batch_alter_table("report_section_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_section_version_section_id"))
        batch_op.drop_index(batch_op.f("ix_report_section_version_engagement_id"))
    op.drop_table("report_section_version")
    with op.batch_alter_table("report_section", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_section_engagement_id"))
    op.drop_table("report_section")
    op.drop_table("report_setting")
    with op.batch_alter_table("report_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_job_engagement_id"))
    op.drop_table("report_job")
    with op.batch_alter_table("deliverable_version", schema=None) as batch_op:
        batch_op.drop_column("pdf_requested_at")
        batch_op.drop_column("pdf_error")
        batch_op.drop_column("pdf_status")
