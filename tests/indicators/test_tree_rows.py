"""The indicator table's rows are rendered once per state of the tree and never served stale."""

import re

import pytest
from sqlalchemy import update

from tests.indicators.helpers import by_name, new_engagement
from workbench.indicators import tree_rows
from workbench.indicators.models import Indicator


@pytest.fixture()
def renders(monkeypatch):
    """How many times the rows template was rendered."""
    tree_rows.clear()
    seen = []
    real = tree_rows.render_template

    def counting(*args, **kwargs):
        seen.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(tree_rows, "render_template", counting)
    return seen


def _tokenless(page: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', page)


def test_an_unchanged_tree_is_rendered_once(login, tree_engagement, renders):
    c = login("demo-lead")
    first = c.get(f"/engagements/{tree_engagement.id}/indicators").get_data(as_text=True)
    second = c.get(f"/engagements/{tree_engagement.id}/indicators").get_data(as_text=True)
    assert renders == ["indicators/_tree_rows.html"]
    # (the CSRF token is signed with the second it was made: two requests may straddle one)
    assert _tokenless(first) == _tokenless(second) and first.count('class="leaf') == 3


def test_an_edit_shows_at_once(login, db, tree_engagement, renders):
    c = login("demo-lead")
    c.get(f"/engagements/{tree_engagement.id}/indicators")
    leaf = by_name(db, tree_engagement)["合格率"]
    leaf.name = "验收合格率"  # any path that writes the row, not only the edit form
    db.add(leaf)
    db.flush()
    page = c.get(f"/engagements/{tree_engagement.id}/indicators").get_data(as_text=True)
    assert "验收合格率" in page and len(renders) == 2


def test_people_who_may_not_edit_get_rows_without_edit_buttons(
    login, db, demo, tree_engagement, renders
):
    lead, evaluator = login("demo-lead"), login("demo-evaluator")
    lead.post(f"/engagements/{tree_engagement.id}/indicators/confirm")
    lead_page = lead.get(f"/engagements/{tree_engagement.id}/indicators").get_data(as_text=True)
    evaluator_page = evaluator.get(f"/engagements/{tree_engagement.id}/indicators").get_data(
        as_text=True
    )
    assert lead_page.count('title="编辑"') == 3
    assert 'title="编辑"' not in evaluator_page and 'title="推荐入指标库"' in evaluator_page
    assert len(renders) == 2


def test_row_buttons_post_through_one_form_with_the_token(app, login, tree_engagement):
    c = login("demo-lead")  # logs in with CSRF off, as every test does
    saved = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = c.get(f"/engagements/{tree_engagement.id}/indicators")
    finally:
        app.config["WTF_CSRF_ENABLED"] = saved
    text = page.get_data(as_text=True)
    opening = '<form id="row-action" method="post" class="d-none">'
    form = text.split(opening, 1)[1].split("</form>")[0]
    assert 'name="csrf_token"' in form
    assert text.count('form="row-action"') == 3 * 4  # up, down, delete, propose on each leaf
    assert text.count('name="csrf_token"') < 10  # not one per row button


def test_the_check_is_computed_once_per_tree(login, tree_engagement, monkeypatch):
    tree_rows.clear()
    checked = []
    real = tree_rows.check_leaves

    def counting(items):
        checked.append(len(items))
        return real(items)

    monkeypatch.setattr(tree_rows, "check_leaves", counting)
    c = login("demo-lead")
    for _ in range(3):
        assert 'id="indicator-valid"' in c.get(
            f"/engagements/{tree_engagement.id}/indicators"
        ).get_data(as_text=True)
    assert checked == [3]


def _page(client, engagement) -> str:
    return client.get(f"/engagements/{engagement.id}/indicators").get_data(as_text=True)


def test_a_change_of_validity_shows_at_once_both_ways(login, db, tree_engagement, renders):
    c = login("demo-lead")
    assert 'id="indicator-valid"' in _page(c, tree_engagement)
    leaf = by_name(db, tree_engagement)["合格率"]
    leaf.weight += 1
    db.add(leaf)
    db.flush()
    page = _page(c, tree_engagement)
    assert "三级指标分值合计为101，应为100" in page and 'id="indicator-valid"' not in page
    assert "分值合计 <strong>101.00</strong>" in page
    assert 'id="confirm-system" disabled' in page
    leaf.weight -= 1
    db.add(leaf)
    db.flush()
    page = _page(c, tree_engagement)
    assert 'id="indicator-valid"' in page and "indicator-blockers" not in page
    assert len(renders) == 3  # the row's version moved on, so even the old weights are a new tree


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("actual", "不是数字", "合格率（实际值）"),
        ("score", 99, "合格率（得分）"),
        ("na_reason", "", "没有写明理由"),
    ],
)
def test_columns_the_rows_do_not_show_still_reach_the_check(
    login, db, tree_engagement, column, value, message
):
    c = login("demo-lead")
    assert message not in _page(c, tree_engagement)
    # A bulk update leaves the version as it was: only the column itself can change the key.
    db.exec(
        update(Indicator)
        .where(Indicator.id == by_name(db, tree_engagement)["合格率"].id)
        .values({column: value, "not_applicable": column == "na_reason"})
    )
    assert message in _page(c, tree_engagement)


def test_an_empty_tree_counts_nothing(login, db, demo, renders):
    empty = new_engagement(db, demo, title="空项目")
    page = _page(login("demo-lead"), empty)
    assert "三级指标 <strong>0</strong> 项，分值合计 <strong>0.00</strong>" in page
    assert "指标体系没有任何三级指标" in page and 'id="from-framework"' in page
