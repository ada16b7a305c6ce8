"""Pack export with hostile text: no formula, nothing that breaks the file, and a round trip."""

from __future__ import annotations

import io

from tests.core.spreadsheet_files import FORMULA_TEXTS, assert_safe_export
from workbench.core.spreadsheet import clean_text
from workbench.library.packs import (
    default_library_root,
    export_excel,
    flatten,
    import_excel,
    load_pack,
)

F = FORMULA_TEXTS


def hostile_pack(*, illegal: bool):
    pack = load_pack(default_library_root() / "sectors" / "water.yaml")
    pack.key, pack.name = "water_hostile", F[0]
    pack.notes = F[1] + ("空\x00字坏\ufffe字\ud800" if illegal else "")
    first, second = (item.indicator for item in flatten(pack)[:2])
    first.definition, first.target, first.notes = F[0], F[3], F[2]
    first.points = [F[1], F[4].strip(), "普通要点"]
    first.tags = [F[3]]
    second.scoring = F[2] + ("\x01" if illegal else "")
    second.evidence = ["-5", F[0]]
    return pack


def test_export_keeps_hostile_text_and_reimports_it():
    pack = hostile_pack(illegal=True)
    data = export_excel(pack)
    first, second = (item.indicator for item in flatten(pack)[:2])
    texts = [pack.name, pack.notes, first.definition, first.target, first.notes, *first.points,
             second.scoring, *second.evidence]  # fmt: skip
    assert_safe_export(data, texts)
    again = import_excel(data)
    pack.notes, second.scoring = clean_text(pack.notes), clean_text(second.scoring)
    assert again == pack


def test_page_export_of_an_imported_hostile_pack(login, demo):
    pack = hostile_pack(illegal=False)
    admin = login("demo-admin")
    page = admin.post(
        "/library/import",
        data={"file": (io.BytesIO(export_excel(pack)), "水利.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert f"新增 {len(flatten(pack))} 项" in page.get_data(as_text=True)
    response = admin.get(f"/library/packs/{pack.key}/export?format=xlsx")
    assert response.status_code == 200
    first = flatten(pack)[0].indicator
    assert_safe_export(response.data, [pack.name, first.definition, first.target, *first.points])
    assert flatten(import_excel(response.data))[0].indicator.definition == F[0]
