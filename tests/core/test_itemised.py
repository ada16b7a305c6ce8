"""The itemised-response rules (core/itemised.py) with plain inputs."""

from dataclasses import dataclass

import pytest

from workbench.core.itemised import (
    Line,
    Refusal,
    moves_among,
    numbers_after,
    progress,
    refuse_choice,
    refuse_edit,
    refuse_note,
    split_lines,
    text_error,
)

FOLLOW_UP = {"open": {"feedback", "done"}, "feedback": {"done"}, "done": set()}


def test_typed_lines_are_numbered_as_typed_and_cut_at_either_bar():
    text = "  资金管理制度 | 2026-03-31 ｜ 含附件 \n\n   \n第二项｜｜说明"
    assert split_lines(text) == [
        Line(1, ("资金管理制度", "2026-03-31", "含附件")),
        Line(4, ("第二项", "", "说明")),
    ]


def test_a_line_cut_once_keeps_the_later_bars_in_its_second_cell():
    [line] = split_lines("问题一 | 整改要求 | 另有说明", maxsplit=1)
    assert line.cells == ("问题一", "整改要求 | 另有说明")
    assert (line.cell(0), line.cell(1), line.cell(2)) == ("问题一", "整改要求 | 另有说明", "")


def test_no_text_is_no_lines():
    assert split_lines(None) == [] and split_lines("") == [] and split_lines("\n \n") == []


def test_a_line_of_bars_only_has_empty_cells():
    assert split_lines(" | ") == [Line(1, ("", ""))]


def test_new_items_are_numbered_after_the_last():
    assert numbers_after(0, 3) == [1, 2, 3]
    assert numbers_after(7, 1) == [8]
    assert numbers_after(4, 0) == []


@pytest.mark.parametrize(("last", "count"), [(-1, 1), (0, -1)])
def test_numbering_refuses_negative_input(last, count):
    with pytest.raises(ValueError, match="never negative"):
        numbers_after(last, count)


def test_a_text_error_is_a_field_error_worded_by_the_caller():
    kwargs = {
        "field": "content",
        "limit": 5,
        "missing": "请填写",
        "too_long": "超过{limit}字（{n}字）",
    }
    assert text_error("", **kwargs) == {"field": "content", "message": "请填写"}
    assert text_error("六个字的意见", **kwargs) == {"field": "content", "message": "超过5字（6字）"}
    assert text_error("五个字意见", **kwargs) is None


def test_an_optional_text_may_be_empty_but_not_too_long():
    assert text_error("", field="reference", limit=2, too_long="太长") is None
    assert text_error("三个字", field="reference", limit=2, too_long="太长") == {
        "field": "reference",
        "message": "太长",
    }


def test_a_choice_follows_the_moves():
    assert refuse_choice("open", "feedback", FOLLOW_UP) is None
    assert refuse_choice("feedback", "done", FOLLOW_UP) is None
    assert refuse_choice("done", "open", FOLLOW_UP) == Refusal.not_allowed
    assert refuse_choice("feedback", "feedback", FOLLOW_UP) == Refusal.not_allowed


def test_a_state_only_moved_from_is_a_choice_still():
    # "open" is never a move's target, yet asking for it is an illegal move, not a strange word.
    assert refuse_choice("feedback", "open", FOLLOW_UP) == Refusal.not_allowed


def test_an_unknown_choice_or_an_unknown_current_state_is_refused():
    assert refuse_choice("open", "bogus", FOLLOW_UP) == Refusal.unknown_choice
    assert refuse_choice("open", "", FOLLOW_UP) == Refusal.unknown_choice
    assert refuse_choice("bogus", "done", FOLLOW_UP) == Refusal.not_allowed


def test_free_moves_to_another_choice_only():
    moves = moves_among(["requested", "received", "waived"], again=False)
    assert moves == {
        "requested": frozenset({"received", "waived"}),
        "received": frozenset({"requested", "waived"}),
        "waived": frozenset({"requested", "received"}),
    }
    assert refuse_choice("waived", "waived", moves) == Refusal.not_allowed


def test_free_moves_again_and_from_unanswered():
    moves = moves_among(["采纳", "不采纳"], again=True, unanswered="")
    assert moves[""] == frozenset({"采纳", "不采纳"})
    assert moves["采纳"] == frozenset({"采纳", "不采纳"})
    assert refuse_choice("", "采纳", moves) is None
    assert refuse_choice("采纳", "采纳", moves) is None
    # The unanswered state is a state, not an answer.
    assert refuse_choice("采纳", "", moves) == Refusal.not_allowed


def test_a_note_is_needed_only_by_some_choices_and_is_never_too_long():
    assert refuse_note("done", "", required_for={"done"}, limit=3) == Refusal.note_missing
    assert refuse_note("feedback", "", required_for={"done"}, limit=3) is None
    assert refuse_note("feedback", "四个字的", required_for={"done"}, limit=3) == (
        Refusal.note_too_long
    )
    assert refuse_note("done", "三个字", required_for={"done"}, limit=3) is None


def test_a_note_without_a_limit_is_never_too_long():
    assert refuse_note("waived", "长" * 5000, required_for={"waived"}) is None
    assert refuse_note("waived", "", required_for={"waived"}) == Refusal.note_missing


def test_an_answered_item_is_locked_for_its_author():
    assert refuse_edit(answered=True) == Refusal.answered
    assert refuse_edit(answered=False) is None


@dataclass
class Item:
    number: int
    answer: str = ""


def test_progress_keeps_the_order_and_names_the_open_items():
    items = [Item(1, "采纳"), Item(2), Item(3, "不采纳"), Item(4)]
    found = progress(items, answered=lambda i: bool(i.answer))
    assert [i.number for i in found.open] == [2, 4]
    assert [i.number for i in found.items] == [1, 2, 3, 4]
    assert (found.total, found.answered, found.complete) == (4, 2, False)


def test_progress_of_no_items_or_all_answered_is_complete():
    assert progress([], answered=bool).complete
    done = progress(iter([Item(1, "采纳")]), answered=lambda i: bool(i.answer))
    assert (done.total, done.answered, done.open, done.complete) == (1, 1, (), True)
