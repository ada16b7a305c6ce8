"""the unit's rectification reports with evidence; the archive package sealed at 完成归档

`rectification_report` / `rectification_evidence`: the evaluated unit reports feedback, progress
or completion of a rectification item from its own page, with files (content-addressed blobs).
`archive_seal`: the archive zip built at 完成归档 (a blob) and the SHA-256 of its manifest.json;
later exports copy it verbatim and add a post-archive addendum chained to that manifest.

Revision ID: 202612061850_rectification_seal
Revises: 202612062000_conflict_withdrawal
Create Date: 2026-12-06 18:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "202612061850_rectification_seal"
down_revision: str | None = "202612062000_conflict_withdrawal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "rectification_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", AutoString(length=20), nullable=False),
        sa.Column("text", AutoString(length=2000), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["rectification_item.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rectification_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rectification_report_engagement_id"), ["engagement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rectification_report_item_id"), ["item_id"], unique=False
        )
    op.create_table(
        "rectification_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("sha256", AutoString(length=64), nullable=False),
        sa.Column("name", AutoString(length=255), nullable=False),
        sa.Column("mime", AutoString(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"]),
        sa.ForeignKeyConstraint(["report_id"], ["rectification_report.id"]),
        sa.ForeignKeyConstraint(["sha256"], ["blob.sha256"]),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rectification_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rectification_evidence_engagement_id"), ["engagement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rectification_evidence_report_id"), ["report_id"], unique=False
        )
    op.create_table(
        "archive_seal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("sha256", AutoString(length=64), nullable=False),
        sa.Column("manifest_sha256", AutoString(length=64), nullable=False),
        sa.Column("sealed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"]),
        sa.ForeignKeyConstraint(["sha256"], ["blob.sha256"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("engagement_id"),
    )


def downgrade() -> None:
    op.drop_table("archive_seal")
    with op.batch_alter_table("rectification_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_evidence_report_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_evidence_engagement_id"))
    op.drop_table("rectification_evidence")
    with op.batch_alter_table("rectification_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_report_item_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_report_engagement_id"))
    op.drop_table("rectification_report")
