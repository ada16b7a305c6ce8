"""Hostile input to every operation of the JSON API: no answer of 500 or above, nothing stored.

For each operation of the OpenAPI registry (workbench.api.blueprint.OPERATIONS), as a role allowed
to call it: ids beyond an INTEGER column in the path, hostile query strings, and for operations with a body
a valid sample body with each value in turn (and then all of them) replaced by a hostile one,
hostile keys, bodies that are not objects, a body nested 5,000 deep and one beyond the size cap.
Each operation runs inside a savepoint rolled back afterwards. The number of hostile requests is
recorded as the test's `hostile_requests` property (printed at the end of the run).
"""

from __future__ import annotations

import io
import json
from functools import partial

import pytest

from tests.security import fuzz
from workbench.api.blueprint import OPERATIONS

pytestmark = pytest.mark.slow

QUERY = ["page", "per_page", "q", "version", "indicator_id", "stage", "status", "tag"]
BLOCKS = ["解决", "问题", "依据"]
SAMPLES: dict[str, object] = {
    "TokenIn": {"username": "demo-lead", "password": "demo12345"},
    "EngagementIn": {
        "title": "模糊测试项目",
        "type": "project",
        "bureau_name": "示例市财政局",
        "unit_name": "模糊测试单位",
        "budget_year": 2025,
        "budget_amount": "1000.00",
        "code": "FZ-1",
        "planned_start": "2025-01-01",
        "planned_end": "2025-06-30",
    },
    "SurveyIn": {
        "title": "模糊测试问卷",
        "purpose": "了解满意度",
        "respondents": "家长",
        "questions": [
            {
                "key": "q1",
                "text": "您对服务满意吗",
                "type": "likert",
                "options": ["满意", "不满意"],
                "scores": ["100", "0"],
                "satisfaction_item": True,
                "weight": "1",
            },
            {"key": "q2", "text": "建议", "type": "text"},
        ],
    },
    "TreeIn": {
        "indicators": [
            {
                "path": BLOCKS,
                "weight": "100",
                "rule": "manual",
                "score": "90",
                "target": "100%",
                "actual": "95%",
                "definition": "说明",
            }
        ],
        "grades": [["优", "90"], ["良", "80"]],
    },
    "WorkpaperIn": {
        "template": "site_visit",
        "title": "模糊测试底稿",
        "indicator_paths": [BLOCKS],
        "fields": {"note": "记录"},
    },
    "SignoffIn": {"level": "prepare", "comment": "已编制"},
    "SubmissionIn": {"kind": "plan", "note": "请审核"},
    "DecisionIn": {
        "decision": "return",
        "comments": ["请补充", {"body": "意见", "section": "", "paragraph": 1}],
        "note": "退回",
    },
    "RatingIn": {"rubric": "", "scores": {"k1": "5"}, "deductions": {"d1": 1}, "comment": "好"},
    "MemberIn": {"username": "demo-admin", "role": "evaluator", "duty": "现场核查"},
    "DeclarationIn": {"kind": "independence", "has_conflict": False, "conflict_detail": ""},
    "EngagementPatch": {"title": "模糊测试改名", "budget_amount": "2000.00", "description": "说明"},
    "DocumentRequestIn": {
        "title": "模糊测试清单",
        "note": "说明",
        "due_date": "2026-05-10",
        "items": [{"name": "花名册", "description": "按学校", "due_date": "2026-05-01"}],
    },
    "RequestItemsIn": {"items": [{"name": "供餐记录", "description": "", "due_date": None}]},
    "RequestSendIn": {"contact_user_id": 1},
    "RequestItemStatusIn": {"action": "waived", "reason": "未单独建账"},
    "PaperFindingIn": {
        "text": "模糊测试发现",
        "kind": "observation",
        "money": "100.00",
        "evidence_ids": [],
        "confirm_clear_signoffs": True,
    },
    "ContractIn": {
        "number": "FZ-HT-1",
        "signed_on": "2026-03-01",
        "fee": "480000.00",
        "deposit_rate": "10",
        "instalments": [
            {"event": "signing", "percent": "90"},
            {"event": "deposit_release", "percent": "10"},
        ],
        "bands": [{"min_score": "90", "fraction": "1"}, {"min_score": "0", "fraction": "0"}],
        "release_days": 30,
        "note": "模糊测试合同",
    },
    "ContractPatch": {"number": "FZ-HT-2", "fee": "480000.00", "note": "模糊测试修改"},
    "LedgerEntryIn": {
        "amount": "100.00",
        "entry_date": "2026-03-05",
        "instalment": 1,
        "note": "开票",
    },
    "DepositWithholdingIn": {"amount": "100.00", "entry_date": "2026-03-05", "note": "预留"},
    "DepositReleaseIn": {"amount": "100.00", "paid_on": "2026-09-05", "note": "释放"},
    "LedgerVoidIn": {"reason": "录入错误"},
    "CommentIn": {"body": "请补充数据来源", "section": "", "paragraph": None},
    "CommentReplyIn": {"answer": "已补充数据来源"},
    "RectificationItemIn": {
        "problem": "资金拨付不及时",
        "requirement": "建立制度",
        "feedback_due": "2026-02-01",
        "rectify_due": "2026-03-01",
    },
    "RectificationItemPatch": {
        "problem": "资金拨付滞后",
        "requirement": "建立制度",
        "feedback_due": "2026-02-01",
        "rectify_due": "2026-03-01",
    },
    "RectificationProgressIn": {"status": "feedback_received", "note": "已收到反馈"},
    "RectificationReportIn": {"kind": "progress", "text": "已制定拨付时限制度"},
    # workbench/api/report_sections.py, scoring_record.py
    "ReportSectionIn": {
        "content": "<p>评价范围为本年度全部资金。</p>",
        "confirm_clear_signoffs": True,
    },
    "ReportSignIn": {"level": "prepare", "comment": "已自查"},
    "ReportWithdrawIn": {"level": "prepare"},
    "IndicatorUnconfirmIn": {"confirm_clear_signoffs": True},
    # workbench/api/consultation.py
    "ConsultationSendIn": {
        "version_id": 1,
        "recipient_id": 1,
        "message": "请于月底前反馈",
        "due_date": "2026-12-31",
    },
    "ConsultationNoOpinionsIn": {"note": "2026-12-01 电话确认无意见"},
    "OpinionIn": {"reference": "第3页", "content": "建议补充数据来源。"},
    "OpinionAnswerIn": {"adoption": "采纳", "reason": "已在第三部分补充。"},
    # workbench/api/experts.py, expert_assignments.py, notifications.py
    "ExpertIn": {
        "name": "模糊专家",
        "title": "研究员",
        "field_tags": ["教育", "统计"],
        "organisation": "某大学",
        "phone": "13800000000",
        "email": "fuzz@example.com",
        "user_id": None,
        "note": "备注",
        "active": True,
    },
    "ExpertPatch": {"title": "教授", "field_tags": ["财务"], "note": "改", "active": True},
    "AssignmentIn": {"expert_id": 1, "duty": "方案评审", "override_reason": ""},
    "AssignmentEndIn": {"reason": "项目调整"},
    "NoticePreferencesIn": {"enabled": ["paper.returned", "review.returned"]},
    "ExpertFeeIn": {"item": "评审费", "amount": "800.00", "fee_date": "2026-03-05", "note": ""},
    "SurveyStateIn": {"action": "close", "reason": ""},
    "SamplePlanIn": {"population": 1000, "confidence": "0.95", "margin": "0.05"},
    "SampleWaiverIn": {"reason": "回收期内家长外出务工较多"},
    "SurveyLinkIn": {"indicator_path": ["效益", "满意度", "家长满意度"], "metric": "rate"},
    "CheckAcknowledgementIn": {"fingerprint": "0" * 64},
    "PlanReviewSignIn": {"conclusion": "passed", "opinion": "方案可行，同意实施。"},
}


def _leaves(value, path=()):
    """Every scalar's path in a nested sample."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path


def _replaced(value, path, new):
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replaced(value[path[0]], path[1:], new)
    return copy


def _bodies(sample):
    """(label, JSON text) of hostile bodies built on a valid sample."""
    for key, bad in [(repr(v)[:20], v) for v in fuzz.JSON_HOSTILE]:
        leaves = list(_leaves(sample))
        everything = sample
        for path in leaves:
            everything = _replaced(everything, path, bad)
        yield f"all={key}", everything
        for path in leaves:
            yield f"{'.'.join(map(str, path))}={key}", _replaced(sample, path, bad)
    yield "bad key", {**sample, "标题\x00\ufffe": "x"}
    for other in ([sample], "text", 12, None, True):
        yield f"body={type(other).__name__}", other


def _texts(sample):
    for label, body in _bodies(sample):
        yield label, json.dumps(body, ensure_ascii=True)  # \ud800 survives as an escape
    yield "deep", fuzz.DEEP_JSON
    yield "not JSON", "{" * 3 + "'"
    yield "beyond the cap", json.dumps({"title": "x" * (6 * 1024 * 1024)})


def _path_values(values: dict) -> dict:
    return {**values, "id": values["engagement_id"]}


@pytest.fixture()
def api_headers(demo, token_for):
    """headers(role) → a bearer token of that demo user (made once per role)."""
    made: dict[str, dict] = {}

    def _headers(role: str) -> dict:
        name = fuzz.username(role)
        if name is None:
            return {}
        if role not in made:
            made[role] = token_for(demo.users[name])
        return made[role]

    return _headers


def _current_etag(client, path, *, method, headers, **kwargs):
    """The update sent with If-Match set to what a GET of the same record answers now."""
    tag = client.get(path, headers=headers).headers.get("ETag", 'W/"0"')
    return client.open(path, method=method, headers={**headers, "If-Match": tag}, **kwargs)


def test_hostile_api_requests_never_answer_500(
    app, db, demo, client, api_headers, make_user, record_property
):
    with app.app_context():  # the matrix's objects store real files
        values = _path_values(fuzz.params(db, demo, make_user("unit")))
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    tally = fuzz.Tally()
    for op in OPERATIONS:
        rule = rules[f"api.{op.endpoint}"]
        headers = api_headers(fuzz.role_for(rule.endpoint))
        method = op.method.upper()
        target = fuzz.url(rule, values)
        call = partial(client.open, method=method, headers=headers)
        if (
            op.versioned
        ):  # each body is sent with the record's current ETag, so it reaches the service
            call = partial(_current_etag, client, method=method, headers=headers)
        with fuzz.rolled_back(app) as written:
            for name in fuzz.int_arguments(rule):
                for huge in (fuzz.HUGE, fuzz.INT32):
                    path = fuzz.url(rule, values, {name: huge})
                    tally.call(f"{method} {path}", partial(call, path))
            if method == "GET":
                for key, value in fuzz.HOSTILE.items():
                    query = dict.fromkeys(QUERY, value)
                    tally.call(f"GET {target} ?…={key}", partial(call, target, query_string=query))
                continue
            if op.multipart:
                upload = (io.BytesIO(b"\x00" * 64), fuzz.HOSTILE["controls"] + ".xlsx")
                files = {op.multipart: upload}  # the field the route reads: "file" or "files"
                tally.call(f"{method} {target} file", partial(call, target, data=files))
            sample = SAMPLES.get(op.body.__name__) if op.body else {"label": "初稿"}
            for label, text in _texts(sample):
                tally.call(
                    f"{method} {target} {label}",
                    partial(call, target, data=text, content_type="application/json"),
                )
            stored = fuzz.stored_illegal_text(db, written)
            assert stored == [], f"{op.endpoint}: {stored}"
    record_property("hostile_requests", tally.sent)
    assert tally.failures == [], "\n".join(tally.failures)


def test_every_api_body_model_has_a_sample():
    missing = {op.body.__name__ for op in OPERATIONS if op.body} - set(SAMPLES)
    assert missing == set()


def test_the_samples_are_valid_so_hostile_values_reach_the_services():
    for op in OPERATIONS:
        if op.body:
            op.body.model_validate(SAMPLES[op.body.__name__])
