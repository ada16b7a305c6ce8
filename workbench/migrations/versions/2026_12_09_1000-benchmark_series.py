"""benchmark series imported into the library, and the value an engagement indicator cites

Revision ID: 202612091000_benchmark_series
Revises: 202612090900_job_attempts
Create Date: 2026-12-09 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workbench.core.money

revision: str = "202612091000_benchmark_series"
down_revision: str | None = "202612090900_job_attempts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "library_benchmark_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("filename", AutoString(length=200), nullable=False),
        sa.Column("sha256", AutoString(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("revised", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_table(
        "library_benchmark_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("region", AutoString(length=60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", workbench.core.money.DecimalType(4, 20), nullable=False),
        sa.Column("unit", AutoString(length=20), nullable=False),
        sa.Column("source", AutoString(length=300), nullable=False),
        sa.Column("source_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["library_benchmark_import.id"]),
        sa.ForeignKeyConstraint(["indicator_id"], ["library_indicator.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_library_benchmark_value_import_id", "library_benchmark_value", ["import_id"]
    )
    op.create_index(
        "ix_library_benchmark_series",
        "library_benchmark_value",
        ["indicator_id", "region", "year"],
    )
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.add_column(sa.Column("benchmark_value_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_indicator_benchmark_value_id", ["benchmark_value_id"])


def downgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_benchmark_value_id")
        batch_op.drop_column("benchmark_value_id")
    op.drop_index("ix_library_benchmark_series", table_name="library_benchmark_value")
    op.drop_index("ix_library_benchmark_value_import_id", table_name="library_benchmark_value")
    op.drop_table("library_benchmark_value")
    op.drop_table("library_benchmark_import")
