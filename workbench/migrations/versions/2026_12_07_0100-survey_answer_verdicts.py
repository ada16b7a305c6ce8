"""stored verdicts of survey answers: the answers list reads a page and its totals, not every answer

`survey_response.excluded`/`reasons` hold each answer's verdict (None until judged) and
`survey_judgement` what the verdicts rest on and their totals (issue 17); `ix_survey_response_stamp`
covers the cached survey results' check that the answers are unchanged (no table row read).

Revision ID: 202612070100_answer_verdicts
Revises: 202612062230_ex_ante_from_bands
Create Date: 2026-12-07 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "202612070100_answer_verdicts"
down_revision: str | None = "202612062230_ex_ante_from_bands"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("excluded", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("reasons", sa.JSON(none_as_null=True), nullable=True))
        batch_op.create_index(
            "ix_survey_response_verdict", ["survey_id", "excluded", "id"], unique=False
        )
        batch_op.create_index(
            "ix_survey_response_stamp",
            ["survey_id", "created_at", "override", "override_at", "id"],
            unique=False,
        )
    op.create_table(
        "survey_judgement",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("collected", sa.Integer(), nullable=False),
        sa.Column("excluded", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("judged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"]),
        sa.PrimaryKeyConstraint("survey_id"),
    )


def downgrade() -> None:
    op.drop_table("survey_judgement")
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_response_stamp")
        batch_op.drop_index("ix_survey_response_verdict")
        batch_op.drop_column("reasons")
        batch_op.drop_column("excluded")
