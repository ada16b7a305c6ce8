"""Document requests and findings through the API (issue 21): the pages' services, rules, refusals
and audit entries; cursor lists; the unit's uploads; an idempotent retry."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from sqlmodel import func, select

from tests.fieldwork.helpers import PDF, indicators, signed_paper
from tests.permissions_roles import fresh_engagement
from workbench.accounts.models import Organisation
from workbench.core.audit import AuditEntry
from workbench.engagements import services as engagements
from workbench.fieldwork import findings, papers, requests
from workbench.fieldwork.models import DocumentRequest, Evidence, Finding

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture()
def engagement(db, demo):
    """An engagement of the demo team (demo-unit its unit contact) with nothing recorded yet."""
    return fresh_engagement(db, demo, "资料与问题接口")


@pytest.fixture()
def as_(demo, token_for):
    """as_("lead") → bearer headers of demo-lead (made once per user)."""
    made: dict[str, dict] = {}

    def _headers(role: str) -> dict:
        if role not in made:
            made[role] = token_for(demo.users[f"demo-{role}"])
        return made[role]

    return _headers


def _request(db, demo, engagement, *, title="补充资料清单", names=("花名册",), to="demo-unit"):
    lead = demo.users["demo-lead"]
    created = requests.create_request(
        db, actor=lead, engagement=engagement, title=title,
        items=[requests.ItemInput(n) for n in names],
    )  # fmt: skip
    if to:
        requests.send_request(
            db, actor=lead, engagement=engagement, request=created,
            contact_user_id=demo.users[to].id,
        )  # fmt: skip
    db.flush()
    return created


def _item_id(db, created, n=0) -> int:
    return requests.items_of(db, [created.id])[created.id][n].id


def _upload(client, headers, url, *files):
    answer = client.post(
        url, headers=headers, content_type="multipart/form-data",
        data={"files": [(BytesIO(data), name) for name, data in files]},
    )  # fmt: skip
    answer.request.input_stream.close()  # a big body is a temporary file the client leaves open
    return answer


def _actions(db, engagement) -> list[tuple[str, int | None]]:
    rows = db.exec(
        select(AuditEntry).where(AuditEntry.engagement_id == engagement.id).order_by(AuditEntry.id)
    ).all()
    return [(r.action, r.actor_id) for r in rows]


def _walk(client, headers, url) -> list[list[int]]:
    pages, next_cursor = [], None
    while True:
        page = client.get(url + (f"&cursor={next_cursor}" if next_cursor else ""), headers=headers)
        assert page.status_code == 200, page.json
        pages.append([i["id"] for i in page.json["items"]])
        next_cursor = page.json["next_cursor"]
        if next_cursor is None:
            return pages


def test_the_lead_requests_sends_and_waives_and_the_unit_uploads(client, db, demo, engagement, as_):
    lead, unit = demo.users["demo-lead"], demo.users["demo-unit"]
    body = {
        "title": "第一批资料",
        "note": "请于五日内提供",
        "due_date": "2026-05-10",
        "items": [{"name": " 学生花名册 ", "description": "按学校"}, {"name": "供餐记录",
                                                                 "due_date": "2026-05-01"}],
    }  # fmt: skip
    created = client.post(f"/api/v1/engagements/{engagement.id}/requests", json=body,
                          headers=as_("lead"))  # fmt: skip
    assert created.status_code == 201, created.json
    rid = created.json["id"]
    assert created.json["sent_at"] is None and created.json["item_count"] == 2
    assert [(i["number"], i["name"], i["due_date"]) for i in created.json["items"]] == [
        (1, "学生花名册", "2026-05-10"), (2, "供餐记录", "2026-05-01"),
    ]  # fmt: skip
    shown = client.get(f"/api/v1/requests/{rid}", headers=as_("evaluator"))
    assert shown.status_code == 200 and shown.headers["ETag"] == 'W/"1"'
    # Not sent yet: the unit's contact does not know it exists.
    assert client.get(f"/api/v1/requests/{rid}", headers=as_("unit")).status_code == 404

    added = client.post(f"/api/v1/requests/{rid}/items", headers=as_("lead"),
                        json={"items": [{"name": "食堂账目"}]})  # fmt: skip
    assert added.status_code == 201 and [(i["number"], i["name"]) for i in added.json["items"]] == [
        (3, "食堂账目")
    ]
    sent = client.post(f"/api/v1/requests/{rid}/send", headers=as_("lead"),
                       json={"contact_user_id": unit.id})  # fmt: skip
    assert sent.status_code == 200 and sent.json["contact_name"] == unit.display_name
    assert sent.json["sent_at"] and sent.headers["ETag"] == f'W/"{sent.json["version"]}"'

    listed = client.get(f"/api/v1/engagements/{engagement.id}/requests", headers=as_("unit"))
    assert [r["id"] for r in listed.json["items"]] == [rid]
    items = client.get(f"/api/v1/requests/{rid}", headers=as_("unit")).json["items"]
    first, _second, third = (i["id"] for i in items)
    uploaded = _upload(client, as_("unit"), f"/api/v1/requests/{rid}/items/{first}/files",
                       ("花名册.pdf", PDF + b"roster"), ("花名册附表.pdf", PDF + b"annex"))  # fmt: skip
    assert uploaded.status_code == 201, uploaded.json
    assert [f["name"] for f in uploaded.json["files"]] == ["花名册.pdf", "花名册附表.pdf"]
    assert uploaded.json["item"]["status"] == "received" and uploaded.json["item"]["number"] == 1
    stored = db.exec(select(Evidence).where(Evidence.request_item_id == first)).all()
    assert {(e.uploaded_by_id, e.source, e.paper_id) for e in stored} == {
        (unit.id, "被评价单位提供", None)
    }

    status_url = f"/api/v1/requests/{rid}/items/{third}/status"
    no_reason = client.post(status_url, headers=as_("lead"), json={"action": "waived"})
    assert no_reason.status_code == 422 and no_reason.json["errors"][0]["field"] == "reason"
    waived = client.post(status_url, headers=as_("lead"),
                         json={"action": "waived", "reason": "该项目未单独建账"})  # fmt: skip
    assert waived.status_code == 200
    assert (waived.json["status"], waived.json["status_name"], waived.json["number"]) == (
        "waived", "免于提供", 3,
    )  # fmt: skip
    again = client.post(status_url, headers=as_("lead"), json={"action": "waived", "reason": "x"})
    assert again.status_code == 409

    summary = client.get(f"/api/v1/engagements/{engagement.id}/requests", headers=as_("lead"))
    row = summary.json["items"][0]
    assert (row["item_count"], row["received"], row["waived"]) == (3, 1, 1)
    assert [a for a in _actions(db, engagement) if a[0].startswith("document_request")] == [
        ("document_request.create", lead.id),
        ("document_request.add_items", lead.id),
        ("document_request.send", lead.id),
        ("document_request.upload", unit.id),
        ("document_request.item_waived", lead.id),
    ]


def test_who_may_do_what_with_a_request(client, db, demo, engagement, as_, make_user, token_for):
    mine = _request(db, demo, engagement)
    item = _item_id(db, mine)
    base = f"/api/v1/requests/{mine.id}"
    new = {"title": "评价组自建", "items": [{"name": "x"}]}
    assert client.post(f"/api/v1/engagements/{engagement.id}/requests", json=new,
                       headers=as_("evaluator")).status_code == 403  # fmt: skip
    for role in ("evaluator", "unit"):
        assert client.post(f"{base}/items", json={"items": [{"name": "x"}]},
                           headers=as_(role)).status_code == 403  # fmt: skip
        assert client.post(f"{base}/send", json={"contact_user_id": 1},
                           headers=as_(role)).status_code == 403  # fmt: skip
        assert client.post(f"{base}/items/{item}/status", json={"action": "received"},
                           headers=as_(role)).status_code == 403  # fmt: skip
    # The expert reads the team's lists but uploads nothing for the unit.
    assert client.get(base, headers=as_("expert")).status_code == 200
    refused = _upload(client, as_("expert"), f"{base}/items/{item}/files", ("a.pdf", PDF))
    assert refused.status_code == 403
    assert client.get(base, headers=as_("bureau")).status_code == 404
    assert client.get(base, headers=as_("bureau2")).status_code == 404
    assert client.get(f"/api/v1/engagements/{engagement.id}/requests",
                      headers=as_("bureau")).status_code == 403  # fmt: skip
    assert client.get("/api/v1/requests/999999", headers=as_("lead")).status_code == 404
    assert client.get(base).status_code == 401

    # A request sent to another contact of the unit is not demo-unit's to see or answer, and
    # another unit's contact reaches nothing of this engagement.
    other = make_user("unit", org=db.get(Organisation, engagement.unit_id))  # a colleague
    engagements.add_member(db, actor=demo.users["demo-lead"], engagement=engagement,
                           user_id=other.id, role="unit")  # fmt: skip
    theirs = _request(db, demo, engagement, title="另一单位", to=None)
    requests.send_request(db, actor=demo.users["demo-lead"], engagement=engagement,
                          request=theirs, contact_user_id=other.id)  # fmt: skip
    outsider = make_user("unit")
    db.flush()
    assert _upload(client, as_("unit"), f"/api/v1/requests/{theirs.id}/items/"
                   f"{_item_id(db, theirs)}/files", ("a.pdf", PDF)).status_code == 404  # fmt: skip
    stranger = token_for(outsider)
    assert (
        _upload(client, stranger, f"{base}/items/{item}/files", ("a.pdf", PDF)).status_code == 404
    )
    assert client.get(f"/api/v1/engagements/{engagement.id}/requests",
                      headers=stranger).status_code == 404  # fmt: skip
    # An item of another request is not this request's.
    assert _upload(client, as_("unit"), f"{base}/items/{_item_id(db, theirs)}/files",
                   ("a.pdf", PDF)).status_code == 404  # fmt: skip
    assert db.exec(select(func.count()).select_from(Evidence).where(
        Evidence.engagement_id == engagement.id)).one() == 0  # fmt: skip


def test_hostile_uploads_store_nothing(client, db, demo, engagement, as_, app):
    mine = _request(db, demo, engagement)
    url = f"/api/v1/requests/{mine.id}/items/{_item_id(db, mine)}/files"
    disguised = _upload(client, as_("unit"), url, ("资金拨付.pdf", PNG))
    assert disguised.status_code == 422 and "资金拨付.pdf" in str(disguised.json)
    assert _upload(client, as_("unit"), url).status_code == 422  # no file at all
    app.config["MAX_UPLOAD_MB"] = 1
    try:
        big = _upload(client, as_("unit"), url, ("大.pdf", PDF + b"0" * (1024 * 1024 + 1)))
    finally:
        app.config["MAX_UPLOAD_MB"] = 50
    assert big.status_code == 422 and "超过 1 MB 的大小限制" in str(big.json)
    first = _upload(client, as_("unit"), url, ("花名册.pdf", PDF + b"roster"))
    assert first.status_code == 201
    twice = _upload(client, as_("unit"), url, ("花名册副本.pdf", PDF + b"roster"))
    assert twice.status_code == 422 and "不能重复上传" in str(twice.json)
    assert [e.name for e in db.exec(select(Evidence).where(
        Evidence.engagement_id == engagement.id)).all()] == ["花名册.pdf"]  # fmt: skip


def test_bad_request_bodies_are_field_errors(client, db, demo, engagement, as_):
    url = f"/api/v1/engagements/{engagement.id}/requests"
    elsewhere = papers.create_paper(db, actor=demo.users["demo-evaluator"],
                                    engagement=demo.engagement, template_key="document_list")  # fmt: skip
    db.flush()
    for body, field in (
        ({"title": "x", "items": []}, "items"),
        ({"title": " ", "items": [{"name": "a"}]}, "title"),
        ({"title": "x", "items": [{"name": "a"}], "colour": "red"}, "colour"),
        ({"title": "x", "items": [{"name": "a"}], "paper_id": elsewhere.id}, "paper_id"),
        ({"title": "x", "items": [{"name": "a"}], "due_date": "下周"}, "due_date"),
    ):
        answer = client.post(url, json=body, headers=as_("lead"))
        assert answer.status_code == 422 and field in str(answer.json), body
    mine = _request(db, demo, engagement, to=None)
    answer = client.post(f"/api/v1/requests/{mine.id}/send", headers=as_("lead"),
                         json={"contact_user_id": demo.users["demo-evaluator"].id})  # fmt: skip
    assert answer.status_code == 422 and answer.json["errors"][0]["field"] == "contact_user_id"
    assert db.exec(select(func.count()).select_from(DocumentRequest).where(
        DocumentRequest.engagement_id == engagement.id)).one() == 1  # fmt: skip


def test_request_pages_follow_each_other_and_the_unit_sees_its_own(
    client, db, demo, engagement, as_
):
    made = [_request(db, demo, engagement, title=f"清单{n}", to="demo-unit" if n % 2 else None)
            for n in range(5)]  # fmt: skip
    url = f"/api/v1/engagements/{engagement.id}/requests?limit=2"
    assert _walk(client, as_("lead"), url) == [
        [made[4].id, made[3].id], [made[2].id, made[1].id], [made[0].id],
    ]  # fmt: skip
    assert _walk(client, as_("unit"), url) == [[made[3].id, made[1].id]]
    bad = client.get(f"{url}&cursor=bm90LWEtY3Vyc29y", headers=as_("lead"))
    assert bad.status_code == 422 and "cursor" in str(bad.json)


def test_a_retried_create_creates_one_request(client, db, demo, engagement, as_):
    headers = {**as_("lead"), "Idempotency-Key": "request-2026-05"}
    body = {"title": "重试只建一份", "items": [{"name": "花名册"}]}
    url = f"/api/v1/engagements/{engagement.id}/requests"
    first = client.post(url, json=body, headers=headers)
    again = client.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
    assert db.exec(select(func.count()).select_from(DocumentRequest).where(
        DocumentRequest.title == body["title"])).one() == 1  # fmt: skip


@pytest.fixture()
def scored(db, demo, engagement):
    """A site-visit paper of the engagement linked to a deduction and an elements indicator."""
    leaves = indicators(db, engagement)
    budget, basis = leaves["预算编制科学性"], leaves["立项依据充分性"]
    paper = papers.create_paper(
        db, actor=demo.users["demo-evaluator"], engagement=engagement, template_key="site_visit",
        title="现场核查", indicator_ids=[budget.id, basis.id],
    )  # fmt: skip
    db.flush()
    return paper, budget, basis


def test_recording_findings_on_a_paper(client, db, demo, engagement, as_, scored):
    paper, budget, basis = scored
    url = f"/api/v1/workpapers/{paper.id}/findings"
    deduction = {
        "text": "3所学校食堂账目未单独核算", "kind": "deduction",
        "indicator_path": ["决策", "资金投入", "预算编制科学性"], "points": "1.5",
        "money": "12000.50",
    }  # fmt: skip
    made = client.post(url, json=deduction, headers=as_("evaluator"))
    assert made.status_code == 201, made.json
    assert made.json["indicator_id"] == budget.id and Decimal(made.json["points"]) == Decimal("1.5")
    assert made.json["money"] == "12000.50" and made.json["kind_name"] == "扣分"
    assert made.json["recorded_by_name"] == demo.users["demo-evaluator"].display_name
    element = {"text": "立项依据第二项部分满足", "kind": "element", "indicator_id": basis.id,
               "element_index": 2, "met": "0.5"}  # fmt: skip
    assert client.post(url, json=element, headers=as_("reviewer")).status_code == 201
    for body, field in (
        ({**deduction, "points": "9"}, "points"),  # beyond the indicator's weight of 4
        ({**deduction, "indicator_path": ["决策", "资金投入", "不存在"]}, "indicator_paths"),
        ({**deduction, "indicator_id": budget.id}, "body"),  # an id and a path
        ({"text": "x", "kind": "deduction"}, "indicator_id"),
        ({"text": "x", "kind": "element", "indicator_id": basis.id, "element_index": 9,
          "met": "1"}, "element_index"),
    ):  # fmt: skip
        answer = client.post(url, json=body, headers=as_("evaluator"))
        assert answer.status_code == 422 and field in str(answer.json), body
    assert client.post(url, json=deduction, headers=as_("expert")).status_code == 403
    assert client.post(url, json=deduction, headers=as_("unit")).status_code == 403
    assert client.post(url, json=deduction, headers=as_("bureau2")).status_code == 404
    rows = db.exec(select(Finding).where(Finding.paper_id == paper.id)).all()
    assert [(f.kind, f.points, f.met) for f in rows] == [
        ("deduction", Decimal("1.50"), None), ("element", None, Decimal("0.5000")),
    ]  # fmt: skip
    assert [a for a in _actions(db, engagement) if a[0] == "finding.add"] == [
        ("finding.add", demo.users["demo-evaluator"].id),
        ("finding.add", demo.users["demo-reviewer"].id),
    ]


def test_a_finding_on_a_signed_paper_needs_the_confirmation(client, db, demo, as_):
    signed = signed_paper(db, demo, levels=("prepare", "review"))
    url = f"/api/v1/workpapers/{signed.id}/findings"
    refused = client.post(url, json={"text": "补充发现"}, headers=as_("evaluator"))
    assert refused.status_code == 409 and "confirm_clear_signoffs" in refused.json["error"]
    done = client.post(url, json={"text": "补充发现", "confirm_clear_signoffs": True},
                       headers=as_("evaluator"))  # fmt: skip
    assert done.status_code == 201 and done.json["paper_status"] == "prepared"


def test_the_findings_list_in_pages(client, db, demo, engagement, as_, scored):
    paper, budget, _basis = scored
    other = papers.create_paper(db, actor=demo.users["demo-evaluator"], engagement=engagement,
                                template_key="desk_review", title="预算资料审核")  # fmt: skip
    made = [
        findings.add_finding(
            db,
            actor=demo.users["demo-evaluator"],
            engagement=engagement,
            paper=paper if n % 2 else other,
            data=findings.FindingInput(text=f"发现{n}"),
        )  # fmt: skip
        for n in range(5)
    ]
    db.flush()
    url = f"/api/v1/engagements/{engagement.id}/findings?limit=2"
    ids = [f.id for f in reversed(made)]
    assert _walk(client, as_("expert"), url) == [ids[:2], ids[2:4], ids[4:]]
    first = client.get(url, headers=as_("lead")).json["items"][0]
    assert (first["text"], first["paper_id"], first["paper_index"]) == (
        "发现4", other.id, other.index_no,
    )  # fmt: skip
    assert first["indicator_path"] is None and first["evidence_count"] == 0
    every = client.get(f"/api/v1/engagements/{demo.engagement.id}/findings?limit=200",
                       headers=as_("lead"))  # fmt: skip
    assert every.status_code == 200 and not {i["id"] for i in every.json["items"]} & set(ids)
    for role, code in (("unit", 403), ("bureau", 403), ("bureau2", 404)):
        assert client.get(url, headers=as_(role)).status_code == code, role


def test_the_lists_take_as_many_queries_for_many_rows_as_for_few(
    client, db, demo, engagement, as_, scored, count_queries
):
    paper, _budget, _basis = scored
    headers = as_("lead")

    def queries() -> tuple[int, int]:
        counted = []
        for what in ("requests", "findings"):
            with count_queries() as counter:
                answer = client.get(f"/api/v1/engagements/{engagement.id}/{what}", headers=headers)
            assert answer.status_code == 200
            counted.append(counter.count)
        return counted[0], counted[1]

    def add(n: int) -> None:
        for k in range(n):
            _request(db, demo, engagement, title=f"清单{k}", names=("甲", "乙"))
            findings.add_finding(
                db, actor=demo.users["demo-evaluator"], engagement=engagement, paper=paper,
                data=findings.FindingInput(text=f"发现{k}"),
            )  # fmt: skip
        db.flush()

    add(1)
    queries()  # the token's first use is recorded once
    few = queries()
    add(5)
    assert queries() == few
