"""The demo's papers of the stages before fieldwork: acceptance and independence (A), preliminary
research and the handling of the plan's review opinions (B), the indicator justification (C).

Each is prepared by the evaluator, reviewed by the reviewer and approved by the lead; every value
restates what the demo's own record holds (the bureau, the budget, the declarations signed, the
sample plan, the indicator tree)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from workbench.accounts.models import Organisation, User
from workbench.core.timeutil import today_local
from workbench.engagements.models import Engagement
from workbench.fieldwork import papers, review


def _approved(session, engagement, users, key: str, title: str, values: dict, indicator_ids=()):
    paper = papers.create_paper(
        session,
        actor=users["demo-evaluator"],
        engagement=engagement,
        template_key=key,
        title=title,
        values=values,
        indicator_ids=list(indicator_ids),
    )
    chain = (("demo-evaluator", "prepare"), ("demo-reviewer", "review"), ("demo-lead", "approve"))
    for username, level in chain:
        review.sign(session, actor=users[username], engagement=engagement, paper=paper, level=level)
    return paper


def fill(session: Session, engagement: Engagement, users: dict[str, User]) -> None:
    """Approved A-01, A-02, B-01, B-02 and C-01 papers for the demo engagement."""
    start = engagement.planned_start or today_local() - timedelta(days=40)
    bureau = session.get(Organisation, engagement.bureau_id)
    unit = session.get(Organisation, engagement.unit_id) if engagement.unit_id else None
    bureau_name, unit_name = (
        bureau.name if bureau else "委托方",
        unit.name if unit else "被评价单位",
    )
    _approved(session, engagement, users, "engagement_acceptance", "业务承接评估", {
        "client": bureau_name,
        "subject": engagement.title,
        "budget": str(engagement.budget_amount or ""),
        "assessed_on": (start - timedelta(days=5)).isoformat(),
        "checks": [
            {"item": "委托事项属于本机构业务范围，委托方具有委托权限", "result": "符合"},
            {"item": "评价目的、范围和时间要求明确", "result": "符合"},
            {"item": "本机构具备相应的专业胜任能力和行业经验", "result": "符合",
             "note": "近三年承担教育类项目支出绩效评价多项"},
            {"item": "可配备足够的项目负责人、评价人员和复核人员", "result": "符合"},
            {"item": "评价费用能够保证工作质量，付款与质量保证金条款可接受", "result": "符合"},
            {"item": "不存在影响独立性的情形（详见独立性评价表）", "result": "符合"},
            {"item": "业务风险可控（资料取得、时间进度、社会关注度等）", "result": "基本符合",
             "note": "涉及学生和家长，社会关注度较高"},
        ],
        "risks": "项目覆盖学校较多、社会关注度高：现场核查按资金规模和地域分层抽取学校，"
        "满意度调查按方案规定的样本量回收，报告数据逐项复核。",
        "decision": "承接",
        "conclusion": "委托事项明确，本机构具备承接能力，风险可控，同意承接。",
    })  # fmt: skip
    _approved(session, engagement, users, "independence", "独立性评价", {
        "assessed_on": (start - timedelta(days=5)).isoformat(),
        "checks": [
            {"item": "本机构为被评价单位提供过与评价对象相关的咨询、代理或审计服务", "result": "不存在"},
            {"item": "本机构与被评价单位存在经济利益关系或业务往来", "result": "不存在"},
            {"item": "工作组成员在被评价单位任职或近三年内曾任职", "result": "不存在"},
            {"item": "工作组成员与被评价单位负责人、财务负责人存在近亲属关系", "result": "不存在"},
            {"item": "评审专家与委托方或被评价单位存在利害关系", "result": "不存在",
             "measure": "专家申报的关联单位为其他县教育局，与本项目委托方和被评价单位无关"},
            {"item": "评价收费与评价结论挂钩", "result": "不存在"},
        ],
        "declarations": "项目负责人、评价人员、复核人和评审专家均已在工作台签署回避声明和保密承诺。",
        "conclusion": "独立性不受影响",
    })  # fmt: skip
    _approved(session, engagement, users, "preliminary_research", "前期调研", {
        "held_on": (start + timedelta(days=2)).isoformat(),
        "place": unit_name,
        "participants": f"{users['demo-lead'].display_name}、{users['demo-evaluator'].display_name}；"
        f"{unit_name}联系人{users['demo-unit'].display_name}",
        "items": [
            {"topic": "项目立项依据和决策程序", "finding": "依据国家营养改善计划实施文件立项",
             "source": "立项批复文件"},
            {"topic": "资金来源、预算安排和拨付情况",
             "finding": f"年度预算{engagement.budget_amount or ''}元，按学期拨付到校",
             "source": "预算批复"},
            {"topic": "服务对象范围和数量（满意度调查抽样依据）",
             "finding": "受益学生家长约12,000人，分城区学校和乡镇学校", "source": "学生名册汇总"},
        ],
        "scope": "评价范围覆盖资金分配、拨付、使用和管理全过程；满意度调查按城区、乡镇学校分层抽样。",
        "materials": "立项批复、预算批复及调整文件、资金拨付凭证及支出明细账、供餐记录、食品安全抽检报告。",
    })  # fmt: skip
    _approved(session, engagement, users, "plan_review_handling", "方案评审及审核意见处理", {
        "plan_version": "第1版送审稿",
        "review_date": (start + timedelta(days=7)).isoformat(),
        "reviewers": users["demo-expert"].display_name,
        "opinions": [
            {"source": "委托方", "handling": "采纳",
             "opinion": "补充满意度调查的抽样方法和样本量测算依据，说明问卷发放对象的分布",
             "change": "“评价方法”补充分层抽样设计，计划回收有效问卷400份"},
            {"source": "评审专家", "handling": "采纳",
             "opinion": "现场核查学校的抽取应兼顾资金规模和地域分布",
             "change": "现场核查按资金规模和地域分层抽取学校"},
        ],
        "conclusion": "评审和审核意见均已采纳，修改后的方案已再次提交委托方审核。",
    })  # fmt: skip
    leaves = papers.indicators(session, engagement)
    if leaves:
        _approved(session, engagement, users, "indicator_justification", "指标体系论证", {
            "held_on": (start + timedelta(days=9)).isoformat(),
            "method": "内部讨论",
            "participants": f"{users['demo-lead'].display_name}、{users['demo-evaluator'].display_name}、"
            f"{users['demo-reviewer'].display_name}",
            "basis": "以项目支出绩效评价共性指标框架（决策、过程、产出、效益）为基础，"
            f"结合项目绩效目标设置个性指标，共 {len(leaves)} 项三级指标。",
            "checks": [
                {"item": "指标覆盖决策、过程、产出、效益各方面", "result": "符合"},
                {"item": "分值合计为100分，权重分配与指标重要性相称", "result": "符合"},
                {"item": "评分标准明确、可操作，数据来源可取得", "result": "符合"},
            ],
            "conclusion": "指标体系框架完整，评分标准可操作，同意按此开展评价。",
        })  # fmt: skip
