"""The one error vocabulary (core/problems.py): FieldError's locations, the pure domain errors
built on `Invalid`, and how each reaches the API's 422 body and the page's flashed messages."""

from __future__ import annotations

import pytest
from flask import get_flashed_messages
from wtforms import HiddenField, StringField

from workbench.core.errors import ValidationFailed, _domain_answer
from workbench.core.forms import BaseForm, attach_errors
from workbench.core.problems import UNSET, FieldError, Invalid, as_field_errors, at_field
from workbench.core.spreadsheet import TableProblem
from workbench.core.staging import RowsRefused
from workbench.indicators.sheet_file import GRADE_SHEET, SheetError
from workbench.indicators.sheet_file import issue as sheet_issue
from workbench.library.loading import refuse as refuse_packs
from workbench.library.pack_schema import PackError
from workbench.offline.checkin import Refused
from workbench.scoring.values import ParamError
from workbench.surveys.imports import ImportIssue, ImportRefused
from workbench.surveys.imports.errors import issue as import_issue
from workbench.surveys.imports.service import refusal as import_refusal

# Pure: the locations each kind of error says.


def test_a_form_fields_error_says_the_field_and_the_message():
    assert FieldError("请填写名称", field="name").as_dict() == {
        "field": "name",
        "message": "请填写名称",
    }


def test_an_error_without_a_place_says_only_its_message():
    assert FieldError("第3行：金额无效").as_dict() == {"message": "第3行：金额无效"}


def test_an_import_row_names_row_and_column_even_when_the_file_has_none():
    assert import_issue("文件为空") == ImportIssue("文件为空", row=None, column=None)
    assert import_issue("文件为空").as_dict() == {
        "row": None,
        "column": None,
        "message": "文件为空",
    }
    assert import_issue("应为1–5", row=4, column="C列").as_dict() == {
        "row": 4,
        "column": "C列",
        "message": "应为1–5",
    }


def test_a_sheet_error_names_sheet_row_and_column_and_says_where_in_its_message():
    error = sheet_issue(GRADE_SHEET, 3, "下限", "下限应在0到100之间")
    assert error.as_dict() == {
        "sheet": GRADE_SHEET,
        "row": 3,
        "column": "下限",
        "message": "“等级”工作表第3行“下限”列：下限应在0到100之间",
    }
    assert sheet_issue(None, None, None, "无法读取").as_dict() == {
        "sheet": None,
        "row": None,
        "column": None,
        "message": "无法读取",
    }


def test_locations_left_out_are_unset_and_falsy():
    error = FieldError("m", field="name")
    assert (error.sheet, error.row, error.column) == (UNSET, UNSET, UNSET)
    assert not error.row and (error.row or 0) == 0


def test_a_field_error_reads_as_the_dict_it_replaced():
    error = FieldError("请填写日期", field="entry_date")
    assert error == {"field": "entry_date", "message": "请填写日期"}
    assert [error] == [{"field": "entry_date", "message": "请填写日期"}]
    assert error["message"] == "请填写日期" and error.get("row") is None
    assert dict(error) == error.as_dict()
    assert error != {"field": "entry_date", "message": "请填写日期", "row": None}
    assert len({error, FieldError("请填写日期", field="entry_date")}) == 1


def test_callers_dicts_and_sentences_are_read_into_field_errors():
    assert as_field_errors(
        [
            {"field": "url", "message": "请填写推送地址"},
            {"row": 2, "column": None, "message": "缺少数据"},
            "合同金额不一致",
            FieldError("x", field="y"),
        ]
    ) == [
        FieldError("请填写推送地址", field="url"),
        FieldError("缺少数据", row=2, column=None),
        FieldError("合同金额不一致"),
        FieldError("x", field="y"),
    ]
    with pytest.raises(TypeError, match="hint"):
        FieldError.of({"message": "m", "hint": "h"})


def test_at_field_places_each_message_at_one_field():
    assert at_field("grades", "a", "b") == [
        FieldError("a", field="grades"),
        FieldError("b", field="grades"),
    ]


# Pure: the domain errors are `Invalid`, carrying FieldErrors.


def test_invalid_carries_a_headline_and_its_errors():
    error = Invalid("指标表有误", [FieldError("a", field="x"), FieldError("b")])
    assert isinstance(error, ValueError)
    assert (str(error), error.message) == ("指标表有误", "指标表有误")
    assert error.errors == (FieldError("a", field="x"), FieldError("b"))
    assert error.messages == ["a", "b"]


def test_a_param_error_is_one_error_at_its_field():
    assert ParamError("参数应为数字").errors == (FieldError("参数应为数字", field="params"),)
    error = ParamError("目标值无效", field="target")
    assert (error.message, error.field) == ("目标值无效", "target")
    assert error.errors == (FieldError("目标值无效", field="target"),)


def test_a_pack_error_places_each_message_at_the_uploaded_file():
    error = PackError(["a.yaml：缺少 key", "b.yaml：重复"])
    assert isinstance(error, Invalid)
    assert str(error) == "a.yaml：缺少 key\nb.yaml：重复"
    assert error.messages == ["a.yaml：缺少 key", "b.yaml：重复"]
    assert [e.as_dict() for e in error.errors] == [
        {"field": "file", "message": "a.yaml：缺少 key"},
        {"field": "file", "message": "b.yaml：重复"},
    ]


def test_a_sheet_error_says_every_problem():
    problems = [sheet_issue("指标", 2, "分值", "应为数字"), sheet_issue("指标", 5, None, "重复")]
    error = SheetError(problems)
    assert isinstance(error, Invalid)
    assert str(error) == "第2行“分值”列：应为数字\n第5行：重复"
    assert error.errors == tuple(problems)


def test_an_import_refusal_is_its_own_row_error_unless_it_lists_others():
    assert ImportRefused("文件为空").errors == (import_issue("文件为空"),)
    listed = [import_issue("编码无法识别", row=1)]
    assert ImportRefused("无法读取", errors=listed).errors == tuple(listed)


def test_validation_failed_from_an_invalid_keeps_its_errors():
    error = ValidationFailed.from_invalid(ParamError("参数应为数字"))
    assert (error.message, error.status) == ("参数应为数字", 422)
    assert error.details == [FieldError("参数应为数字", field="params")]
    renamed = ValidationFailed.from_invalid(PackError(["a"]), "指标包校验未通过")
    assert renamed.message == "指标包校验未通过"
    assert renamed.details == [FieldError("a", field="file")]


# The request: the API's body and the page's messages.


def _json(app, error) -> tuple[dict, int]:
    with app.test_request_context("/api/v1/anything", method="POST"):
        response, status = _domain_answer(error)
        return response.get_json(), status


def _flashed(app, error) -> list[tuple[str, str]]:
    with app.test_request_context("/page", method="POST"):
        response = _domain_answer(error)
        assert response.status_code == 302
        return get_flashed_messages(with_categories=True)


def test_a_field_error_in_the_api_and_on_a_page(app):
    error = ValidationFailed.of_field("name", "请填写名称")
    assert _json(app, error) == (
        {"error": "请填写名称", "errors": [{"field": "name", "message": "请填写名称"}]},
        422,
    )
    # The detail repeats the headline: said once.
    assert _flashed(app, error) == [("danger", "请填写名称")]


def test_a_sheet_error_in_the_api_and_on_a_page(app):
    sheet = SheetError([sheet_issue("指标", 4, "分值", "应为数字")])
    error = ValidationFailed.from_invalid(sheet, "指标表有误")
    assert _json(app, error) == (
        {
            "error": "指标表有误",
            "errors": [
                {
                    "sheet": "指标",
                    "row": 4,
                    "column": "分值",
                    "message": "第4行“分值”列：应为数字",
                }
            ],
        },
        422,
    )
    assert _flashed(app, error) == [
        ("danger", "指标表有误"),
        ("warning", "第4行“分值”列：应为数字"),
    ]


def test_an_import_refusal_in_the_api_and_on_a_page(app):
    error = import_refusal(
        [import_issue("应为1–5", row=4, column="C列"), import_issue("另有 3 处")]
    )
    assert _json(app, error) == (
        {
            "error": "文件未导入：应为1–5",
            "errors": [
                {"row": 4, "column": "C列", "message": "应为1–5"},
                {"row": None, "column": None, "message": "另有 3 处"},
            ],
        },
        422,
    )
    assert _flashed(app, error) == [("danger", "文件未导入：应为1–5"), ("warning", "另有 3 处")]


def test_a_pack_refusal_in_the_api_and_on_a_page(app):
    error = refuse_packs(PackError(["a.yaml：缺少 key"]).messages)
    assert _json(app, error) == (
        {
            "error": "指标包校验未通过，未导入任何内容",
            "errors": [{"field": "file", "message": "a.yaml：缺少 key"}],
        },
        422,
    )
    assert _flashed(app, error) == [
        ("danger", "指标包校验未通过，未导入任何内容"),
        ("warning", "a.yaml：缺少 key"),
    ]


def test_a_param_error_in_the_api(app):
    error = ValidationFailed.from_invalid(ParamError("目标值无效", field="target"))
    assert _json(app, error) == (
        {"error": "目标值无效", "errors": [{"field": "target", "message": "目标值无效"}]},
        422,
    )


def test_refused_rows_in_the_api_and_on_a_page(app):
    error = RowsRefused([TableProblem("金额无效", 5, "金额"), TableProblem("缺少姓名", 3)])
    assert _json(app, error) == (
        {
            "error": "文件有误，未导入任何内容",
            "errors": [{"message": "第3行：缺少姓名"}, {"message": "第5行“金额”列：金额无效"}],
        },
        422,
    )
    assert _flashed(app, error) == [
        ("danger", "文件有误，未导入任何内容"),
        ("warning", "第3行：缺少姓名"),
        ("warning", "第5行“金额”列：金额无效"),
    ]


def test_a_refused_return_package_is_a_validation_failure_with_only_its_message(app):
    error = Refused("回传包内容不完整，不能导入")
    assert isinstance(error, ValidationFailed)
    assert _json(app, error) == ({"error": "回传包内容不完整，不能导入", "errors": []}, 422)
    assert _flashed(app, error) == [("danger", "回传包内容不完整，不能导入")]


class _Form(BaseForm):
    name = StringField("名称")
    version = HiddenField()


def test_attach_errors_puts_field_errors_beside_their_fields_and_the_rest_on_top(app):
    error = ValidationFailed(
        "信息有误",
        details=[
            FieldError("名称过长", field="name"),
            FieldError("版本号无效", field="version"),
            FieldError("保存失败"),
        ],
    )
    with app.test_request_context("/page", method="POST"):
        form = _Form()
        attach_errors(form, error)
        assert form.name.errors == ["名称过长"]
        assert get_flashed_messages(with_categories=True) == [
            ("danger", "版本号无效"),
            ("danger", "保存失败"),
        ]


def test_attach_errors_says_the_headline_when_no_field_shows_an_error(app):
    with app.test_request_context("/page", method="POST"):
        form = _Form()
        attach_errors(form, ValidationFailed("信息有误"))
        assert get_flashed_messages(with_categories=True) == [("danger", "信息有误")]
