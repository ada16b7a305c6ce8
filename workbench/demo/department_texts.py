"""The 部门整体 demo's narrative: the plan's and the report's sections, figures as fact fields.

Every amount or count in the text is a `{{fact:…}}` field, so the report states one set of figures
(the 报告体检 compares them); sections the outline adds later get a short paragraph of their own.
"""

from __future__ import annotations

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.engagements.models import Engagement
from workbench.reports.services import drafting, looks_like_html

PLAN = {
    "object": ["评价对象为示例市教育局2025年度部门整体支出，预算资金{{fact:budget}}，涵盖局机关及"
               "下属单位的基本支出和项目支出。"],
    "scope": ["评价范围为部门预算配置、预算执行、预算管理、资产管理、职责履行和履职效益，现场评价"
              "覆盖局机关及全部下属单位，并抽取60所学校进行现场核查。"],
    "basis": ["<ol><li>《中华人民共和国预算法》</li><li>《中共中央 国务院关于全面实施预算绩效管理的"
              "意见》</li><li>《财政部关于委托第三方机构参与预算绩效管理的指导意见》（财预〔2021〕6号）"
              "</li><li>市财政局与评价机构签订的委托合同</li></ol>"],
    "methods": ["评价综合运用比较法、因素分析法和公众评判法，资金类指标以账簿凭证为主，履职类指标"
                "以现场核查和统计资料为主，满意度指标以问卷调查为依据。"],
    "standards": ["以部门年度绩效目标和工作计划确定的计划标准为主，参考行业标准和历史标准。"],
    "indicators": ["指标体系参照部门整体支出绩效评价共性指标框架，由投入、过程、产出、效果4个一级"
                   "指标构成，结合各项职能设置个性指标，总分100分。"],
    "sample": ["分别对学生家长、学校教职工和社会公众开展满意度调查，采用分层随机抽样，通过问卷星"
               "线上发放。"],
    "quality": ["实行工作底稿三级复核制度，所有扣分均对应底稿中的具体问题和佐证材料。"],
}  # fmt: skip

REPORT = {
    "dept_functions": ["示例市教育局是市政府主管全市教育工作的组成部门，负责统筹规划和管理全市各级"
                       "各类教育，推进教育公平和教育质量提升。"],
    "dept_structure": ["该局设内设机构{{fact:internal_units}}，下属单位{{fact:subordinate_units}}，"
                       "包括教育考试、装备、教师发展、学生资助、督导评估等事业单位和直属学校。"],
    "dept_staff": ["编制人数{{fact:staff_authorised}}，实有人数{{fact:staff_actual}}，均含局机关"
                   "及各下属单位。"],
    "spending_overview": ["年度预算资金{{fact:budget}}，实际到位资金{{fact:received}}，实际支出"
                          "{{fact:spent}}，预算执行率{{fact:execution_rate}}。"],
    "basic_spending": ["基本支出{{fact:basic_expenditure}}，主要用于人员经费和日常公用经费，"
                       "按定员定额标准管理。"],
    "project_spending": ["项目支出{{fact:project_expenditure}}，主要用于学前教育、义务教育、职业"
                         "教育、学生资助和教育信息化等重点项目。"],
    "three_public": ["“三公”经费预算{{fact:three_public_budget}}，“三公”经费支出"
                     "{{fact:three_public_spent}}，较上年有所下降。"],
    "management": ["该局制定了预算管理、资金使用、资产管理和政府采购等内部管理制度，按年度工作"
                   "要点分解目标任务，并组织下属单位开展绩效自评。"],
    "conclusion": ["年度重点工作总体完成，教育资源配置更趋均衡，服务对象满意度总体较高，"
                   "长效机制逐步建立。"],
    "problems": ["部分单位资金支付进度偏慢，个别项目预算编制测算依据不充分，部分业务的质量"
                 "达标情况与目标仍有差距。"],
    "final_conclusion": ["综合评价认为，该局部门整体支出管理规范，履职目标基本实现，评价等级见"
                         "评分表。"],
    "rectification": ["该局应在收到评价报告后30日内制定整改方案，明确整改责任和时限。"],
    "suggestions": ["加强预算编制的科学性和支付进度管理；完善项目绩效目标的量化指标；加强"
                    "下属单位资产和采购管理。"],
    "other": ["本次评价所依据的资料由被评价单位提供，被评价单位对资料的真实性、完整性负责。"],
}  # fmt: skip
GENERIC = "该部分指标总体完成较好，个别指标存在扣分，扣分原因详见评分表和工作底稿。"


def _write(session: Session, engagement: Engagement, deliverable: str, texts: dict, author) -> None:
    for view in drafting.ensure_sections(session, engagement, deliverable):
        paragraphs = texts.get(view.row.key) or [GENERIC]
        raw = "".join(p if looks_like_html(p) else f"<p>{p}</p>" for p in paragraphs)
        drafting.save_section(
            session,
            actor=author,
            engagement=engagement,
            section=view.row,
            content=raw,
            version=view.row.version,
        )


def write(session: Session, engagement: Engagement, users: dict[str, User]) -> None:
    """Draft every section of the plan (as the lead) and the report (as the evaluator)."""
    _write(session, engagement, "plan", PLAN, users["demo-lead"])
    _write(session, engagement, "report", REPORT, users["demo-evaluator"])
