"""What the offline pages show, from plain inputs (workbench/offline/display.py)."""

from __future__ import annotations

from datetime import date

from workbench.offline import display


def test_values_are_shown_as_a_reader_expects():
    assert [display.shown(v) for v in (None, "", [], {}, True, False, 3, "文字")] == [
        "（空）", "（空）", "（空）", "（空）", "是", "否", "3", "文字",
    ]  # fmt: skip
    assert display.shown(["甲", 1]) == '["甲", 1]'


def test_a_side_is_marked_where_it_changed_the_field_since_the_check_out():
    [line] = display.lines(
        [{"field": "actual", "label": "实际值", "base": "95%", "server": "95%", "offline": None}]
    )
    assert (line.label, line.base, line.server, line.offline) == ("实际值", "95%", "95%", "（空）")
    assert (line.server_changed, line.offline_changed) == (False, True)
    [both] = display.lines(
        [{"field": "values.note", "base": None, "server": "甲", "offline": "乙"}]
    )
    assert both.label == "values.note" and both.server_changed and both.offline_changed


def test_figures_and_kinds_of_a_check_in():
    summary = {
        "added": {"底稿": 1, "证据": 2},
        "updated": {"底稿": 3},
        "deleted": {"发现的问题": 1},
        "conflicts": 2,
        "resign": [{"paper": "D-01-01", "level": "编制", "user_id": 1}],
        "files": 2,
    }
    found = display.figures(summary)
    assert (found.added, found.updated, found.deleted) == (3, 3, 1)
    assert (found.conflicts, found.resign, found.files) == (2, 1, 2)
    assert display.by_kind(summary) == [
        ("底稿", 1, 3, 0),
        ("证据", 2, 0, 0),
        ("发现的问题", 0, 0, 1),
    ]
    assert display.figures({}) == display.Figures(0, 0, 0, 0, 0, 0)


def test_a_renumbered_paper_is_one_sentence():
    item = {"title": "现场核查", "from": "D-01-02", "to": "D-01-05"}
    assert display.renumbered(item) == (
        "离线新建的底稿 D-01-02「现场核查」与服务器编号重复，已改为 D-01-05"
    )


def test_the_package_name_holds_nothing_a_file_name_cannot():
    day = date(2026, 12, 1)
    assert (
        display.package_name(code="JX-2026-01", engagement_id=7, device="笔记本 X", day=day)
        == "离线包-JX-2026-01-笔记本_X-20261201.wbpkg"
    )
    assert (
        display.package_name(code="", engagement_id=7, device='../a:b*"c', day=day)
        == "离线包-7-a_b_c-20261201.wbpkg"
    )
    assert display.package_name(code="", engagement_id=7, device="///", day=day).startswith(
        "离线包-7-笔记本-"
    )
