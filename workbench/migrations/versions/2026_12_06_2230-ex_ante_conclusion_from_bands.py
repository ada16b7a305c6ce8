"""the ex-ante conclusion only from the bands: drop the lead's manual choice

`report_setting.ex_ante_conclusion` let a lead tick a conclusion other than the one the signed
score's band gives; the conclusion is now always derived (issue 13), so the column goes.

Revision ID: 202612062230_ex_ante_from_bands
Revises: 202612062200_library_pinyin
Create Date: 2026-12-06 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "202612062230_ex_ante_from_bands"
down_revision: str | None = "202612062200_library_pinyin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report_setting", schema=None) as batch_op:
        batch_op.drop_column("ex_ante_conclusion")


def downgrade() -> None:
    with op.batch_alter_table("report_setting", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "ex_ante_conclusion",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="",
            )
        )
