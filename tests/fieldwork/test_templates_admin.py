"""Agencies add their own templates: a form or a YAML upload, validated, stored, used for papers."""

from io import BytesIO

from sqlmodel import select

from workbench.fieldwork import catalog
from workbench.fieldwork.models import PaperTemplate, WorkingPaper
from workbench.fieldwork.spec import field_templates_example

CUSTOM = field_templates_example()


def test_admin_creates_a_template_and_evaluators_use_it(db, demo, login):
    admin = login("demo-admin")
    page = admin.get("/fieldwork/templates").get_data(as_text=True)
    assert "现场核查记录" in page and "site_visit" in page
    r = admin.post("/fieldwork/templates/new", data={"definition": CUSTOM})
    assert r.status_code == 302
    row = db.exec(select(PaperTemplate).where(PaperTemplate.key == "water_site_check")).one()
    assert row.agency_id == demo.users["demo-admin"].org_id and row.area == "09"
    keys = [t.key for t in catalog.available(db, agency_id=row.agency_id)]
    assert "water_site_check" in keys
    c = login("demo-evaluator")
    r = c.post(
        f"/engagements/{demo.engagement.id}/papers/new",
        data={"template": "water_site_check", "assignee_id": 0},
    )
    assert r.status_code == 302
    created = db.exec(
        select(WorkingPaper).where(WorkingPaper.template_key == "water_site_check")
    ).one()
    assert created.index_no == "D-09-01" and created.title == "水利工程现场核查表"
    # retiring the template keeps the paper; new papers cannot use it
    admin.post(f"/fieldwork/templates/{row.id}/active", data={"active": "0"})
    r = c.post(
        f"/engagements/{demo.engagement.id}/papers/new",
        data={"template": "water_site_check", "assignee_id": 0},
    )
    assert "已停用" in r.get_data(as_text=True)
    assert c.get(f"/engagements/{demo.engagement.id}/papers/{created.id}").status_code == 200


def test_invalid_definitions_list_every_issue_and_store_nothing(db, demo, login):
    admin = login("demo-admin")
    bad = CUSTOM.replace("type: date", "type: when").replace('area: "09"', 'area: "9x"')
    text = admin.post("/fieldwork/templates/new", data={"definition": bad}).get_data(as_text=True)
    assert "类型“when”无效" in text and "区号 area“9x”" in text
    clash = CUSTOM.replace("key: water_site_check", "key: site_visit")
    assert "与随附模板重名" in admin.post(
        "/fieldwork/templates/new", data={"definition": clash}
    ).get_data(as_text=True)
    assert "YAML 格式错误" in admin.post(
        "/fieldwork/templates/new", data={"definition": "key: [\n"}
    ).get_data(as_text=True)
    assert db.exec(select(PaperTemplate)).all() == []


def test_upload_a_yaml_file(db, demo, login):
    admin = login("demo-admin")
    r = admin.post(
        "/fieldwork/templates/upload",
        data={"file": (BytesIO(CUSTOM.encode("utf-8")), "水利.yaml")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "已导入" in r.get_data(as_text=True)
    for name, data, message in [
        ("模板.txt", b"key: a", "不是 YAML 文件"),
        ("空.yaml", b"", "是空文件"),
        ("../x.yaml", CUSTOM.encode(), "不合法"),
        ("gbk.yaml", CUSTOM.encode("gbk"), "不是 UTF-8"),
        ("again.yaml", CUSTOM.encode(), "本机构已有 key"),
    ]:
        r = admin.post(
            "/fieldwork/templates/upload",
            data={"file": (BytesIO(data), name)},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
        assert message in r.get_data(as_text=True), name
    assert len(db.exec(select(PaperTemplate)).all()) == 1


def test_edit_with_version_and_download_yaml(db, demo, login):
    admin = login("demo-admin")
    admin.post("/fieldwork/templates/new", data={"definition": CUSTOM})
    row = db.exec(select(PaperTemplate)).one()
    edited = CUSTOM.replace("水利工程现场核查表", "水利工程核查表")
    assert (
        admin.post(
            f"/fieldwork/templates/{row.id}/edit",
            data={"definition": edited, "version": row.version},
        ).status_code
        == 302
    )
    stale = admin.post(
        f"/fieldwork/templates/{row.id}/edit",
        data={"definition": CUSTOM, "version": 1},
        follow_redirects=True,
    )
    assert "已被他人修改" in stale.get_data(as_text=True)
    db.refresh(row)
    assert row.name == "水利工程核查表"
    r = login("demo-evaluator").get("/fieldwork/templates/site_visit.yaml")
    assert r.status_code == 200 and "name: 现场核查记录" in r.get_data(as_text=True)
    assert login("demo-evaluator").get("/fieldwork/templates").status_code == 403
