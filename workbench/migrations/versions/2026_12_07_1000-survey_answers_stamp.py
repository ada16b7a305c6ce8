"""a survey's answers stamp: the cached figures check one row instead of every answer

`survey.answers_stamp` is replaced by a random value whenever an answer is added or overridden
(issue 17: the scoring page of a 20,000-answer engagement spent 5 ms counting answers to learn
they had not changed). The covering index that count used is no longer read, and every import
paid for it: it goes.

Revision ID: 202612071000_answers_stamp
Revises: 202612070100_answer_verdicts
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "202612071000_answers_stamp"
down_revision: str | None = "202612070100_answer_verdicts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "answers_stamp",
                sqlmodel.sql.sqltypes.AutoString(length=32),
                nullable=False,
                server_default="",
            )
        )
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_response_stamp")


def downgrade() -> None:
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_response_stamp",
            ["survey_id", "created_at", "override", "override_at", "id"],
            unique=False,
        )
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.drop_column("answers_stamp")
