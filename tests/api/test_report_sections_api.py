"""The plan's and report's sections through the API (issue 21): the drafting pages' rules."""

from __future__ import annotations

from sqlmodel import select

from tests.api.record_helpers import engagement
from workbench.core.audit import AuditEntry
from workbench.reports.models import ReportSection, SectionVersion


def _match(version: int) -> dict:
    return {"If-Match": f'W/"{version}"'}


def test_the_plan_lists_its_outline_and_a_section_is_saved_with_its_version(
    client, db, demo, token_for
):
    e = engagement(db, demo, "方案章节")
    lead = token_for(demo.users["demo-lead"])
    listed = client.get(f"/api/v1/engagements/{e.id}/plan/sections", headers=lead)
    assert listed.status_code == 200
    assert (listed.json["deliverable"], listed.json["editable"], listed.json["refusal"]) == (
        "plan", True, None,
    )  # fmt: skip
    first = listed.json["items"][0]
    assert first["deliverable"] == "plan" and first["number"] == 0
    assert first["state"] in {"pending", "optional"}
    assert first["state_name"] == {"pending": "待撰写", "optional": "可选"}[first["state"]]
    assert (first["updated_at"], first["updated_by_name"], first["html"]) == (None, "", "")
    url = f"/api/v1/engagements/{e.id}/sections/{first['id']}"
    read = client.get(url, headers=lead)
    assert read.status_code == 200 and read.headers["ETag"] == f'W/"{first["version"]}"'
    assert read.json["heading"] == first["heading"]

    body = {"content": "<p>评价范围为本年度全部资金。</p>"}
    missing = client.put(url, headers=lead, json=body)
    assert missing.status_code == 428 and "If-Match" in missing.json["error"]
    stale = client.put(url, headers={**lead, **_match(first["version"] + 5)}, json=body)
    assert stale.status_code == 412 and "已被他人修改" in stale.json["error"]
    assert db.get(ReportSection, first["id"]).number == 0  # nothing written

    saved = client.put(url, headers={**lead, **_match(first["version"])}, json=body)
    assert saved.status_code == 200, saved.json
    assert (saved.json["changed"], saved.json["number"], saved.json["state"]) == (
        True, 1, "written",
    )  # fmt: skip
    assert saved.json["text"] == "评价范围为本年度全部资金。"
    assert saved.json["updated_by_name"] == demo.users["demo-lead"].display_name
    assert saved.headers["ETag"] == f'W/"{saved.json["version"]}"'
    assert saved.json["version"] == first["version"] + 1
    again = client.put(url, headers={**lead, "If-Match": saved.headers["ETag"]}, json=body)
    assert again.status_code == 200 and again.json["changed"] is False
    assert again.json["number"] == 1
    entry = db.exec(
        select(AuditEntry).where(AuditEntry.action == "report.section.save")
        .order_by(AuditEntry.id.desc())
    ).first()  # fmt: skip
    assert entry.actor_id == demo.users["demo-lead"].id and entry.engagement_id == e.id


def test_bad_section_writes_are_refused_whole(client, db, demo, token_for, make_user):
    e = engagement(db, demo, "章节错误")
    lead = token_for(demo.users["demo-lead"])
    item = client.get(f"/api/v1/engagements/{e.id}/plan/sections", headers=lead).json["items"][0]
    url = f"/api/v1/engagements/{e.id}/sections/{item['id']}"
    tag = _match(item["version"])
    for bad in ({}, {"content": 1}, {"content": "正文", "extra": 1}, {"content": "a\x00b"},
                {"content": "x" * 200_001}):  # fmt: skip
        answer = client.put(url, headers={**lead, **tag}, json=bad)
        assert answer.status_code == 422, bad
        assert answer.json["error"] in ("请求参数有误", "请求体须为 JSON 对象"), answer.json
    not_json = client.put(url, headers={**lead, **tag}, data="x", content_type="text/plain")
    assert not_json.status_code == 422 and not_json.json["error"] == "请求体须为 JSON 对象"
    bad_tag = client.put(url, headers={**lead, "If-Match": "3"}, json={"content": "正文"})
    assert bad_tag.status_code == 422
    assert db.exec(select(SectionVersion).where(SectionVersion.engagement_id == e.id)).all() == []

    # An expert writes only the sections assigned to them; the unit reads no section.
    expert = token_for(demo.users["demo-expert"])
    refused = client.put(url, headers={**expert, **tag}, json={"content": "专家的内容"})
    assert refused.status_code == 403 and "不是该章节的撰写人" in refused.json["error"]
    unit = token_for(demo.users["demo-unit"])
    assert client.get(url, headers=unit).status_code == 403
    assert db.get(ReportSection, item["id"]).number == 0

    # Another engagement's section under this one, and this engagement for another agency.
    other = engagement(db, demo, "别的项目")
    theirs = client.get(f"/api/v1/engagements/{other.id}/plan/sections", headers=lead).json
    wrong = f"/api/v1/engagements/{e.id}/sections/{theirs['items'][0]['id']}"
    assert client.get(wrong, headers=lead).status_code == 404
    outsider = token_for(make_user("agency", role="admin"))
    for path in (url, f"/api/v1/engagements/{e.id}/report/sections"):
        assert client.get(path, headers=outsider).status_code == 404
    assert client.put(url, headers={**outsider, **tag}, json={"content": "x"}).status_code == 404
    bureau2 = token_for(demo.users["demo-bureau2"])
    assert client.get(url, headers=bureau2).status_code == 404
