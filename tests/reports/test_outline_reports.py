"""Reports generated along outline profiles, read back with python-docx: 部门整体 (第二十七条),
自评复核 (self vs review scores, gaps flagged), a firm's own profile for one bureau."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from tests.reports.outline_helpers import bureau2_id, engagement_of
from tests.reports.report_helpers import open_version, write_all
from tests.reports.test_render import headings
from workbench.core.audit import AuditEntry
from workbench.core.errors import Conflict, NotFound, ValidationFailed
from workbench.reports import outline_profiles, outlines, services
from workbench.scoring import self_scores
from workbench.scoring.services import compute


def _generate(db, demo, engagement):
    version = services.generate(
        db, actor=demo.users["demo-lead"], engagement=engagement, kind="report", label="初稿"
    )
    db.flush()
    return open_version(version)


def _level(document, style: str) -> list[str]:
    return [text for found, text in headings(document) if found == style]


def test_department_report_carries_article_27_in_order(ctx, db, demo):
    engagement = engagement_of(db, demo, "department")
    with pytest.raises(Conflict) as refused:
        _generate(db, demo, engagement)
    assert "一、部门概述（一）部门职能：尚未撰写" in refused.value.details
    assert "四、部门整体绩效评价结果（一）决策指标分析：尚未撰写" not in refused.value.details

    write_all(db, engagement, demo.users["demo-lead"])
    document = _generate(db, demo, engagement)
    assert _level(document, "Heading 1") == [
        "一、部门概述",
        "二、部门整体支出管理及使用情况",
        "三、部门管理情况",
        "四、部门整体绩效评价结果",
        "五、绩效偏离情况",
        "六、绩效评价结论、整改措施及改进建议",
        "七、其他需要说明的问题",
        "附件1　评价图表",
        "附件2　满意度调查统计",
    ]
    assert _level(document, "Heading 2") == [
        "（一）部门职能",
        "（二）组织机构",
        "（三）人员情况",
        "（一）基本支出",
        "（二）项目支出",
        "（三）“三公”经费",
        "（一）绩效目标及实现程度",
        "（二）评价方法和工作过程",
        "（三）决策指标分析",
        "（四）过程指标分析",
        "（五）产出指标分析",
        "（六）效益指标分析",
        "（一）绩效评价结论",
        "（二）绩效整改措施",
        "（三）绩效改进建议",
    ]
    texts = [p.text for p in document.paragraphs]
    assert "（一）项目概况" not in texts
    assert any("绩效评价得分为85.01分，评价等级为“良”。各项指标得分情况见表1。" in t for t in texts)
    assert "表1　绩效评价指标得分情况" in texts


def _self_scores(db, demo, engagement, *, far: str, note: str = ""):
    """Every self-score equal to the review score, except ``far`` claimed at full marks."""
    _result, rows = compute(db, engagement)
    entries = {}
    for row in rows:
        item = row.indicator
        if item.not_applicable:
            continue
        score = item.weight if item.name == far else row.result.score
        entries[item.id] = self_scores.Entry(
            f"{score:.2f}", note if item.name == far else "", item.version
        )
    self_scores.save(db, actor=demo.users["demo-lead"], engagement=engagement, entries=entries)
    db.flush()
    return {row.indicator.name: row for row in rows}


def _comparison(document):
    return next(t for t in document.tables if t.rows[0].cells[3].text == "自评得分")


def test_self_review_report_compares_self_and_review_scores(ctx, db, demo):
    engagement = engagement_of(db, demo, "self_eval_review")
    with pytest.raises(Conflict) as refused:
        _generate(db, demo, engagement)
    assert "自评得分：尚有指标未录入单位自评得分" in refused.value.details

    # 立项依据充分性: weight 3, review 2.63; a self-score of 3.00 is 0.37 off (limit 0.30).
    rows = _self_scores(db, demo, engagement, far="立项依据充分性")
    with pytest.raises(Conflict) as refused:
        _generate(db, demo, engagement)
    assert refused.value.details == [
        "“立项依据充分性”自评与复核得分差异-0.37※分，超过0.30分，须说明原因"
    ]

    _self_scores(db, demo, engagement, far="立项依据充分性", note="单位未扣除要素2的分值。")
    document = _generate(db, demo, engagement)
    assert "三、自评与复核结果对比" in _level(document, "Heading 1")
    table = _comparison(document)
    header = [c.text for c in table.rows[0].cells]
    assert header == ["一级指标", "三级指标", "分值", "自评得分", "复核得分", "差异", "差异说明"]
    by_name = {r.cells[1].text: [c.text for c in r.cells] for r in table.rows[1:-1]}
    assert by_name["立项依据充分性"][2:] == [
        "3.00", "3.00", "2.63", "-0.37※", "单位未扣除要素2的分值。"
    ]  # fmt: skip
    assert by_name["资金到位率"][3:6] == ["3.84", "3.84", "+0.00"]
    assert "带动本地农产品采购" not in by_name  # not applicable: not compared
    review_sum = sum(
        (r.result.score for r in rows.values() if not r.indicator.not_applicable), Decimal(0)
    )
    total = [c.text for c in table.rows[-1].cells]
    assert total[0] == "合计"
    assert total[3:6] == [f"{review_sum + Decimal('0.37'):.2f}", f"{review_sum:.2f}", "-0.37"]
    texts = [p.text for p in document.paragraphs]
    assert any("标注“※”并说明原因" in t for t in texts)
    # Tables are numbered in document order: the comparison 表1, the score table 表2.
    assert "表1　自评得分与复核得分对比" in texts and "表2　绩效复核指标得分情况" in texts
    assert any(t.endswith("指标体系及得分见表2。") for t in texts)


def test_self_review_total_gap_over_threshold_needs_an_explanation(ctx, db, demo):
    engagement = engagement_of(db, demo, "self_eval_review")
    _result, rows = compute(db, engagement)
    entries = {
        row.indicator.id: self_scores.Entry(
            f"{row.indicator.weight:.2f}", "单位按满分自评。", row.indicator.version
        )
        for row in rows
        if not row.indicator.not_applicable
    }
    self_scores.save(db, actor=demo.users["demo-lead"], engagement=engagement, entries=entries)
    db.flush()
    with pytest.raises(Conflict) as refused:
        _generate(db, demo, engagement)
    (message,) = refused.value.details
    assert message.startswith("自评与复核总分差异-14.39※分，超过10分")
    assert message.endswith("须在“差异情况及原因”中说明")


FIRM = """\
key: city_project
name: 某市财政局项目支出绩效评价报告提纲
engagement_type: project
document_title: 绩效评价报告
chapters:
  - title: 项目基本情况
    contents:
      - {key: overview, heading: 项目概况, generated: overview}
  - title: 评价结论与得分
    contents:
      - block: score_table
      - {key: conclusion}
  - title: 问题与建议
    contents:
      - {key: problems, heading: 存在的问题, required: true}
      - {key: suggestions, heading: 改进建议}
  - title: 其他事项
    contents:
      - {key: other}
"""


def test_firm_profile_for_one_bureau_changes_that_bureaus_report_only(ctx, db, demo):
    admin, lead = demo.users["demo-admin"], demo.users["demo-lead"]
    ours = engagement_of(db, demo, "project", title="本局项目")
    theirs = engagement_of(db, demo, "project", bureau_id=bureau2_id(demo), title="二局项目")
    row = outline_profiles.save(
        db, actor=admin, agency_id=admin.org_id, bureau_id=bureau2_id(demo), source=FIRM
    )
    db.flush()
    assert row.version == 1
    audit = db.exec(select(AuditEntry).where(AuditEntry.action == "outline_profile.save")).all()
    assert [a.object_id for a in audit] == [row.id]

    with pytest.raises(Conflict) as refused:
        _generate(db, demo, theirs)
    assert refused.value.details == ["三、问题与建议（一）存在的问题：尚未撰写"]
    write_all(db, theirs, lead)
    assert _level(_generate(db, demo, theirs), "Heading 1")[:4] == [
        "一、项目基本情况",
        "二、评价结论与得分",
        "三、问题与建议",
        "四、其他事项",
    ]
    assert _level(_generate(db, demo, ours), "Heading 1")[:2] == [
        "一、基本情况",
        "二、绩效评价工作开展情况",
    ]

    outline_profiles.withdraw(db, actor=admin, agency_id=admin.org_id, profile_id=row.id)
    db.flush()
    assert outline_profiles.profile_for(db, theirs).key == "project"
    assert db.exec(
        select(AuditEntry).where(AuditEntry.action == "outline_profile.withdraw")
    ).one().object_id == row.id  # fmt: skip


def test_profiles_are_refused_for_strangers_and_ex_ante(ctx, db, demo, make_user):
    admin = demo.users["demo-admin"]
    stranger = make_user("bureau")  # commissions none of the agency's engagements
    with pytest.raises(ValidationFailed, match="请选择委托本机构项目的委托单位"):
        outline_profiles.save(
            db, actor=admin, agency_id=admin.org_id, bureau_id=stranger.org_id, source=FIRM
        )
    with pytest.raises(ValidationFailed) as refused:
        outline_profiles.save(
            db,
            actor=admin,
            agency_id=admin.org_id,
            bureau_id=demo.engagement.bureau_id,
            source=outlines.shipped_source("ex_ante"),
        )
    assert "暂不支持机构自定义" in refused.value.details[0]["message"]
    with pytest.raises(ValidationFailed) as refused:
        outline_profiles.save(
            db,
            actor=admin,
            agency_id=admin.org_id,
            bureau_id=demo.engagement.bureau_id,
            source=FIRM.replace("title: 其他事项", "title: 五、其他事项"),
        )
    assert [d["message"] for d in refused.value.details] == [
        "第4章的标题“五、其他事项”不要带序号，序号按顺序自动生成"
    ]
    with pytest.raises(NotFound):
        outline_profiles.withdraw(db, actor=admin, agency_id=admin.org_id, profile_id=999_999)
