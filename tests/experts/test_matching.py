"""Conflict matching and tag parsing (pure)."""

from workbench.experts.matching import Party, Tie, find_conflicts, normalise, split_tags

PARTIES = [Party("委托方", 1, "示例市财政局"), Party("被评价单位", 2, "示例市（县）教育局")]


def test_normalise_folds_width_spaces_and_case():
    assert normalise(" 示例市（县）教育局 ") == normalise("示例市(县)教育局")
    assert normalise("ABC 大学") == "abc大学"
    assert normalise(None) == ""


def test_split_tags():
    assert split_tags("教育、财务管理, 绩效评价；教育  统计") == [
        "教育",
        "财务管理",
        "绩效评价",
        "统计",
    ]
    assert split_tags(["农业", "农业", " 林业 "]) == ["农业", "林业"]
    assert split_tags("") == [] and split_tags(None) == []


def test_tie_by_id_or_by_loose_name():
    found = find_conflicts(
        expert_name="孙专家",
        organisation="示例大学",
        ties=[
            Tie("改名前的财政局", 1, "曾任职"),
            Tie("示例市(县)教育局", None, ""),
            Tie("示例县财政局", 9, "顾问"),
        ],
        parties=PARTIES,
    )
    assert found == [
        "孙专家 申报与“改名前的财政局”存在关联（曾任职），该单位是本项目的委托方",
        "孙专家 申报与“示例市(县)教育局”存在关联，该单位是本项目的被评价单位",
    ]


def test_employer_is_a_conflict_and_no_ties_no_conflict():
    assert find_conflicts(
        expert_name="郑高工", organisation="示例市（县）教育局", ties=[], parties=PARTIES
    ) == ["郑高工 的工作单位“示例市（县）教育局”是本项目的被评价单位"]
    assert find_conflicts(expert_name="钱专家", organisation="", ties=[], parties=PARTIES) == []
