"""a declared conflict of interest is withdrawn only with the agency admin's approval

`expert_conflict.withdrawal_requested_at` / `withdrawal_requested_by_id`: the expert asked to
withdraw the tie; it stays in force (assignments are still checked against it) until the agency
admin approves (the row is deleted) or refuses (both columns cleared).

Revision ID: 202612062000_conflict_withdrawal
Revises: 202612061930_plan_schedule
Create Date: 2026-12-06 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "202612062000_conflict_withdrawal"
down_revision: str | None = "202612061930_plan_schedule"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("expert_conflict", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("withdrawal_requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("withdrawal_requested_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_expert_conflict_withdrawal_requested_by_id_user",
            "user",
            ["withdrawal_requested_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("expert_conflict", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_expert_conflict_withdrawal_requested_by_id_user", type_="foreignkey"
        )
        batch_op.drop_column("withdrawal_requested_by_id")
        batch_op.drop_column("withdrawal_requested_at")
