"""notice preferences and reminder stamps

`notice_mute`: a kind of notice a user turned off on the profile page (all kinds are on until
muted). `notice_stamp`: one deadline reminder sent to one user about one item on one day, so
`workbench notices run` sends nothing twice when cron runs it again.

Revision ID: 202612062010_notice_prefs
Revises: 202612061852_plan_reviews
Create Date: 2026-12-06 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "202612062010_notice_prefs"
down_revision: str | None = "202612061852_plan_reviews"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notice_mute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_notice_mute_user_id_user"),
        sa.PrimaryKeyConstraint("id", name="pk_notice_mute"),
        sa.UniqueConstraint("user_id", "kind", name="uq_notice_mute"),
    )
    op.create_index("ix_notice_mute_user_id", "notice_mute", ["user_id"], unique=False)
    op.create_table(
        "notice_stamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_notice_stamp_user_id_user"),
        sa.PrimaryKeyConstraint("id", name="pk_notice_stamp"),
        sa.UniqueConstraint("user_id", "kind", "ref", "day", name="uq_notice_stamp"),
    )
    op.create_index("ix_notice_stamp_user_id", "notice_stamp", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_notice_stamp_user_id", table_name="notice_stamp")
    op.drop_table("notice_stamp")
    op.drop_index("ix_notice_mute_user_id", table_name="notice_mute")
    op.drop_table("notice_mute")
