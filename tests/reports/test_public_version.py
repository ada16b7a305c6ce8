"""The 公开版 of the demo report: internal sections withheld, personal data removed, the record
lists the removals (issue 13 item 10)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from tests.reports.report_helpers import open_version, section
from tests.reports.test_redaction import ID_OK
from workbench.core.audit import AuditEntry
from workbench.core.errors import Conflict, NotAllowed, ValidationFailed
from workbench.reports import public_version as public
from workbench.reports.models import DeliverableKind
from workbench.reports.models_public import InternalSection
from workbench.reports.services import sections as drafting

INTERNAL_TEXT = "内部经验：项目组与主管部门就资金调剂口头达成一致，未形成书面记录。"
EXPERIENCE_CHAPTER = "五、主要经验及做法、存在的问题及原因分析"
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_RE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def _write(db, demo, key: str, html: str) -> None:
    row = section(db, demo.engagement, key)
    drafting.save_section(
        db,
        actor=demo.users["demo-lead"],
        engagement=demo.engagement,
        section=row,
        content=html,
        version=row.version,
    )
    db.flush()


def _mark(db, demo, keys: list[str], actor: str = "demo-lead"):
    seen = public.marks_token(public.internal_keys(db, demo.engagement))
    return public.set_internal(
        db, actor=demo.users[actor], engagement=demo.engagement, keys=keys, seen=seen
    )


def _all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


@pytest.fixture()
def personal(db, demo):
    unit = demo.users["demo-unit"]
    _write(db, demo, "experience", f"<p>{INTERNAL_TEXT}</p>")
    _write(
        db,
        demo,
        "problems",
        f"<p>受访家长李四（电话13912345678，身份证{ID_OK}）反映补助标准偏低；"
        f"被评价单位联系人{unit.display_name}（办公电话0571-87654321）确认了情况。"
        "项目预算3,860.00万元，2025年3月18日完成核查。</p>",
    )
    return unit


def test_public_version_of_the_demo_report(ctx, db, demo, personal, monkeypatch):
    monkeypatch.setattr(public.surveys, "respondent_values", lambda db, engagement_id: ["李四"])
    _mark(db, demo, ["experience"])
    version = public.generate_public(db, actor=demo.users["demo-lead"], engagement=demo.engagement)
    db.flush()

    assert version.kind == DeliverableKind.public_report
    assert "公开版" in version.filename and version.filename.endswith("-第1版.docx")
    document = open_version(version)
    text = _all_text(document)
    assert "（公开版）" in [p.text for p in document.paragraphs[:6]]  # on the cover
    assert not PHONE_RE.search(text) and not ID_RE.search(text)
    assert "87654321" not in text and "李四" not in text and personal.display_name not in text
    assert INTERNAL_TEXT not in text
    assert public.WITHHELD_TEXT in text
    assert "（一）主要经验及做法" in text  # the heading stays: the numbering is unchanged
    # Money and dates survive the cleaning.
    assert "3,860.00万元" in text and "2025年3月18日" in text

    removed = version.figures["public"]
    assert removed["personal"] == {"name": 2, "id_number": 1, "mobile": 1, "landline": 1}
    assert removed["personal_text"] == "姓名2处、身份证号码1处、手机号码1处、固定电话1处"
    assert removed["sections"] == [
        {"key": "experience", "title": f"{EXPERIENCE_CHAPTER} （一）主要经验及做法"}
    ]
    assert INTERNAL_TEXT not in str(version.sections)
    assert "13912345678" not in str(version.sections)
    entry = db.exec(
        select(AuditEntry).where(AuditEntry.action == "deliverable.generate_public")
    ).one()
    assert entry.after["removed"]["sections"][0]["key"] == "experience"
    # The report itself is untouched and numbered apart.
    assert public.public_versions(db, demo.engagement) == [version]


def test_marks_are_validated_audited_and_lead_only(db, demo):
    assert _mark(db, demo, ["experience", "suggestions"]) == {"experience", "suggestions"}
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "report.internal_sections")).one()
    assert entry.after == {"internal": ["experience", "suggestions"]}

    with pytest.raises(ValidationFailed) as error:
        _mark(db, demo, ["experience", "no-such-section"])
    assert "报告提纲中没有这些章节：no-such-section" in error.value.details[0]["message"]
    with pytest.raises(Conflict, match="已被他人修改"):
        public.set_internal(
            db,
            actor=demo.users["demo-lead"],
            engagement=demo.engagement,
            keys=[],
            seen=public.marks_token(set()),
        )
    with pytest.raises(ValidationFailed, match="缺少版本号"):
        public.set_internal(
            db, actor=demo.users["demo-lead"], engagement=demo.engagement, keys=[], seen=""
        )
    with pytest.raises(NotAllowed):
        _mark(db, demo, [], actor="demo-evaluator")
    rows = db.exec(select(InternalSection.key)).all()
    assert sorted(rows) == ["experience", "suggestions"]  # nothing half-written

    assert _mark(db, demo, ["suggestions"]) == {"suggestions"}
    assert sorted(db.exec(select(InternalSection.key)).all()) == ["suggestions"]


def test_evaluator_cannot_generate_the_public_version(db, demo):
    with pytest.raises(NotAllowed):
        public.generate_public(db, actor=demo.users["demo-evaluator"], engagement=demo.engagement)


def _url(demo, path: str) -> str:
    return f"/engagements/{demo.engagement.id}{path}"


def test_report_page_marks_sections_and_generates(db, demo, login, personal):
    client = login("demo-lead")
    page = client.get(_url(demo, "/report")).get_data(as_text=True)
    assert 'id="public-version"' in page and "生成公开版" in page
    token = re.search(r'name="seen" value="([0-9a-f]+)"', page).group(1)

    bad = client.post(
        _url(demo, "/report/internal-sections"),
        data={"internal": ["experience", "nope"], "seen": token},
        follow_redirects=True,
    )
    assert "报告提纲中没有这些章节：nope" in bad.get_data(as_text=True)
    assert public.internal_keys(db, demo.engagement) == set()  # nothing written

    done = client.post(
        _url(demo, "/report/internal-sections"),
        data={"internal": ["experience"], "seen": token},
        follow_redirects=True,
    )
    assert "1个章节标记为内部" in done.get_data(as_text=True)

    made = client.post(_url(demo, "/report/public"), follow_redirects=True)
    body = made.get_data(as_text=True)
    assert "已生成评价报告（公开版）第1版" in body
    assert f"不予公开章节：{EXPERIENCE_CHAPTER} （一）主要经验及做法" in body
    version = public.public_versions(db, demo.engagement)[0]
    download = client.get(_url(demo, f"/documents/{version.id}/download"))
    assert download.status_code == 200
    assert download.get_data()[:2] == b"PK"
    download.close()
    assert "%E5%85%AC%E5%BC%80%E7%89%88" in download.headers["Content-Disposition"]  # 公开版


def test_evaluator_sees_the_card_without_the_buttons(db, demo, login):
    page = login("demo-evaluator").get(_url(demo, "/report")).get_data(as_text=True)
    assert 'id="public-version"' in page and 'id="generate-public"' not in page
    assert "由项目负责人完成" in page


def test_ex_ante_public_version(ctx, db, demo):
    from tests.reports.report_helpers import write_all
    from workbench.engagements import services as engagements
    from workbench.indicators.models import Indicator

    lead = demo.users["demo-lead"]
    e = engagements.create(db, actor=lead, data=engagements.EngagementInput(
        title="2026年度食堂改造项目事前绩效评估", type="ex_ante",
        bureau_id=demo.engagement.bureau_id, budget_year=2026))  # fmt: skip
    for kind in ("independence", "confidentiality"):
        engagements.sign_declaration(db, actor=lead, engagement=e, kind=kind)
    for i, dim in enumerate(
        ["立项必要性", "投入经济性", "绩效目标合理性", "实施方案可行性", "筹资合规性"]
    ):
        db.add(Indicator(engagement_id=e.id, position=i, level1=dim, level2=dim, name=f"{dim}要点",
                         weight=20, rule="manual", score=15 + i, justification="专家论证"))  # fmt: skip
    db.flush()
    write_all(
        db, e, lead, deliverable="report", body=f"<p>经办人电话13812345678，身份证{ID_OK}。</p>"
    )
    seen = public.marks_token(set())
    public.set_internal(db, actor=lead, engagement=e, keys=["suggestions"], seen=seen)
    version = public.generate_public(db, actor=lead, engagement=e)
    assert version.filename.endswith("-事前绩效评估报告（公开版）-第1版.docx")
    text = _all_text(open_version(version))
    assert not PHONE_RE.search(text) and not ID_RE.search(text)
    assert "四、相关建议" in text and public.WITHHELD_TEXT in text
    assert version.figures["public"]["sections"] == [
        {"key": "suggestions", "title": "四、相关建议"}
    ]
    assert version.figures["public"]["personal"]["mobile"] >= 4  # every other section had one
