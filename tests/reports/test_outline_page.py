"""The agency admin's 报告提纲 page over HTTP: upload or edit YAML, errors listed, withdraw."""

from __future__ import annotations

import io

from sqlmodel import select

from tests.reports.outline_helpers import bureau2_id, engagement_of
from tests.reports.test_outline_reports import FIRM
from workbench.reports.outline_models import OutlineProfile

URL = "/outline-profiles"


def test_admin_uploads_edits_and_withdraws_a_profile(ctx, db, demo, login):
    engagement_of(db, demo, "project", bureau_id=bureau2_id(demo), title="二局项目")
    admin = login("demo-admin")
    assert URL in admin.get("/").get_data(as_text=True)  # in the admin menu
    page = admin.get(URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "尚未设置机构提纲" in html and 'name="csrf_token"' in html
    shipped = admin.get(URL + "?base=department").get_data(as_text=True)
    assert "部门整体支出管理及使用情况" in shipped  # the shipped profile to start from

    bad = admin.post(URL, data={"bureau_id": str(bureau2_id(demo)),
                                "source": FIRM.replace("title: 其他事项", "title: 五、其他事项")})  # fmt: skip
    assert bad.status_code == 422
    assert "第4章的标题“五、其他事项”不要带序号，序号按顺序自动生成" in bad.get_data(as_text=True)
    upload = {"bureau_id": str(bureau2_id(demo)), "note": "按二局要求",
              "file": (io.BytesIO(FIRM.encode("gbk")), "outline.yaml")}  # fmt: skip
    refused = admin.post(URL, data=upload, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "提纲文件须为 UTF-8 编码的 YAML 文本" in refused.get_data(as_text=True)

    upload["file"] = (io.BytesIO(FIRM.encode("utf-8")), "outline.yaml")
    saved = admin.post(URL, data=upload, content_type="multipart/form-data")
    assert saved.status_code == 302
    row = db.exec(select(OutlineProfile)).one()
    assert (row.version, row.active, row.note) == (1, True, "按二局要求")
    html = admin.get(URL).get_data(as_text=True)
    assert "某市财政局项目支出绩效评价报告提纲" in html and "使用中" in html

    assert admin.post(f"{URL}/{row.id}/withdraw").status_code == 302
    db.refresh(row)
    assert row.active is False
    assert "已停用" in admin.get(URL).get_data(as_text=True)


def test_staff_and_other_agencies_are_refused(ctx, db, demo, login, make_user):
    assert login("demo-lead").get(URL).status_code == 403
    assert URL not in login("demo-lead").get("/").get_data(as_text=True)
    row = OutlineProfile(agency_id=demo.engagement.agency_id, bureau_id=demo.engagement.bureau_id,
                         engagement_type="project", name="x", source=FIRM, sha256="0" * 64)  # fmt: skip
    db.add(row)
    db.flush()
    other = make_user("agency", role="admin")
    db.flush()
    response = login(other.username).post(f"{URL}/{row.id}/withdraw")
    assert response.status_code == 404 and response.headers["X-Permission-Denied"]
