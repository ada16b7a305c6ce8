"""Demo: narrative texts of the plan and the report, section assignments and sampling settings."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session

from workbench.engagements.models import Engagement
from workbench.reports import sections as text
from workbench.reports.services import sections as drafting
from workbench.reports.services import settings
from workbench.reports.services.schedule import save_schedule

PLAN = {
    "object": [
        "本次评价对象为市级财政安排的农村义务教育学生营养改善计划补助资金，资金按每生每天5元的标准，"
        "为全市农村义务教育学校学生提供营养膳食补助，覆盖学校{{fact:units_covered}}，计划受益学生"
        "{{fact:beneficiaries_planned}}，预算资金{{fact:budget}}。",
        "资金由市教育局统筹管理，各学校按实际就餐人数和供餐天数据实结算，主要用于采购食材，不得用于"
        "人员工资、水电燃料和设备购置。",
    ],
    "scope": [
        "评价范围为2025年度补助资金的分配、拨付、使用和管理情况，以及项目产出和效益。",
        "现场评价按学校规模和区域分层抽取18所学校（城区6所、乡镇12所），对食堂台账、采购凭证、"
        "供餐记录进行核查，并对学生和家长开展满意度调查。",
    ],
    "basis": [
        "<ol><li>《中华人民共和国预算法》</li><li>《中共中央 国务院关于全面实施预算绩效管理的意见》"
        "</li><li>《项目支出绩效评价管理办法》（财预〔2020〕10号）</li><li>《财政部关于委托第三方"
        "机构参与预算绩效管理的指导意见》（财预〔2021〕6号）</li><li>《农村义务教育学生营养改善计划"
        "实施细则》</li><li>市财政局与评价机构签订的委托合同</li></ol>"
    ],
    "methods": [
        "评价综合运用比较法、因素分析法和公众评判法：将实际产出与年初绩效目标比较，分析影响目标"
        "实现的内外部因素，并通过问卷调查了解服务对象的满意程度。",
        "资金管理类指标以查阅账簿凭证和资金拨付记录为主，产出和效益类指标以现场核查、抽样统计和"
        "部门提供的统计数据为主，专家评分指标由评审专家独立打分。",
    ],
    "standards": [
        "以项目年度绩效目标和实施方案确定的计划标准为主，参考教育部门发布的营养改善计划行业标准，"
        "并与上年度实际完成情况（历史标准）对比。"
    ],
    "indicators": [
        "指标体系参照财预〔2020〕10号文的共性指标框架，结合营养改善计划的特点设置个性指标，由决策、"
        "过程、产出、效益4个一级指标构成，总分100分，评分标准见表1。"
    ],
    "sample": [
        "调查对象为受益学生家长，采用分层随机抽样，按城区和乡镇学校学生人数比例分配样本，通过"
        "问卷星线上发放与学校现场发放相结合的方式收集问卷。"
    ],
    "quality": [
        "实行工作底稿三级复核制度：评价人员编制底稿，复核人复核，项目负责人批准；所有扣分均须"
        "对应底稿中的具体问题和佐证材料。",
        "评价报告经内部三级复核后征求被评价单位意见，对意见逐条答复后再提交委托方审核。",
    ],
}

REPORT = {
    "overview": [
        "营养改善计划自实施以来，已成为改善农村学生营养健康状况的重要民生工程。2025年度市级财政"
        "继续安排补助资金，覆盖全市126所农村义务教育学校。",
        "项目由市教育局牵头实施，各区县教育局负责资金拨付和日常监管，学校负责食堂运营和食材采购。",
    ],
    "goals": [
        "总体目标：保障农村义务教育学生在校期间获得营养均衡的午餐，提高学生营养健康水平和出勤率。"
    ],
    "management": [
        "市教育局制定了营养改善计划补助资金管理办法、学校食堂管理规范和食材采购管理制度，明确区县"
        "教育局、学校的资金拨付、使用和监管责任；各校建立了陪餐、食材验收和公示制度。"
    ],
    "purpose": [
        "本次评价旨在全面了解补助资金的使用效益，发现资金管理和项目实施中存在的问题，为完善政策、"
        "优化资金安排提供参考。",
        "评价对象为2025年度营养改善计划补助资金，评价范围涵盖资金的分配、拨付、使用和管理全过程。",
    ],
    "methodology": [
        "评价遵循科学规范、公正公开、分级分类、绩效相关的原则，采用比较法、因素分析法和公众评判法，"
        "以计划标准为主要评价标准。"
    ],
    "process": [
        "评价工作组在前期准备阶段与委托方、被评价单位进行了座谈，明确评价重点；现场评价阶段抽查"
        "18所学校，查阅凭证和台账，访谈校长、食堂管理人员和家长代表，并开展家长满意度问卷调查（样本与信度见附件2）。"
    ],
    "conclusion": [
        "总体来看，项目立项依据充分，资金基本按计划拨付和使用，供餐覆盖面和食品安全管理达到预期，"
        "学生和家长满意度较高；但在预算编制、资金使用规范性和长效管理机制方面仍存在不足。"
    ],
    "experience": [
        "<ol><li>建立“校长陪餐”和家长开放日制度，食品安全管理较为规范，全年未发生食品安全事故。</li>"
        "<li>推行食材统一招标采购，降低了采购成本，保障了食材质量。</li></ol>"
    ],
    "problems": [
        "<ol><li>预算编制不够精细。预算按上年基数编制，未按各校在校生人数和供餐天数逐校测算。</li>"
        "<li>资金使用不够规范。个别学校以现金支付食材款，存在将补助资金用于购置厨房设备的超范围"
        "支出。</li><li>长效管理机制尚未建立。对学校食堂的绩效考核办法尚未出台。</li></ol>"
    ],
    "rectification": [
        "<ol><li>市教育局于下一预算年度编制前，按各校在校生人数和供餐天数逐校测算预算。</li>"
        "<li>各区县教育局在3个月内清理现金支付和超范围支出，收回或调整相关资金。</li>"
        "<li>市教育局在6个月内出台学校食堂绩效考核办法。</li></ol>"
    ],
    "suggestions": [
        "<ol><li>按在校生人数和供餐天数逐校测算预算，提高预算编制的科学性。</li>"
        "<li>加强资金支付监管，推行公务卡或银行转账结算，严禁超范围使用补助资金。</li>"
        "<li>尽快出台学校食堂绩效考核办法，将考核结果与下年度资金安排挂钩。</li></ol>"
    ],
    "other": ["本次评价所依据的资料由被评价单位提供，被评价单位对资料的真实性、完整性负责。"],
    "l1:决策": [
        "项目立项符合国家营养改善计划政策要求，绩效目标基本明确，但部分目标未细化量化，预算编制的"
        "测算依据不足。"
    ],
    "l1:过程": [
        "资金到位及时，预算执行率较高，但资金使用合规性方面发现多处问题，制度执行的有效性有待加强。"
    ],
    "l1:产出": [
        "受益学生人数和供餐天数基本达到计划，食品安全抽检合格率较高，补助标准执行总体到位。"
    ],
    "l1:效益": [
        "学生营养健康状况有所改善，出勤率保持较高水平，学生和家长满意度良好；长效管理机制仍需完善。"
    ],
}

ASSIGN = {"l1:效益": "demo-expert", "problems": "demo-evaluator", "suggestions": "demo-evaluator"}


def _write(session: Session, engagement: Engagement, deliverable: str, texts: dict, author) -> None:
    for view in drafting.ensure_sections(session, engagement, deliverable):
        paragraphs = texts.get(view.row.key)
        if not paragraphs:
            continue
        raw = "".join(p if text.looks_like_html(p) else f"<p>{p}</p>" for p in paragraphs)
        drafting.save_section(
            session,
            actor=author,
            engagement=engagement,
            section=view.row,
            content=raw,
            version=view.row.version,
        )


# The demo plan's timetable: (phase, first day, last day) counted from the planned start.
SCHEDULE = (("前期准备", 0, 15), ("现场评价", 16, 45), ("分析评价", 46, 55),
            ("报告撰写", 56, 80), ("资料归档", 81, 90))  # fmt: skip
PLAN_WRITTEN = 5  # days after the planned start


def _schedule(session: Session, engagement: Engagement, lead) -> None:
    start = engagement.planned_start or engagement.created_at.date()
    row = settings.get_setting(session, engagement)
    save_schedule(
        session,
        actor=lead,
        engagement=engagement,
        version=settings.setting_version(row),
        plan_date=start + timedelta(days=PLAN_WRITTEN),
        windows={
            name: (start + timedelta(days=first), start + timedelta(days=last))
            for name, first, last in SCHEDULE
        },
    )


def fill(session: Session, engagement: Engagement, users: dict) -> None:
    """Draft every section of the demo plan and report, assign three, set the sample plan."""
    lead, evaluator = users["demo-lead"], users["demo-evaluator"]
    _write(session, engagement, "plan", PLAN, lead)
    _write(session, engagement, "report", REPORT, evaluator)
    for view in drafting.ensure_sections(session, engagement, "report"):
        if view.row.key in ASSIGN:
            drafting.assign(
                session,
                actor=lead,
                engagement=engagement,
                section=view.row,
                user_id=users[ASSIGN[view.row.key]].id,
            )
    setting = settings.get_setting(session, engagement)
    settings.save_setting(
        session,
        actor=lead,
        engagement=engagement,
        version=settings.setting_version(setting),
        values={
            "population": 12000,
            "confidence": Decimal("0.95"),
            "margin": Decimal("0.05"),
            "proportion": Decimal("0.5"),
            "target": 400,
            "strata": [
                {"name": "城区学校家长", "population": 4200},
                {"name": "乡镇学校家长", "population": 7800},
            ],
        },
    )
    _schedule(session, engagement, lead)
