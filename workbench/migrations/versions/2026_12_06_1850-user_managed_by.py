"""administration scoped to an agency: the agency that manages each account

`user.managed_by_id` names the agency whose admin administers the account: its own staff, and the
bureau, unit and expert accounts it created. An account with none is the instance operator's (the
`workbench user` commands). Agency staff get their own agency. Bureau, unit and expert accounts get
the agency only where the instance holds exactly one agency (a firm's own installation); with
several, they stay with the operator, who assigns them, and their visibility is unchanged.

Revision ID: 202612061850_managed_by
Revises: 202612061640_sessions
Create Date: 2026-12-06 18:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "202612061850_managed_by"
down_revision: str | None = "202612061640_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("managed_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_user_managed_by_id"), ["managed_by_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_user_managed_by_id_organisation", "organisation", ["managed_by_id"], ["id"]
        )
    user = sa.table(
        "user",
        sa.column("managed_by_id", sa.Integer()),
        sa.column("org_id", sa.Integer()),
        sa.column("org_kind", sa.String()),
    )
    op.execute(user.update().where(user.c.org_kind == "agency").values(managed_by_id=user.c.org_id))
    bind = op.get_bind()
    agencies = bind.execute(sa.text("SELECT id FROM organisation WHERE kind = 'agency'")).all()
    if len(agencies) == 1:
        op.execute(
            user.update().where(user.c.org_kind != "agency").values(managed_by_id=agencies[0][0])
        )


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint("fk_user_managed_by_id_organisation", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_user_managed_by_id"))
        batch_op.drop_column("managed_by_id")
