"""The default rubrics of DOMAIN.md §7 as plain data (rubrics.py validates and builds them).

The band texts describe what each score range means; agencies copy and adapt them in the admin
page, so the wording here is only the starting point.
"""

STANDARD = {
    "items": [
        {
            "key": "team_competence",
            "name": "项目团队专业能力",
            "max": "15",
            "bands": [
                "13-15：团队成员专业结构合理，具备财务、行业及评价经验，负责人资历符合合同要求",
                "9-12：团队专业能力基本满足工作需要",
                "0-8：团队专业结构或经验明显不足",
            ],
        },
        {
            "key": "team_stability",
            "name": "项目团队稳定性",
            "max": "15",
            "bands": [
                "13-15：主要成员全程参与，未发生更换",
                "9-12：个别成员更换，事先征得委托方同意且未影响工作",
                "0-8：主要成员频繁更换或擅自更换",
            ],
        },
        {
            "key": "communication",
            "name": "工作过程沟通情况",
            "max": "20",
            "bands": [
                "17-20：主动、及时汇报进度和重要问题，响应迅速，配合良好",
                "12-16：沟通基本及时，个别事项响应较慢",
                "0-11：沟通不畅，影响评价工作进度",
            ],
        },
        {
            "key": "report_data",
            "name": "报告数据详实真实",
            "max": "25",
            "bands": [
                "21-25：数据来源可靠、详实准确，关键数据均有佐证",
                "15-20：数据基本准确，个别数据缺少佐证或不一致",
                "0-14：数据错误较多或来源不明",
            ],
        },
        {
            "key": "conclusions",
            "name": "结论清晰、建议可操作",
            "max": "25",
            "bands": [
                "21-25：结论客观清晰，问题分析透彻，建议针对性强、切实可行",
                "15-20：结论基本清晰，建议可行性一般",
                "0-14：结论模糊，建议空泛或不可操作",
            ],
        },
    ]
}

DEDUCTION = {
    "base": "100",
    "deductions": [
        {"key": "cover_element", "name": "封面要素缺失（每处）", "points": "0.4"},
        {"key": "calculation_error", "name": "计算错误（每处）", "points": "0.3"},
        {"key": "outline_missing", "name": "缺少报告提纲规定的部分（每部分）", "points": "1"},
        {"key": "data_inconsistent", "name": "前后数据不一致（每处）", "points": "0.5"},
        {"key": "wording_error", "name": "文字、标点或格式错误（每处）", "points": "0.1"},
    ],
}
