"""the plan is a plan: its own timetable and 编制日期, and the team's 职称 and 资格证书

`report_setting.schedule` holds the plan's planned dates per phase ([{phase, start, end}], ISO dates,
blank where not yet planned) and `report_setting.plan_date` its 编制日期: the plan prints these
instead of the engagement's actual progress. `user.title` (职称) and `user.qualifications`
(资格证书, one per line) fill the plan's team table; 分工 is already per engagement (`member.duty`).

Revision ID: 202612061930_plan_schedule
Revises: 202612061850_managed_by
Create Date: 2026-12-06 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "202612061930_plan_schedule"
down_revision: str | None = "202612061850_managed_by"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "title",
                sqlmodel.sql.sqltypes.AutoString(length=60),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "qualifications",
                sqlmodel.sql.sqltypes.AutoString(length=500),
                nullable=False,
                server_default="",
            )
        )
    # The defaults only fill the rows that exist; new rows get theirs from the model.
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column("title", server_default=None)
        batch_op.alter_column("qualifications", server_default=None)
    with op.batch_alter_table("report_setting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("schedule", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_setting", schema=None) as batch_op:
        batch_op.drop_column("schedule")
        batch_op.drop_column("plan_date")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("qualifications")
        batch_op.drop_column("title")
