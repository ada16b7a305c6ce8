"""A view that catches a service's refusal keeps nothing of the request (issue 16).

Every `except` of a domain error in a view module either shows it through `refused` or
`attach_errors` (both roll the request back at once), rolls back itself, or raises again:
read from the source, so a new view is held to it. Then the two ways a caught refusal used to
keep a half-done write: a redirect after it (committed) and a page drawn after it (showing it).
"""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

from sqlmodel import func, select

import workbench
from tests.reports.outline_helpers import engagement_of
from workbench.core.audit import AuditEntry
from workbench.core.errors import DomainError, ValidationFailed
from workbench.indicators.models import Indicator
from workbench.notices import services as notices
from workbench.notices.models import NoticeMute
from workbench.scoring import self_scores

ROLLS_BACK = {"refused", "attach_errors", "mark_rollback"}


def _subclasses(cls) -> set[str]:
    found = {cls.__name__}
    for sub in cls.__subclasses__():
        found |= _subclasses(sub)
    return found


def _names(node: ast.expr | None) -> set[str]:
    if node is None:
        return set()
    if isinstance(node, ast.Tuple):
        return set().union(*(_names(n) for n in node.elts))
    if isinstance(node, ast.Attribute):
        return {node.attr}
    return {node.id} if isinstance(node, ast.Name) else set()


def _rolls_back(handler: ast.ExceptHandler) -> bool:
    for node in ast.walk(handler):
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else None
            called = called or (node.func.id if isinstance(node.func, ast.Name) else None)
            if called in ROLLS_BACK:
                return True
    return False


def test_every_view_that_catches_a_refusal_rolls_back(app):
    domain_errors = _subclasses(DomainError)  # every domain's, the app having imported them all
    assert {"ValidationFailed", "Conflict", "RowsRefused", "Refused"} <= domain_errors
    root = Path(workbench.__file__).parent
    views = [p for p in root.rglob("*.py") if "view" in p.name]
    assert len(views) > 40
    forgotten = []
    for path in views:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            catches = isinstance(node, ast.ExceptHandler) and _names(node.type) & domain_errors
            if catches and not _rolls_back(node):
                forgotten.append(f"{path.relative_to(root)}:{node.lineno}")
    assert forgotten == []


def test_a_refusal_caught_before_a_redirect_leaves_nothing(db, demo, login, monkeypatch):
    """The notices form catches the refusal and redirects (302): its write is not committed."""
    save = notices.save

    def write_then_refuse(session, *, actor, enabled):
        save(session, actor=actor, enabled=["paper.returned"])  # mutes every other kind
        raise ValidationFailed("通知设置有误，未保存")

    monkeypatch.setattr(notices, "save", write_then_refuse)
    client = login("demo-evaluator")
    response = client.post("/profile/notices", data={"kinds": ["paper.returned"]})
    assert response.status_code == 302 and response.location.endswith("/profile#notices")
    db.expire_all()
    assert db.exec(select(func.count()).select_from(NoticeMute)).one() == 0
    action = AuditEntry.action == "user.notice_preferences"
    assert db.exec(select(func.count()).select_from(AuditEntry).where(action)).one() == 0
    assert "通知设置有误，未保存" in client.get("/profile").text


def test_the_page_drawn_after_a_caught_refusal_shows_what_is_stored(db, demo, login, monkeypatch):
    """The self-score page reads the leaves again after the refusal: not the half-written one."""
    engagement = engagement_of(db, demo, "self_eval_review")
    leaf = db.exec(
        select(Indicator).where(
            Indicator.engagement_id == engagement.id, Indicator.name == "立项依据充分性"
        )
    ).one()
    drawn = []
    rows = self_scores.rows

    def write_then_refuse(session, *, actor, engagement, entries):
        row = session.get(Indicator, leaf.id)
        row.self_score = Decimal("3")
        session.add(row)
        session.flush()
        raise ValidationFailed("自评得分有误，未保存")

    def rows_drawn(indicators, *args):
        drawn.extend(i.self_score for i in indicators if i.id == leaf.id)
        return rows(indicators, *args)

    monkeypatch.setattr(self_scores, "save", write_then_refuse)
    monkeypatch.setattr(self_scores, "rows", rows_drawn)
    client = login("demo-lead")
    url = f"/engagements/{engagement.id}/scoring/self-scores"
    data = {f"self_{leaf.id}": "3", f"version_{leaf.id}": str(leaf.version)}
    response = client.post(url, data=data)
    assert response.status_code == 422 and "自评得分有误，未保存" in response.text
    assert drawn == [None]
    db.expire_all()
    assert db.get(Indicator, leaf.id).self_score is None
