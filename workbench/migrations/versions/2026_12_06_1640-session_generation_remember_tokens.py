"""sessions that end: a per-user session generation, remember-me tokens, forced password change

`user.session_generation` is part of the id every session cookie holds, so raising it (logout,
password change, admin reset) ends every session of the user. `remember_token` holds the SHA-256
of each "remember me" cookie. `user.must_change_password` marks a temporary password from an
admin reset. Sessions signed before this revision hold the bare user id and no longer load: every
user logs in once more.

Revision ID: 202612061640_sessions
Revises: 202612061615_clean_text
Create Date: 2026-12-06 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "202612061640_sessions"
down_revision: str | None = "202612061615_clean_text"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    # The defaults only fill the rows that exist; new rows get theirs from the model.
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column("session_generation", server_default=None)
        batch_op.alter_column("must_change_password", server_default=None)

    op.create_table(
        "remember_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("session_generation", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("remember_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_remember_token_token_hash"), ["token_hash"], unique=True
        )
        batch_op.create_index(batch_op.f("ix_remember_token_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("remember_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_remember_token_user_id"))
        batch_op.drop_index(batch_op.f("ix_remember_token_token_hash"))
    op.drop_table("remember_token")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("session_generation")
