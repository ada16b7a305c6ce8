"""A leaf cites a library benchmark value; the tree says so when a newer import supersedes it."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from tests.library.benchmark_helpers import KEY, OTHER, csv_bytes, row
from tests.library.library_helpers import engagement_indicator
from workbench.core.audit import AuditEntry
from workbench.core.spreadsheet import read_table
from workbench.library import benchmark_rules as rules
from workbench.library import benchmarks
from workbench.library.models import BenchmarkValue, LibraryIndicator


def _import(db, actor, rows):
    read = read_table(csv_bytes(rows), filename="s.csv", fields=rules.FIELDS)
    return benchmarks.import_series(db, actor=actor, read=read, filename="s.csv",
                                    sha256="0" * 64, today=date.today(), stale_years=3)  # fmt: skip


def _library(db, key=KEY) -> LibraryIndicator:
    return db.exec(select(LibraryIndicator).where(LibraryIndicator.key == key)).one()


def _value(db, year) -> BenchmarkValue:
    return db.exec(select(BenchmarkValue).where(BenchmarkValue.year == year)).one()


def _leaf(db, demo):
    library = _library(db)
    return engagement_indicator(db, demo.engagement, name="巩固率（引用基准）",
                                library_indicator_id=library.id, library_version=1)  # fmt: skip


def _cite(client, demo, leaf, value_id):
    return client.post(
        f"/engagements/{demo.engagement.id}/indicators/{leaf.id}/benchmark",
        data={"value_id": value_id, "version": leaf.version},
    )


def test_cite_then_a_newer_import_is_announced(login, db, demo):
    this_year = date.today().year
    lead = demo.users["demo-lead"]
    _import(db, lead, [row(year=this_year - 1, value="95.2%", date=f"{this_year}-01-15")])
    leaf = _leaf(db, demo)
    client = login("demo-lead")
    edit = client.get(f"/engagements/{demo.engagement.id}/indicators/{leaf.id}/edit")
    assert 'id="benchmark-cite"' in edit.get_data(as_text=True)
    cited = _value(db, this_year - 1)
    assert _cite(client, demo, leaf, cited.id).status_code == 302
    db.refresh(leaf)
    assert leaf.benchmark_value_id == cited.id
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "indicators.benchmark")).one()
    assert entry.engagement_id == demo.engagement.id and "95.2%" in entry.summary
    tree = client.get(f"/engagements/{demo.engagement.id}/indicators").get_data(as_text=True)
    assert 'id="benchmark-notices"' not in tree

    _import(db, lead, [row(year=this_year - 1, value="95.3%", date=f"{this_year}-02-01")])
    tree = client.get(f"/engagements/{demo.engagement.id}/indicators").get_data(as_text=True)
    assert "本项目引用的指标库基准值已有更新" in tree
    assert "巩固率（引用基准）" in tree and "95.2%" in tree and "95.3%" in tree
    db.refresh(leaf)
    assert leaf.benchmark_value_id == cited.id  # the citation stays what was chosen


def test_a_stale_citation_is_announced(login, db, demo):
    _import(db, demo.users["demo-lead"], [row(year=2015, value="93%", date="2016-03-01")])
    leaf = _leaf(db, demo)
    client = login("demo-lead")
    _cite(client, demo, leaf, _value(db, 2015).id)
    tree = client.get(f"/engagements/{demo.engagement.id}/indicators").get_data(as_text=True)
    assert "本项目引用的指标库基准值已陈旧" in tree and "已超过 3 年" in tree


def test_only_values_of_the_linked_indicator(login, db, demo):
    _import(db, demo.users["demo-lead"], [row(OTHER, year=2024)])
    leaf = _leaf(db, demo)
    answer = _cite(login("demo-lead"), demo, leaf, _value(db, 2024).id)
    assert answer.headers["X-Domain-Error"].startswith("409 ")
    db.refresh(leaf)
    assert leaf.benchmark_value_id is None


def test_uncite(login, db, demo):
    _import(db, demo.users["demo-lead"], [row(year=2024)])
    leaf = _leaf(db, demo)
    client = login("demo-lead")
    _cite(client, demo, leaf, _value(db, 2024).id)
    db.refresh(leaf)
    assert _cite(client, demo, leaf, "").status_code == 302
    db.refresh(leaf)
    assert leaf.benchmark_value_id is None
