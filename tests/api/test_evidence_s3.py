"""Evidence on S3 storage (STORAGE_URL=s3://…): uploaded through the API into the bucket and
downloaded streamed (content ETag, 304, ranges), or by a redirect to a presigned URL that answers
the bytes under the Chinese name."""

from __future__ import annotations

import io
from urllib.parse import unquote

import httpx
import pytest

from tests.fieldwork.helpers import PDF
from tests.permissions_roles import fresh_engagement
from workbench.core import storage
from workbench.fieldwork import papers

NAME = "现场核查 记录(终稿).pdf"
CONTENT = PDF + "第 3 页：拨付凭证".encode()


@pytest.fixture()
def as_(demo, token_for):
    return lambda who: token_for(demo.users[f"demo-{who}"])


@pytest.fixture()
def setting(app, db, demo):
    """A fresh engagement with one working paper to upload to."""
    with app.app_context():
        engagement = fresh_engagement(db, demo, "对象存储佐证材料")
        paper = papers.create_paper(
            db, actor=demo.users["demo-evaluator"], engagement=engagement,
            template_key="site_visit", title="现场核查",
        )  # fmt: skip
        db.flush()
    return type("Setting", (), {"engagement": engagement, "paper": paper})


@pytest.fixture()
def presigned(on_s3, app, monkeypatch):
    """Downloads answer a redirect to a presigned URL valid for 60 seconds."""
    monkeypatch.setitem(app.config, "STORAGE_PRESIGNED_DOWNLOADS", True)
    monkeypatch.setitem(app.config, "STORAGE_PRESIGNED_SECONDS", 60)


def _upload(client, headers, paper_id, name=NAME, content=CONTENT) -> dict:
    answer = client.post(
        f"/api/v1/workpapers/{paper_id}/evidence",
        headers=headers,
        data={"files": [(io.BytesIO(content), name)]},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 201, answer.json
    return answer.json["items"][0]


def test_an_upload_lands_in_the_bucket_and_downloads_streamed(on_s3, app, client, as_, setting):
    item = _upload(client, as_("evaluator"), setting.paper.id)
    with app.app_context():
        bucket = storage.backend()
        keys = [o["Key"] for o in bucket.client.list_objects_v2(Bucket=bucket.bucket)["Contents"]]
        assert bucket.key(item["sha256"]) in keys and storage.verify(item["sha256"])
    url = f"/api/v1/engagements/{setting.engagement.id}/evidence/{item['id']}/file"
    answer = client.get(url, headers=as_("evaluator"), buffered=False)
    try:
        assert answer.status_code == 200 and answer.is_streamed
        assert answer.headers["ETag"] == f'"{item["sha256"]}"'
        assert answer.headers["Content-Type"] == "application/pdf"
        assert answer.headers["Content-Length"] == str(len(CONTENT))
        assert answer.headers["Accept-Ranges"] == "bytes"
        encoded = answer.headers["Content-Disposition"].split("filename*=UTF-8''", 1)[1]
        assert unquote(encoded) == NAME
        assert b"".join(answer.response) == CONTENT
    finally:
        answer.close()
    cached = client.get(url, headers={**as_("evaluator"), "If-None-Match": f'"{item["sha256"]}"'})
    cached.close()
    assert cached.status_code == 304 and cached.data == b""
    part = client.get(url, headers={**as_("evaluator"), "Range": "bytes=4-9"})
    part.close()
    assert part.status_code == 206 and part.data == CONTENT[4:10]
    assert part.headers["Content-Range"] == f"bytes 4-9/{len(CONTENT)}"
    tail = client.get(
        url, headers={**as_("evaluator"), "Range": f"bytes=-{len('拨付凭证'.encode())}"}
    )
    tail.close()
    assert tail.status_code == 206 and tail.data == "拨付凭证".encode()


def test_a_presigned_redirect_answers_bytes_and_chinese_name(presigned, app, client, as_, setting):
    item = _upload(client, as_("evaluator"), setting.paper.id)
    url = f"/api/v1/engagements/{setting.engagement.id}/evidence/{item['id']}/file"
    answer = client.get(url, headers=as_("evaluator"))
    assert answer.status_code == 302 and answer.headers["Cache-Control"] == "no-store"
    location = answer.headers["Location"]
    assert location.startswith(app.config["S3_ENDPOINT_URL"]) and "X-Amz-Expires=60" in location
    fetched = httpx.get(location)
    assert fetched.status_code == 200 and fetched.content == CONTENT
    assert fetched.headers["content-type"] == "application/pdf"
    disposition = fetched.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == NAME
    # Who may not download the file gets no address either.
    assert client.get(url, headers=as_("bureau")).status_code == 403


def test_a_large_upload_to_the_bucket_stays_off_the_heap(
    s3_process_endpoint, s3_credentials, app, client, as_, setting, monkeypatch, tmp_path
):
    """40 MB through the API into S3: spooled by werkzeug, hashed through a memory map, sent to
    the bucket as one streamed PUT."""
    import tracemalloc

    from workbench.core.blobstore.s3 import make_client

    make_client(s3_process_endpoint).create_bucket(Bucket="evidence-large")
    monkeypatch.setitem(app.config, "STORAGE_URL", "s3://evidence-large/wb")
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", s3_process_endpoint)
    size = 40 * 1024 * 1024
    boundary = "----workbench-s3-stream"
    body = tmp_path / "body"
    with body.open("wb") as out:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        )
        out.write(PDF)
        for _ in range(size // (1024 * 1024)):
            out.write(b"1" * (1024 * 1024))
        out.write(f"\r\n--{boundary}--\r\n".encode())
    with app.app_context():
        storage.check()  # the client is made (botocore loads its S3 model: ~10 MB, once)
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
    with app.app_context():
        assert storage.size(item["sha256"]) == len(PDF) + size and storage.verify(item["sha256"])
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1048576:.1f} MB"


@pytest.mark.parametrize("presigned_downloads", [False, True])
def test_a_download_while_the_store_is_down_says_so(
    on_s3, app, client, as_, setting, monkeypatch, presigned_downloads
):
    """The object store stops answering: 503 with a message, not an internal error."""
    from tests.s3_server import free_port

    item = _upload(client, as_("evaluator"), setting.paper.id)
    monkeypatch.setitem(app.config, "STORAGE_PRESIGNED_DOWNLOADS", presigned_downloads)
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    url = f"/api/v1/engagements/{setting.engagement.id}/evidence/{item['id']}/file"
    answer = client.get(url, headers=as_("evaluator"))
    assert answer.status_code == 503
    assert answer.json["error"] == storage.UNAVAILABLE
