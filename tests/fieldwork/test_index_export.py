"""The working papers index as Excel (issue 21): the list's rows with its filters, every page,
the page's columns, stored text kept as text."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from sqlmodel import select

from tests.fieldwork.helpers import indicators, paper, signed_paper
from workbench.core.timeutil import local
from workbench.fieldwork.index_export import HEADERS
from workbench.fieldwork.models import PaperSignoff


def _sheet(response):
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["底稿索引"]
    rows = list(book["底稿索引"].iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_every_paper_of_the_list_with_signers_counts_and_indicators(db, demo, login):
    leaves = indicators(db, demo.engagement)
    for n in range(23):  # more than one page of the list (20)
        signed_paper(db, demo, levels=("prepare",) if n % 2 else ())
    approved = signed_paper(db, demo, indicator_ids=[leaves["学生出勤率"].id])
    client = login("demo-lead")
    page = client.get(f"/engagements/{demo.engagement.id}/papers").get_data(as_text=True)
    assert "导出底稿索引（Excel）" in page

    header, rows = _sheet(client.get(f"/engagements/{demo.engagement.id}/papers.xlsx"))
    assert list(header) == HEADERS
    for name in ("索引号", "底稿名称", "涉及指标", "状态", "编制", "复核", "批准"):
        assert f">{name}<" in page  # the page's own column names
    by_index = {row[0]: dict(zip(HEADERS, row, strict=True)) for row in rows}
    assert len(rows) == len(by_index) >= 24
    assert list(by_index) == sorted(by_index, key=lambda n: (n[:4], int(n[5:])))
    row = by_index[approved.index_no]
    signoffs = {
        s.level: s
        for s in db.exec(select(PaperSignoff).where(PaperSignoff.paper_id == approved.id))
    }
    assert row["底稿名称"] == approved.title
    assert (
        row["涉及指标"] == f"{leaves['学生出勤率'].level1}/{leaves['学生出勤率'].level2}/学生出勤率"
    )
    assert row["状态"] == approved.status_name
    people = [
        demo.users[name].display_name for name in ("demo-evaluator", "demo-reviewer", "demo-lead")
    ]
    assert [row["编制"], row["复核"], row["批准"]] == people
    assert row["批准日期"].date() == local(signoffs["approve"].signed_at).date()
    assert (row["材料"], row["问题"], row["未关闭意见"]) == (0, 0, 0)


def test_the_filters_of_the_page_apply(db, demo, login):
    mine = paper(db, demo, "desk_review", user="demo-reviewer", title="审核甲")
    signed_paper(db, demo)
    client = login("demo-reviewer")
    _header, rows = _sheet(
        client.get(f"/engagements/{demo.engagement.id}/papers.xlsx?mine=1&q=审核甲")
    )
    assert [row[0] for row in rows] == [mine.index_no]
    _header, none = _sheet(
        client.get(f"/engagements/{demo.engagement.id}/papers.xlsx?stage=survey")
    )
    assert none == []


def test_a_title_that_looks_like_a_formula_stays_text(db, demo, login):
    hostile = paper(db, demo, "desk_review", title='=HYPERLINK("http://x","点我")')
    _header, rows = _sheet(login("demo-lead").get(f"/engagements/{demo.engagement.id}/papers.xlsx"))
    assert [row[1] for row in rows if row[0] == hostile.index_no] == [hostile.title]
