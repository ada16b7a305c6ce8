"""Template data: the shipped YAML files, the documented format, every refusal named."""

import pytest

from workbench.fieldwork.spec import (
    TemplateError,
    dump_yaml,
    load_yaml,
    parse_template,
    shipped_templates,
)

ISSUE_TEMPLATES = {
    "资料清单",
    "资料接收清单",
    "内业审核记录",
    "现场核查记录",
    "访谈记录",
    "座谈会纪要",
    "财务核查表",
    "指标评分底稿",
    "问卷统计表",
    "复核记录",
    # issue 15 item 8: a paper for every step of the flowchart
    "业务承接评估表",
    "独立性评价表",
    "前期调研记录",
    "方案评审意见处理表",
    "指标论证记录",
    "评分汇总表",
    "征求意见处理记录",
    "审核意见处理记录",
    "归档目录",
}


def test_shipped_templates_cover_the_usual_papers_with_unique_numbers():
    shipped = shipped_templates()
    assert {t.name for t in shipped.values()} == ISSUE_TEMPLATES
    prefixes = [f"{t.letter}-{t.area}" for t in shipped.values()]
    assert len(set(prefixes)) == len(prefixes)
    assert shipped["desk_review"].letter == "D" and shipped["desk_review"].area == "03"
    assert shipped["survey_stats"].letter == "E" and shipped["review_record"].letter == "G"


def test_every_stage_of_the_flowchart_has_a_template_and_every_file_loads():
    from workbench.engagements.stages import ORDER
    from workbench.fieldwork.spec import SHIPPED_DIR

    files = sorted(SHIPPED_DIR.glob("*.yaml"))
    assert len(files) == len(ISSUE_TEMPLATES) == 19
    for path in files:  # each file validates on its own, and its name carries its index
        spec = parse_template(load_yaml(path.read_text(encoding="utf-8")), source="shipped")
        assert path.name.startswith(f"{spec.letter}{spec.area}_"), path.name
        assert spec.fields and all(f.label for f in spec.fields)
    shipped = shipped_templates()
    assert {t.stage for t in shipped.values()} == {stage.value for stage in ORDER}
    assert [
        shipped[k].letter + shipped[k].area for k in ("engagement_acceptance", "independence")
    ] == [
        "A01",
        "A02",
    ]
    assert (shipped["archive_index"].letter, shipped["archive_index"].stage) == ("J", "archive")


def test_stage_papers_record_a_conclusion_the_reviewer_can_check():
    shipped = shipped_templates()
    for key in ("engagement_acceptance", "independence", "indicator_justification"):
        required = {f.key for f in shipped[key].fields if f.required}
        assert "conclusion" in required, key
    decision = {f.key: f for f in shipped["engagement_acceptance"].fields}["decision"]
    assert decision.type == "choice" and "承接" in decision.choices
    handling = {f.key: f for f in shipped["plan_review_handling"].fields}["opinions"]
    assert {c.key for c in handling.columns} >= {"source", "opinion", "handling", "change"}


def test_financial_check_compares_budget_and_spending_by_source_and_year():
    funds = {f.key: f for f in shipped_templates()["financial_check"].fields}["funds"]
    columns = {c.key: c for c in funds.columns}
    assert funds.type == "table" and funds.totals
    assert columns["source"].type == "choice" and "中央财政" in columns["source"].choices
    assert columns["year"].type == "text"
    assert [columns[k].type for k in ("budget", "available", "spent")] == ["money"] * 3
    assert (columns["execution"].numerator, columns["execution"].denominator) == (
        "spent",
        "available",
    )


def test_indicator_scoring_goes_from_evidence_to_score():
    fields = {f.key: f for f in shipped_templates()["indicator_scoring"].fields}
    columns = [c.label for c in fields["points"].columns]
    assert columns == ["评价要点", "佐证材料", "核查发现", "判断", "得分"]
    assert fields["score"].type == "number" and fields["score"].required


def test_dump_and_parse_round_trip_every_shipped_template():
    for spec in shipped_templates().values():
        again = parse_template(load_yaml(dump_yaml(spec)), source="shipped")
        assert again == spec


def test_unquoted_area_is_read_as_two_digits():
    spec = parse_template(
        {
            "key": "x",
            "name": "X",
            "stage": "fieldwork",
            "area": 9,
            "fields": [{"key": "a", "label": "A", "type": "text"}],
        }
    )
    assert spec.area == "09"


def test_every_problem_is_listed_in_chinese():
    data = {
        "key": "Bad Key",
        "name": "",
        "stage": "nowhere",
        "area": "100",
        "colour": "red",
        "fields": [
            {"key": "a", "label": "A", "type": "text"},
            {"key": "a", "label": "重复", "type": "number"},
            {"key": "c", "label": "C", "type": "choice"},
            {"key": "d", "label": "D", "type": "colour"},
            {
                "key": "t",
                "label": "T",
                "type": "table",
                "columns": [
                    {
                        "key": "r",
                        "label": "R",
                        "type": "ratio",
                        "numerator": "x",
                        "denominator": "y",
                    }
                ],
            },
        ],
    }
    with pytest.raises(TemplateError) as caught:
        parse_template(data)
    text = "\n".join(caught.value.issues)
    for expected in (
        "不认识的模板属性 colour",
        "模板 key“Bad Key”",
        "模板名称 name 不能为空",
        "阶段 stage“nowhere”无效",
        "区号 area“100”",
        "第3个字段：选项字段须列出 choices",
        "第4个字段：类型“colour”无效",
        "须是本表的数字或金额列",
        "字段 key 重复：a",
    ):
        assert expected in text, expected


@pytest.mark.parametrize("bad", [None, [], "text", {"fields": []}])
def test_not_a_template(bad):
    with pytest.raises(TemplateError):
        parse_template(bad)


def test_broken_yaml_names_the_line():
    with pytest.raises(TemplateError) as caught:
        load_yaml("key: a\nfields: [\n  - x: : :\n")
    assert "YAML 格式错误第" in caught.value.issues[0]
