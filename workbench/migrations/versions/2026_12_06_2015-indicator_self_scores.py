"""the evaluated unit's self-score per indicator (自评复核)

`indicator.self_score`: the unit's own score of the indicator; `indicator.self_gap_note`: why it
differs from the review score (required in the report when the gap is over the threshold).

Revision ID: 202612062015_self_scores
Revises: 202612062010_notice_prefs
Create Date: 2026-12-06 20:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from workbench.core.money import DecimalType

revision: str = "202612062015_self_scores"
down_revision: str | None = "202612062010_notice_prefs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.add_column(sa.Column("self_score", DecimalType(2), nullable=True))
        batch_op.add_column(
            sa.Column(
                "self_gap_note",
                sqlmodel.sql.sqltypes.AutoString(length=2000),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_column("self_gap_note")
        batch_op.drop_column("self_score")
