"""what the lead signed: the total, the grade and a digest of every leaf's score

A score sign-off holds only while the scores computed now are the ones signed: findings approved,
survey answers collected or a linked fact changed after the signature move a score without an
edit of the indicators, and the sign-off must then be given again (scoring/signoffs.py). A
sign-off recorded before this revision has no digest and is asked for again.

Revision ID: 202612071100_signed_figures
Revises: 202612071000_answers_stamp
Create Date: 2026-12-07 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workbench.core.money

revision: str = "202612071100_signed_figures"
down_revision: str | None = "202612071000_answers_stamp"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indicator_system", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scores_signed_total", workbench.core.money.DecimalType(2, 18), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "scores_signed_grade", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "scores_signed_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("indicator_system", schema=None) as batch_op:
        batch_op.drop_column("scores_signed_digest")
        batch_op.drop_column("scores_signed_grade")
        batch_op.drop_column("scores_signed_total")
