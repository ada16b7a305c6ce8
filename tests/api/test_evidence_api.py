"""Evidence through the API (issue 21): the lists with metadata, and the file streamed from storage
under its Chinese name with its content hash as the ETag, to whoever may download it on the page."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from tests.fieldwork.helpers import PDF
from tests.permissions_roles import fresh_engagement
from workbench.accounts import services as accounts
from workbench.accounts.models import OrgKind, SystemRole
from workbench.core import storage
from workbench.fieldwork import evidence, papers


@pytest.fixture()
def as_(demo, token_for):
    made: dict[int, dict] = {}

    def _headers(who) -> dict:
        user = demo.users[f"demo-{who}"] if isinstance(who, str) else who
        if user.id not in made:
            made[user.id] = token_for(user)
        return made[user.id]

    return _headers


@pytest.fixture()
def setting(app, db, demo):
    """A fresh engagement with a paper holding two files and one loose file on the engagement."""
    with app.app_context():
        engagement = fresh_engagement(db, demo, "佐证材料接口")
        evaluator = demo.users["demo-evaluator"]
        paper = papers.create_paper(
            db, actor=evaluator, engagement=engagement, template_key="site_visit", title="现场核查"
        )
        on_paper = evidence.upload(
            db, actor=evaluator, engagement=engagement, paper=paper, max_mb=50,
            files=[("现场照片说明.pdf", PDF + b"one"), ("签到表.pdf", PDF + b"two")],
            source="现场取得", note="第 3 页",
        )  # fmt: skip
        loose = evidence.upload(
            db, actor=evaluator, engagement=engagement, max_mb=50,
            files=[("项目资料 汇总(终稿).pdf", PDF + b"loose")],
        )  # fmt: skip
        db.flush()
    return type("Setting", (), {"engagement": engagement, "paper": paper,
                                "on_paper": on_paper, "loose": loose[0]})  # fmt: skip


def test_the_lists_give_every_file_with_its_metadata_newest_first(client, demo, as_, setting):
    e = setting.engagement
    listed = client.get(f"/api/v1/engagements/{e.id}/evidence", headers=as_("expert"))
    assert listed.status_code == 200
    names = [i["name"] for i in listed.json["items"]]
    assert names == ["项目资料 汇总(终稿).pdf", "签到表.pdf", "现场照片说明.pdf"]
    first = listed.json["items"][2]
    item = setting.on_paper[0]
    assert first == {
        "id": item.id, "engagement_id": e.id, "paper_id": setting.paper.id,
        "request_item_id": None, "name": "现场照片说明.pdf", "extension": "pdf",
        "mime": "application/pdf", "size": len(PDF) + 3, "sha256": storage.digest(PDF + b"one"),
        "captured_at": None, "source": "现场取得", "note": "第 3 页",
        "uploaded_by_id": demo.users["demo-evaluator"].id,
        "uploaded_by_name": demo.users["demo-evaluator"].display_name, "uploaded_via": "user",
        "created_at": first["created_at"],
        "download": f"/api/v1/engagements/{e.id}/evidence/{item.id}/file",
    }  # fmt: skip
    by_paper = client.get(f"/api/v1/workpapers/{setting.paper.id}/evidence?limit=1",
                          headers=as_("lead")).json  # fmt: skip
    assert [i["name"] for i in by_paper["items"]] == ["签到表.pdf"] and by_paper["next_cursor"]
    rest = client.get(
        f"/api/v1/workpapers/{setting.paper.id}/evidence?limit=1&cursor={by_paper['next_cursor']}",
        headers=as_("lead"),
    ).json
    assert [i["name"] for i in rest["items"]] == ["现场照片说明.pdf"] and rest[
        "next_cursor"
    ] is None
    filtered = client.get(
        f"/api/v1/engagements/{e.id}/evidence?paper_id={setting.paper.id}", headers=as_("lead")
    ).json["items"]
    assert {i["paper_id"] for i in filtered} == {setting.paper.id} and len(filtered) == 2
    one = client.get(f"/api/v1/engagements/{e.id}/evidence/{setting.loose.id}", headers=as_("lead"))
    assert one.status_code == 200 and one.json["paper_id"] is None


def test_the_file_is_streamed_with_its_type_chinese_name_and_content_etag(client, as_, setting):
    e, item = setting.engagement, setting.loose
    url = f"/api/v1/engagements/{e.id}/evidence/{item.id}/file"
    answer = client.get(url, headers=as_("evaluator"), buffered=False)
    try:
        # Streamed from the stored file, not a body built in memory.
        assert answer.status_code == 200 and answer.is_streamed
        assert answer.headers["Content-Type"] == "application/pdf"
        assert answer.headers["ETag"] == f'"{item.sha256}"'
        disposition = answer.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        encoded = disposition.split("filename*=UTF-8''", 1)[1].split(";")[0]
        assert unquote(encoded) == "项目资料 汇总(终稿).pdf" and encoded.isascii()
        assert answer.headers["Content-Length"] == str(len(PDF) + 5)
        assert b"".join(answer.response) == PDF + b"loose"
    finally:
        answer.close()
    cached = client.get(url, headers={**as_("evaluator"), "If-None-Match": f'"{item.sha256}"'})
    cached.close()  # the test client leaves a sent file open until the response is closed
    assert cached.status_code == 304 and cached.data == b""
    part = client.get(url, headers={**as_("evaluator"), "Range": "bytes=0-3"})
    part.close()
    assert part.status_code == 206 and part.data == b"%PDF"


def test_a_large_file_is_sent_in_chunks(app, client, db, demo, as_, setting):
    big = PDF + b"0" * (4 * 1024 * 1024)
    with app.app_context():
        [item] = evidence.upload(
            db, actor=demo.users["demo-evaluator"], engagement=setting.engagement, max_mb=50,
            files=[("大文件.pdf", big)],
        )  # fmt: skip
        db.flush()
    url = f"/api/v1/engagements/{setting.engagement.id}/evidence/{item.id}/file"
    answer = client.get(url, headers=as_("lead"), buffered=False)
    try:
        chunks = iter(answer.response)
        first = next(chunks)
        assert 0 < len(first) < 1024 * 1024  # the file is read a block at a time
        assert len(first) + sum(len(c) for c in chunks) == len(big)
    finally:
        answer.close()


def test_who_may_not_download_on_the_page_may_not_here(client, db, demo, as_, setting):
    e, item = setting.engagement, setting.loose
    url = f"/api/v1/engagements/{e.id}/evidence/{item.id}/file"
    # The bureau sees the engagement but not its working files; bureau2 does not see it at all.
    assert client.get(url, headers=as_("bureau")).status_code == 403
    assert client.get(url, headers=as_("unit")).status_code == 403
    assert client.get(url, headers=as_("bureau2")).status_code == 404
    org = accounts.create_org(db, actor=None, name="另一评价机构", kind=OrgKind.agency)
    stranger = accounts.create_user(
        db, actor=None, username="admin-other", display_name="他所管理员", password="x" * 12,
        org_id=org.id, system_role=SystemRole.admin, check_policy=False,
    )  # fmt: skip
    db.flush()
    assert client.get(url, headers=as_(stranger)).status_code == 404
    assert (
        client.get(f"/api/v1/engagements/{e.id}/evidence", headers=as_(stranger)).status_code == 404
    )
    # Another engagement's file named under this engagement is not found.
    other = fresh_engagement(db, demo, "另一个项目")
    wrong = f"/api/v1/engagements/{other.id}/evidence/{item.id}/file"
    assert client.get(wrong, headers=as_("lead")).status_code == 404
    assert client.get(url).status_code == 401


def test_a_large_upload_is_never_copied_onto_the_heap(
    app, client, db, demo, as_, setting, tmp_path
):
    """A 40 MB scan streams from the request into storage: werkzeug spools it to disk, the checks,
    the hash and the store read it through a memory map; the heap never holds it (before, the
    route read it whole: a 40 MB peak, twice over with the copy kept for the store)."""
    import tracemalloc

    size = 40 * 1024 * 1024
    boundary = "----workbench-stream-test"
    body = tmp_path / "body"
    with body.open("wb") as out:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        )
        out.write(PDF)
        chunk = b"0" * (1024 * 1024)
        for _ in range(size // len(chunk)):
            out.write(chunk)
        out.write(f"\r\n--{boundary}--\r\n".encode())
    tracemalloc.start()
    try:
        with body.open("rb") as stream:
            answer = client.post(
                f"/api/v1/workpapers/{setting.paper.id}/evidence",
                headers=as_("evaluator"),
                input_stream=stream,
                content_length=body.stat().st_size,
                content_type=f"multipart/form-data; boundary={boundary}",
            )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert answer.status_code == 201, answer.json
    [item] = answer.json["items"]
    assert item["size"] == len(PDF) + size
    with app.app_context():
        assert storage.size(item["sha256"]) == item["size"]
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1048576:.1f} MB"
