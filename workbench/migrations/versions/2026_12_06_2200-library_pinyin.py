"""pinyin of library indicator names and tags, searched alongside the characters

`library_indicator.search_pinyin`: the initials and full pinyin of the name and of each tag, one
reading a line ("ybjjsyhgl", "yibaojijinshiyongheguilv"), so the picker finds 医保基金… from "ybjj".
Filled here for the rows already there; later writes fill it with the content. On PostgreSQL a GIN
trigram index serves LIKE '%…%' as for `search_text`; on SQLite the index is a plain b-tree.

The column is added and dropped without a batch (table copy): on SQLite a copy would drop the
FTS5 triggers on library_indicator.

Revision ID: 202612062200_library_pinyin
Revises: 202612061905_internal_sections
Create Date: 2026-12-06 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (the revision template imports it)
from alembic import op

revision: str = "202612062200_library_pinyin"
down_revision: str | None = "202612061905_internal_sections"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _document(name: str, tags: list[str]) -> str:
    """A copy of workbench.library.pinyin.document as it is today (a migration keeps its meaning)."""
    from pypinyin import Style, lazy_pinyin

    lines: list[str] = []
    for text in (name, *tags):
        for style in (Style.FIRST_LETTER, Style.NORMAL):
            reading = "".join("".join(lazy_pinyin(text, style=style)).split()).lower()
            if reading and reading not in lines:
                lines.append(reading)
    return "\n".join(lines)


def upgrade() -> None:
    op.add_column(
        "library_indicator",
        sa.Column("search_pinyin", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index(
        "ix_library_indicator_pinyin",
        "library_indicator",
        ["search_pinyin"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"search_pinyin": "gin_trgm_ops"},
        postgresql_with={"fastupdate": "off"},
    )
    bind = op.get_bind()
    indicator = sa.table(
        "library_indicator", sa.column("id"), sa.column("name"), sa.column("search_pinyin")
    )
    tag = sa.table("library_tag", sa.column("id"), sa.column("indicator_id"), sa.column("tag"))
    tags: dict[int, list[str]] = {}
    for indicator_id, value in bind.execute(
        sa.select(tag.c.indicator_id, tag.c.tag).order_by(tag.c.id)
    ):
        tags.setdefault(indicator_id, []).append(value)
    rows = [
        {"row_id": row_id, "pinyin": _document(name or "", tags.get(row_id, []))}
        for row_id, name in bind.execute(sa.select(indicator.c.id, indicator.c.name))
    ]
    if rows:
        bind.execute(
            indicator.update()
            .where(indicator.c.id == sa.bindparam("row_id"))
            .values(search_pinyin=sa.bindparam("pinyin")),
            rows,
        )


def downgrade() -> None:
    op.drop_index(
        "ix_library_indicator_pinyin",
        table_name="library_indicator",
        postgresql_using="gin",
        postgresql_ops={"search_pinyin": "gin_trgm_ops"},
    )
    op.drop_column("library_indicator", "search_pinyin")
