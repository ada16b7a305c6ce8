"""Demo fieldwork: a document request to the unit, a site visit, scoring papers with findings.

The indicators domain fills the demo's indicator tree first; scoring papers and their findings are
made only for the indicators that exist. The findings reproduce the sample sheet's deductions and
judged 要点, so the demo total stays the sample's. Evidence files are stored only when an
application (and so its storage folder) is at hand.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from flask import has_app_context
from sqlmodel import Session

from workbench.accounts.models import Organisation, User
from workbench.core.timeutil import today_local
from workbench.engagements.models import Engagement
from workbench.fieldwork import demo_stage_papers, evidence, findings, papers, requests, review
from workbench.fieldwork.models import WorkingPaper
from workbench.indicators.models import Indicator

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _photo(taken: str) -> bytes:
    """A small JPEG whose EXIF says when it was taken."""
    from PIL import Image

    image = Image.new("RGB", (48, 32), (90, 140, 90))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = taken  # DateTimeOriginal
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def _sign(db: Session, engagement: Engagement, paper: WorkingPaper, chain: list[User]) -> None:
    for user, level in zip(chain, ("prepare", "review", "approve"), strict=False):
        review.sign(db, actor=user, engagement=engagement, paper=paper, level=level, comment="同意")


def _leaf(leaves: dict, name: str, rule: str) -> Indicator | None:
    found = leaves.get(name)
    return found if found is not None and found.rule == rule else None


def fill(session: Session, engagement: Engagement, users: dict[str, User]) -> None:
    """Create the demo engagement's working papers, request list and review trail."""
    demo_stage_papers.fill(session, engagement, users)  # A-, B-, C- papers of earlier stages
    evaluator, reviewer, lead = users["demo-evaluator"], users["demo-reviewer"], users["demo-lead"]
    unit_user = users.get("demo-unit")
    today = today_local()
    unit = session.get(Organisation, engagement.unit_id) if engagement.unit_id else None
    unit_name = unit.name if unit else "被评价单位"
    leaves = {i.name: i for i in papers.indicators(session, engagement)}

    def paper(key: str, title: str, values: dict, indicators=()) -> WorkingPaper:
        return papers.create_paper(
            session,
            actor=evaluator,
            engagement=engagement,
            template_key=key,
            title=title,
            values=values,
            indicator_ids=[i.id for i in indicators if i is not None],
        )

    listing = paper(
        "document_list",
        "评价资料需求清单",
        {
            "recipient": unit_name,
            "send_date": (today - timedelta(days=30)).isoformat(),
            "due_date": (today - timedelta(days=10)).isoformat(),
            "purpose": "为开展绩效评价，请按清单提供项目资料，电子版通过工作台上传。",
        },
    )
    receipt = paper(
        "document_receipt",
        "资料接收登记",
        {"provider": unit_name, "received_by": evaluator.display_name},
    )
    request = requests.create_request(
        session,
        actor=lead,
        engagement=engagement,
        title="评价资料需求清单（第一批）",
        note="请于截止日期前上传；如某项资料不存在，请说明原因。",
        paper_id=listing.id,
        receipt_paper_id=receipt.id,
        items=[
            requests.ItemInput("项目立项批复文件", due_date=today - timedelta(days=10)),
            requests.ItemInput("2025年度预算批复及调整文件", due_date=today - timedelta(days=10)),
            requests.ItemInput("资金拨付凭证及项目支出明细账", due_date=today - timedelta(days=10)),
            requests.ItemInput("各校营养餐供餐记录", "按月汇总", today - timedelta(days=3)),
            requests.ItemInput("食品安全抽检报告", due_date=today + timedelta(days=7)),
            requests.ItemInput("学生体检数据汇总表", due_date=today - timedelta(days=10)),
        ],
    )
    if unit_user is not None and unit_user.id in {m.user_id for m in engagement.members}:
        requests.send_request(
            session,
            actor=lead,
            engagement=engagement,
            request=request,
            contact_user_id=unit_user.id,
        )
    items = requests.items_of(session, [request.id])[request.id]
    for item, name in zip(
        items[:3], ("立项批复.pdf", "预算批复.pdf", "支出明细账.pdf"), strict=True
    ):
        if has_app_context():
            data = PDF + name.encode("utf-8")
            requests.upload_to_item(
                session,
                actor=unit_user,
                engagement=engagement,
                request=request,
                item_id=item.id,
                files=[(name, data)],
                max_mb=50,
            )
        else:
            requests.set_item_status(
                session,
                actor=lead,
                engagement=engagement,
                request=request,
                item_id=item.id,
                action="received",
            )
    requests.set_item_status(
        session,
        actor=lead,
        engagement=engagement,
        request=request,
        item_id=items[5].id,
        action="waived",
        reason="本项目未组织学生体检，改用学校营养监测数据（见内业审核记录）",
    )
    _sign(session, engagement, listing, [evaluator, reviewer, lead])
    _sign(session, engagement, receipt, [evaluator])

    site = paper(
        "site_visit",
        "示例市第一中心小学食堂现场核查",
        {
            "site": "示例市第一中心小学",
            "visit_date": (today - timedelta(days=6)).isoformat(),
            "inspectors": f"{evaluator.display_name}、{reviewer.display_name}",
            "unit_staff": "学校后勤主任",
            "method": "实地查看",
            "items": [
                {
                    "item": "食堂操作间卫生",
                    "expected": "符合学校食堂卫生规范",
                    "found": "整洁，留样齐全",
                    "conclusion": "相符",
                },
                {
                    "item": "营养餐供应标准",
                    "expected": "每生每天 5 元",
                    "found": "抽查 3 天菜单，达到标准",
                    "conclusion": "相符",
                },
                {
                    "item": "食材采购台账",
                    "expected": "索证索票齐全",
                    "found": "2 批次缺供货商资质复印件",
                    "conclusion": "基本相符",
                },
            ],
            "summary": "食堂运行规范，营养餐供应达到标准；食材采购台账个别批次资料不全。",
        },
        [leaves.get("食品安全抽检合格率"), leaves.get("营养餐标准达标率")],
    )
    if has_app_context():
        taken = (today - timedelta(days=6)).strftime("%Y:%m:%d") + " 10:24:05"
        evidence.upload(
            session,
            actor=evaluator,
            engagement=engagement,
            paper=site,
            files=[("食堂操作间.jpg", _photo(taken)), ("采购台账抽查.pdf", PDF + b"ledger")],
            max_mb=50,
            source="现场拍摄",
        )
    _sign(session, engagement, site, [evaluator, reviewer, lead])

    compliance = _leaf(leaves, "资金使用合规性", "deduction")
    if compliance is not None:
        scored = paper(
            "indicator_scoring",
            "资金使用合规性评分底稿",
            {"judgement": "资金使用总体合规，存在个别不规范支出。", "score": "3"},
            [compliance],
        )
        for text, points in [
            ("2所学校食堂账目未与学校其他收支分开核算", "0.5"),
            ("抽查凭证中 1 笔采购未履行比价程序", "0.5"),
            ("营养餐补助资金列支食堂人员劳务费 3.2 万元，不符合资金管理办法", "1"),
        ]:
            findings.add_finding(
                session,
                actor=evaluator,
                engagement=engagement,
                paper=scored,
                data=findings.FindingInput(
                    text=text, kind="deduction", indicator_id=compliance.id, points=Decimal(points)
                ),
            )
        _sign(session, engagement, scored, [evaluator, reviewer, lead])
    budgeting = _leaf(leaves, "预算编制科学性", "deduction")
    if budgeting is not None:
        scored = paper(
            "indicator_scoring",
            "预算编制科学性评分底稿",
            {"judgement": "预算测算依据基本充分，个别学校就餐人数测算偏高。", "score": "3"},
            [budgeting],
        )
        findings.add_finding(
            session,
            actor=evaluator,
            engagement=engagement,
            paper=scored,
            data=findings.FindingInput(
                text="预算按在册学生数测算，未扣除寄宿生以外不在校就餐学生，测算偏高",
                kind="deduction",
                indicator_id=budgeting.id,
                points=Decimal("1"),
            ),
        )
        _sign(session, engagement, scored, [evaluator, reviewer])
    procedure = _leaf(leaves, "立项程序规范性", "elements")
    if procedure is not None and findings.element_count(procedure) == 3:
        scored = paper(
            "indicator_scoring",
            "立项程序规范性评分底稿",
            {"judgement": "申报、审批程序完整，但未开展事前绩效评估。", "score": "2"},
            [procedure],
        )
        findings.add_finding(
            session,
            actor=evaluator,
            engagement=engagement,
            paper=scored,
            data=findings.FindingInput(
                text="项目立项前未按规定开展事前绩效评估",
                kind="element",
                indicator_id=procedure.id,
                element_index=3,
                met=Decimal("0"),
            ),
        )
        _sign(session, engagement, scored, [evaluator])

    finance = paper(
        "financial_check",
        "营养改善计划资金财务核查",
        {
            "scope": "2025年度营养改善计划补助资金的预算、到位和支出",
            "check_date": (today - timedelta(days=8)).isoformat(),
            "funds": [
                {
                    "year": "2025",
                    "source": "中央财政",
                    "budget": "8000000",
                    "available": "8000000",
                    "spent": "7600000",
                },
                {
                    "year": "2025",
                    "source": "市级财政",
                    "budget": "4500000",
                    "available": "4000000",
                    "spent": "3602000",
                },
            ],
            "conclusion": "资金到位率 96.00%，预算执行率 93.35%。",
        },
        [leaves.get("资金到位率"), leaves.get("预算执行率")],
    )
    _sign(session, engagement, finance, [evaluator])
    review.add_note(
        session,
        actor=reviewer,
        engagement=engagement,
        paper=finance,
        text="请补充市级资金未足额到位的原因说明，并附拨付文件。",
    )
    paper(
        "interview",
        "学校后勤主任访谈",
        {
            "interviewee": "示例市第一中心小学后勤主任",
            "interview_date": (today - timedelta(days=6)).isoformat(),
        },
    )
