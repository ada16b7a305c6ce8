"""Sample contexts for every template: the README's contract shown as data.

The figures are those of workbench/demo/samples (the 营养改善计划 indicator sheet: sum 81.61
over an applicable weight of 96, total 85.01, grade 良; the 240-answer survey). Tests and
``build_templates.py --preview`` render the templates with them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NA = "不适用"
# (一级, 二级, 三级, weight, score or 不适用, scoring note, working-paper index)
LEAVES = [
    ("决策", "项目立项", "立项依据充分性", "3", "2.63", "1个评价要点部分满足", "DG-01-01"),
    ("决策", "项目立项", "立项程序规范性", "3", "2.00", "未履行集体决策程序", "DG-01-02"),
    ("决策", "绩效目标", "绩效目标合理性", "3", "2.10", "部分达成", "DG-01-03"),
    ("决策", "绩效目标", "绩效指标明确性", "3", "2.63", "专家评分去极值平均", "ZJ-01"),
    ("决策", "资金投入", "预算编制科学性", "4", "3.00", "测算依据不足扣1分", "DG-01-04"),
    ("决策", "资金投入", "资金分配合理性", "4", "4.00", "", ""),
    ("过程", "资金管理", "资金到位率", "4", "3.84", "到位3,702.5万元/预算3,860万元", "CW-02-01"),
    ("过程", "资金管理", "预算执行率", "6", "3.36", "执行率91.2%", "CW-02-02"),
    ("过程", "资金管理", "资金使用合规性", "5", "3.00", "发现3处违规", "CW-02-03"),
    ("过程", "组织实施", "管理制度健全性", "2", "2.00", "", ""),
    ("过程", "组织实施", "制度执行有效性", "3", "2.10", "台账记录不完整", "DG-02-04"),
    ("产出", "产出数量", "受益学生人数", "6", "5.88", "完成率97.95%", "DG-03-01"),
    ("产出", "产出数量", "供餐天数", "6", "4.80", "实际供餐192天", "DG-03-02"),
    ("产出", "产出质量", "食品安全抽检合格率", "6", "5.91", "合格率98.5%", "DG-03-03"),
    ("产出", "产出质量", "营养餐标准达标率", "4", "4.00", "", ""),
    ("产出", "产出时效", "资金拨付及时性", "4", "4.00", "", ""),
    ("产出", "产出成本", "生均每日补助标准", "4", "3.85", "实际5.2元/标准5元", "CW-03-04"),
    ("产出", "产出成本", "成本节约率", "3", "2.50", "专家组评定", "ZJ-02"),
    ("效益", "社会效益", "学生营养健康状况改善", "6", "4.50", "达标率提升2.4个百分点", "DG-04-01"),
    ("效益", "社会效益", "学生出勤率", "4", "3.96", "出勤率97.1%", "DG-04-02"),
    ("效益", "经济效益", "带动本地农产品采购", "4", NA, "省级统一配送，不适用", ""),
    ("效益", "可持续影响", "长效管理机制建立情况", "4", "3.20", "考核机制未建立", "DG-04-03"),
    ("效益", "满意度", "学生满意度", "5", "4.35", "满意度87.4%", "WJ-01"),
    ("效益", "满意度", "家长满意度", "4", "4.00", "满意度88.2%", "WJ-02"),
]
FINDINGS = {
    "立项依据充分性": [("项目实施方案未与本县学校布局调整规划衔接。", "0.37", "DG-01-01")],
    "立项程序规范性": [("2024年度实施方案未经局党组会议集体研究。", "1.00", "DG-01-02")],
    "预算编制科学性": [("预算按上年基数编制，未按在校生人数逐校测算。", "1.00", "DG-01-04")],
    "资金使用合规性": [
        ("2所学校以现金支付食材款，金额合计3.2万元。", "0.50", "CW-02-03"),
        ("1所学校将补助资金用于购置厨房设备，属超范围支出。", "0.50", "CW-02-03"),
        ("食堂采购发票与入库单数量不符，差额<5%且&未说明。", "1.00", "CW-02-03"),
    ],
}
TWO = Decimal("0.01")


def _d(text: str) -> Decimal:
    return Decimal(text)


def _fmt(value: Decimal) -> str:
    return str(value.quantize(TWO, rounding=ROUND_HALF_UP))


def project() -> dict:
    return {
        "name": "2024年度农村义务教育学生营养改善计划补助资金",
        "bureau": "某县财政局",
        "unit": "某县教育局",
        "agency": "某某绩效评价咨询有限公司",
        "report_no": "JX-2025-017",
        "date": "2025年3月",
        "budget_year": "2024",
        "budget_amount": "3,860.00万元",
        "term": "评价",
        "kind_name": "绩效评价",
    }


def closing(*, lead: str = "", evaluator: str = "") -> dict:
    """The closing block: a name where that person signed in the app, else a blank line."""
    return {"lead": lead, "evaluator": evaluator, "date": "2025年3月18日"}


def _applicable() -> list[tuple]:
    return [leaf for leaf in LEAVES if leaf[4] != NA]


def score_totals() -> dict:
    """weight_sum, score_sum, total (rescaled to 100 when a leaf is 不适用) and grade."""
    weight = sum(_d(leaf[3]) for leaf in _applicable())
    score = sum(_d(leaf[4]) for leaf in _applicable())
    total = (score * 100 / weight).quantize(TWO, rounding=ROUND_HALF_UP)
    grade = "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"
    return {
        "weight_sum": _fmt(weight),
        "score_sum": _fmt(score),
        "total": _fmt(total),
        "grade": grade,
        "score_note": f"“带动本地农产品采购”指标不适用（分值4分），按适用指标分值{_fmt(weight)}分"
        f"将得分折算为百分制：{_fmt(score)} × 100 ÷ {_fmt(weight)} = {_fmt(total)}。",
    }


def score_rows(*, with_notes: bool = False, with_standard: bool = False) -> list[dict]:
    rows = []
    for level1, level2, name, weight, score, note, paper in LEAVES:
        row = {
            "level1": level1,
            "level2": level2,
            "name": name,
            "weight": _fmt(_d(weight)),
            "score": score,
        }
        if with_notes:
            row |= {"note": note, "paper_index": paper}
        if with_standard:
            row["standard"] = f"{name}：按评分标准计分，详见指标解释。"
        rows.append(row)
    return rows


def level1_analysis() -> list[dict]:
    result = []
    for level1 in dict.fromkeys(leaf[0] for leaf in LEAVES):
        leaves = [leaf for leaf in _applicable() if leaf[0] == level1]
        weight = sum(_d(leaf[3]) for leaf in leaves)
        score = sum(_d(leaf[4]) for leaf in leaves)
        indicators = [
            {
                "name": leaf[2],
                "weight": _fmt(_d(leaf[3])),
                "score": leaf[4],
                "explanation": f"评分依据：{leaf[5] or '符合评分标准，得满分'}。",
                "findings": [
                    {"text": t, "deduction": d, "paper_index": p}
                    for t, d, p in FINDINGS.get(leaf[2], [])
                ],
            }
            for leaf in leaves
        ]
        result.append(
            {
                "name": level1,
                "weight": _fmt(weight),
                "score": _fmt(score),
                "rate": f"{_fmt(score * 100 / weight)}%",
                "summary": [f"{level1}类指标主要评价项目{level1}方面的情况。"],
                "indicators": indicators,
            }
        )
    return result


def survey_appendix() -> dict:
    """附件2: the main survey, then a small one whose α cannot be judged."""
    main = survey()
    return {
        "surveys": [
            {
                "title": "学生家长满意度调查",
                "intro": "调查对象为受益学生家长，调查方式为问卷调查（问卷星导入），用于“家长满意度”"
                "指标的评分。评价方案确定的计划有效样本量为370份，实际有效问卷229份，为计划的"
                "61.89%，未达到计划样本量，计划发放问卷400份，回收240份，回收率60.00%，"
                "有效率95.42%。",
                "reliability": "满意度量表的信度系数（Cronbach's α）为-0.16。",
                "warning": "信度系数为负值，说明各题得分之间缺乏一致性（题目方向或答卷质量存在"
                "问题），该问卷结果不能反映一致的满意程度，相关结论仅作参考，已在评分中予以说明。",
                "rows": main["rows"],
                "overall": main["overall"],
                "notes": main["notes"],
            },
            {
                "title": "学生满意度网络调查",
                "intro": "调查对象为受益学生，调查方式为问卷调查（网络填答），用于“学生满意度”"
                "指标的评分。未设定计划样本量，实际有效问卷4份，共回收问卷4份，有效率100.00%。",
                "reliability": "满意度量表的信度系数（Cronbach's α）为0.97，计算所依据的完整答卷"
                "仅4份（少于30份），样本过小，该系数不足以判断信度。",
                "warning": "",
                "rows": main["rows"][:2],
                "overall": None,
                "notes": [],
            },
        ]
    }


def survey() -> dict:
    items = [
        ("补助资金发放及时性", "79.58%", "81.21", "74.04%～84.20%"),
        ("补助标准合理性", "78.33%", "81.38", "72.70%～83.08%"),
        ("申请流程便捷性", "79.58%", "82.88", "74.04%～84.20%"),
        ("政策宣传到位程度", "82.50%", "83.75", "77.19%～86.78%"),
        ("总体满意度", "82.50%", "83.08", "77.19%～86.78%"),
    ]
    return {
        "population": "受益学生家长",
        "method": "问卷星线上调查与现场发放相结合",
        "sample_target": "240",
        "collected": "240",
        "valid": "240",
        "validity_rate": "100.00%",
        "alpha": "0.87",
        "alpha_note": "信度良好",
        "rows": [
            {"name": n, "n": "240", "rate": r, "score_index": s, "ci": c} for n, r, s, c in items
        ],
        "overall": {"n": "240", "rate": "80.50%", "score_index": "82.46", "ci": "75.02%～85.02%"},
        "notes": [
            "满意率为“非常满意”与“满意”人数之和占有效样本的比例；满意度得分按"
            "非常满意100、满意80、一般60、不满意30、非常不满意0分计算。"
        ],
    }


def charts() -> list[dict]:
    from workbench.reports.charts import level1_rate_chart, satisfaction_chart

    analysis = level1_analysis()
    return [
        {
            "title": "一级指标得分率",
            "image": level1_rate_chart(
                names=[a["name"] for a in analysis], rates=[a["rate"] for a in analysis]
            ),
        },
        {
            "title": "满意度分布",
            "image": satisfaction_chart(
                items=[
                    "补助资金发放及时性",
                    "补助标准合理性",
                    "申请流程便捷性",
                    "政策宣传到位程度",
                ],
                levels=["非常满意", "满意", "一般", "不满意", "非常不满意"],
                # Counts consistent with the sample's rates and score indexes (map 100/80/60/30/0).
                counts=[
                    [92, 99, 35, 9, 5],
                    [94, 94, 40, 7, 5],
                    [106, 85, 38, 7, 4],
                    [111, 87, 30, 8, 4],
                ],
            ),
        },
    ]


def _text(key: str, heading: str, paragraphs: list[str]) -> dict:
    return {"kind": "text", "key": key, "heading": heading, "paragraphs": paragraphs}


def evaluation_report() -> dict:
    """The project outline (report_templates/outlines/project.yaml) as context_outline builds it."""
    para = "{} 的内容由评价人员撰写，数据来源于被评价单位提供的资料和现场核查。"
    cn = "一二三四五六七八九"
    analysis = level1_analysis()
    outline = [
        ("一、基本情况", [
            _text("overview", "（一）项目概况", [
                "本项目2024年度预算3,860.00万元，覆盖全县46所义务教育学校。",
                para.format("项目概况"),
            ]),
            _text("goals", "（二）项目绩效目标", ["总体目标：改善农村学生营养健康状况，提高学生体质。"]),
            _text("management", "（三）项目管理情况", ["县教育局制定了资金管理办法和食堂管理制度。"]),
        ]),
        ("二、绩效评价工作开展情况", [
            _text("purpose", "（一）绩效评价目的、对象和范围", [para.format("评价目的、对象和范围")]),
            _text("methodology", "（二）绩效评价原则、评价指标体系、评价方法、评价标准等",
                  ["评价采用比较法、因素分析法和公众评判法，指标体系见表1。"]),
            _text("process", "（三）绩效评价工作过程",
                  ["2025年1月接受委托，2月完成现场核查和满意度调查，3月形成报告。"]),
        ]),
        ("三、综合评价情况及评价结论", [
            {"kind": "score_table", "caption": "表1"},
            _text("conclusion", "", ["项目总体实现了预期目标，但资金管理和长效机制方面仍有不足。"]),
        ]),
        ("四、绩效评价指标分析", [
            {"kind": "level1", "heading": f"（{cn[i]}）{l1['name']}指标分析", "l1": l1}
            for i, l1 in enumerate(analysis)
        ]),
        ("五、主要经验及做法、存在的问题及原因分析", [
            _text("experience", "（一）主要经验及做法", ["建立了“校长陪餐”制度，食品安全管理较为规范。"]),
            _text("problems", "（二）存在的问题及原因分析",
                  ["（一）预算编制不够精细。预算按上年基数编制，未逐校测算。"]),
        ]),
        ("六、有关建议", [
            _text("rectification", "（一）绩效整改措施", ["县教育局于2025年6月底前完成逐校预算测算。"]),
            _text("suggestions", "（二）绩效改进建议",
                  ["建议按在校生人数和供餐天数逐校测算预算，提高预算编制的科学性。"]),
        ]),
        ("七、其他需要说明的问题", []),
    ]  # fmt: skip
    return {
        "project": project(),
        "title": "2024年度农村义务教育学生营养改善计划补助资金绩效评价报告",
        "version_label": "征求意见稿",
        "term": "评价",
        "outline": [{"title": title, "contents": items} for title, items in outline],
        "closing_tail": ["无。"],
        "score_rows": score_rows(),
        **score_totals(),
        "self_review": None,
        "survey": survey(),
        "survey_appendix": survey_appendix(),
        "appendix_table": 2,
        "charts": charts(),
        "closing": closing(lead="李项目", evaluator="张评价"),
    }


def outline_item(context: dict, key: str) -> dict:
    """The section ``key`` of an evaluation_report context's outline (tests edit its paragraphs)."""
    return next(
        item for chapter in context["outline"] for item in chapter["contents"]
        if item.get("key") == key
    )  # fmt: skip


EX_ANTE = [  # (维度, 评估要点, 分值, 得分)
    ("立项必要性", "政策相符性", "10", "9.00"),
    ("立项必要性", "需求迫切性", "10", "9.00"),
    ("投入经济性", "投入合理性", "10", "7.50"),
    ("投入经济性", "成本测算科学性", "10", "8.00"),
    ("绩效目标合理性", "目标明确性", "10", "8.00"),
    ("绩效目标合理性", "目标可衡量性", "10", "8.00"),
    ("实施方案可行性", "组织保障", "10", "9.00"),
    ("实施方案可行性", "实施计划可行性", "10", "8.00"),
    ("筹资合规性", "资金来源合规性", "10", "10.00"),
    ("筹资合规性", "财政支出责任", "10", "9.00"),
]


def ex_ante_report() -> dict:
    dims = []
    for name in dict.fromkeys(row[0] for row in EX_ANTE):
        rows = [row for row in EX_ANTE if row[0] == name]
        weight, score = sum(_d(r[2]) for r in rows), sum(_d(r[3]) for r in rows)
        dims.append(
            {
                "name": name,
                "weight": _fmt(weight),
                "score": _fmt(score),
                "paragraphs": [f"{name}方面，项目总体较好。"],
            }
        )
    total = _fmt(sum(_d(r[3]) for r in EX_ANTE))
    return {
        "project": project()
        | {
            "name": "2026年度县域学生营养餐食堂改造项目",
            "term": "评估",
            "kind_name": "事前绩效评估",
        },
        "title": "2026年度县域学生营养餐食堂改造项目事前绩效评估报告",
        "version_label": "",
        "sections": {
            "basic": ["项目拟投入1,200.00万元，改造12所学校食堂。"],
            "work": ["评估组查阅了项目申报材料，召开专家论证会1次。"],
            "conclusion": ["建议调整部分学校的改造内容后予以支持。"],
            "suggestions": ["细化分校预算，明确绩效目标的量化指标。"],
            "other": ["无。"],
        },
        "score_rows": [
            {"level1": d, "name": p, "weight": _fmt(_d(w)), "score": s} for d, p, w, s in EX_ANTE
        ],
        "weight_sum": "100.00",
        "score_sum": total,
        "total": total,
        "grade": "",
        "conclusion": "调整后支持",
        "conclusion_text": f"经综合评估，2026年度县域学生营养餐食堂改造项目事前绩效评估得分为{total}分，"
        "按评估结论分数线（80分及以上予以支持，60分及以上不足80分调整后支持，不足60分不予支持），"
        "评估结论为“调整后支持”。",
        "score_note": "",
        "dimensions": dims,
        "closing": closing(evaluator="张评价"),
    }


def evaluation_plan() -> dict:
    return {
        "project": project(),
        "title": "2024年度农村义务教育学生营养改善计划补助资金绩效评价工作方案",
        "version_label": "",
        "sections": {
            "object": ["资金用于全县46所农村义务教育学校学生每生每天5元的营养膳食补助。"],
            "scope": ["评价范围覆盖全县46所学校，抽查12所。"],
            "methods": ["采用比较法、因素分析法、公众评判法。"],
            "standards": ["以计划标准为主，参考行业标准和历史标准。"],
            "indicators": ["指标体系由决策、过程、产出、效益4个一级指标构成。"],
            "quality": ["实行三级复核制度，所有底稿均由复核人复核。"],
        },
        "basis": ["《中华人民共和国预算法》", "《项目支出绩效评价管理办法》（财预〔2020〕10号）"],
        "score_rows": score_rows(with_standard=True),
        "weight_sum": "100.00",
        "sample_plan": {
            "paragraphs": ["调查对象为受益学生家长，采用分层随机抽样。"],
            "confidence": "95%",
            "z": "1.96",
            "p": "0.5",
            "margin": "5%",
            "n0": "385",
            "population": "10,000",
            "n": "370",
            "target": "400",
            "strata": [
                {"name": "城区学校家长", "population": "4,000", "sample": "160"},
                {"name": "农村学校家长", "population": "6,000", "sample": "240"},
            ],
        },
        "schedule": [
            {"stage": "前期准备", "period": "2025年1月", "content": "制定方案、发送资料清单"},
            {"stage": "现场评价", "period": "2025年2月", "content": "现场核查、满意度调查"},
        ],
        "team": [
            {"name": "张三", "title": "高级会计师", "role": "项目负责人", "duty": "统筹与报告审核"},
            {"name": "李四", "title": "注册会计师", "role": "评价人员", "duty": "财务核查"},
        ],
        "experts": [
            {
                "name": "王五",
                "title": "教授",
                "organisation": "某大学公共管理学院",
                "field": "教育财政",
            }
        ],
        "deliverables": [
            {"name": "绩效评价工作方案", "due": "2025年1月20日"},
            {"name": "绩效评价报告", "due": "2025年3月31日"},
        ],
    }


def score_sheet() -> dict:
    return {
        "project": project(),
        "score_rows": score_rows(with_notes=True),
        **score_totals(),
        "signoffs": {"scored_by": "李四", "reviewed_by": "赵六", "approved_by": "张三"},
    }


OPINIONS = [
    ("建议删除关于现金支付的表述。", "不采纳", "经核查凭证，现金支付事实清楚，予以保留。"),
    ("受益学生人数应为51,020人。", "采纳", "已根据学籍系统数据更正。"),
    ("建议补充食品安全工作成效。", "部分采纳", "已在主要经验中补充。"),
]


def opinion_table() -> dict:
    return {
        "project": project(),
        "feedback": {"unit": "某县教育局", "date": "2025年3月20日"},
        "opinions": [
            {"content": content, "adoption": adoption, "reason": reason}
            for content, adoption, reason in OPINIONS
        ],
    }


def working_paper() -> dict:
    return {
        "project": project(),
        "paper": {
            "index": "CW-02-03",
            "title": "资金使用合规性核查底稿",
            "stage": "资料收集与现场评价",
        },
        "indicators": ["过程/资金管理/资金使用合规性"],
        "fields": [
            {"label": "核查内容", "value": "抽查12所学校2024年度食堂账簿、凭证。"},
            {"label": "核查方法", "value": "查阅凭证、核对银行流水。"},
        ],
        "findings": [
            {"text": t, "indicator": "资金使用合规性", "deduction": d}
            for t, d, _ in FINDINGS["资金使用合规性"]
        ],
        "evidence": [{"name": "记账凭证复印件", "source": "某中心学校", "note": "共15页"}],
        "signoffs": {
            "prepared_by": "李四",
            "prepared_on": "2025年2月18日",
            "reviewed_by": "赵六",
            "reviewed_on": "2025年2月20日",
            "review_comment": "同意",
            "approved_by": "张三",
            "approved_on": "2025年2月21日",
            "approval_comment": "同意",
        },
    }


SAMPLES = {
    "evaluation_plan": evaluation_plan,
    "evaluation_report": evaluation_report,
    "ex_ante_report": ex_ante_report,
    "score_sheet": score_sheet,
    "opinion_table": opinion_table,
    "working_paper": working_paper,
}
