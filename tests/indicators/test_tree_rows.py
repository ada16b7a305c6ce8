"""The indicator table's rows are rendered once per state of the tree and never served stale."""

import pytest

from tests.indicators.helpers import by_name, new_engagement, small_tree, xlsx
from workbench.indicators import transfer, tree_rows


@pytest.fixture()
def fresh(db, demo):
    engagement = new_engagement(db, demo)
    transfer.import_sheet(
        db,
        actor=demo.users["demo-lead"],
        engagement=engagement,
        filename="t.xlsx",
        data=xlsx(small_tree()),
    )
    db.flush()
    return engagement


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


def test_an_unchanged_tree_is_rendered_once(login, fresh, renders):
    c = login("demo-lead")
    first = c.get(f"/engagements/{fresh.id}/indicators").get_data(as_text=True)
    second = c.get(f"/engagements/{fresh.id}/indicators").get_data(as_text=True)
    assert renders == ["indicators/_tree_rows.html"]
    assert first == second and first.count('class="leaf') == 3


def test_an_edit_shows_at_once(login, db, fresh, renders):
    c = login("demo-lead")
    c.get(f"/engagements/{fresh.id}/indicators")
    leaf = by_name(db, fresh)["合格率"]
    leaf.name = "验收合格率"  # any path that writes the row, not only the edit form
    db.add(leaf)
    db.flush()
    page = c.get(f"/engagements/{fresh.id}/indicators").get_data(as_text=True)
    assert "验收合格率" in page and len(renders) == 2


def test_people_who_may_not_edit_get_rows_without_edit_buttons(login, db, demo, fresh, renders):
    lead, evaluator = login("demo-lead"), login("demo-evaluator")
    lead.post(f"/engagements/{fresh.id}/indicators/confirm")
    lead_page = lead.get(f"/engagements/{fresh.id}/indicators").get_data(as_text=True)
    evaluator_page = evaluator.get(f"/engagements/{fresh.id}/indicators").get_data(as_text=True)
    assert lead_page.count('title="编辑"') == 3
    assert 'title="编辑"' not in evaluator_page and 'title="推荐入指标库"' in evaluator_page
    assert len(renders) == 2


def test_row_buttons_post_through_one_form_with_the_token(app, login, fresh):
    c = login("demo-lead")  # logs in with CSRF off, as every test does
    saved = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = c.get(f"/engagements/{fresh.id}/indicators")
    finally:
        app.config["WTF_CSRF_ENABLED"] = saved
    text = page.get_data(as_text=True)
    opening = '<form id="row-action" method="post" class="d-none">'
    form = text.split(opening, 1)[1].split("</form>")[0]
    assert 'name="csrf_token"' in form
    assert text.count('form="row-action"') == 3 * 4  # up, down, delete, propose on each leaf
    assert text.count('name="csrf_token"') < 10  # not one per row button
