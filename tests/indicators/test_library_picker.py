"""The library picker of an engagement over HTTP: browse by facet, pinyin search, empty state."""

from __future__ import annotations

import re

import pytest

from tests.indicators.helpers import by_name, new_engagement
from workbench.library import packs


@pytest.fixture()
def fresh(db, demo):
    return new_engagement(db, demo)


def _url(engagement, **args) -> str:
    query = "&".join(f"{name}={value}" for name, value in args.items())
    return f"/engagements/{engagement.id}/indicators/library" + (f"?{query}" if query else "")


def _facet_counts(page: str, facet: str) -> dict[str, int]:
    block = page.split(f'data-facet="{facet}"', 1)[1].split("</div>\n</div>", 1)[0]
    return {
        key: int(count)
        for key, count in re.findall(
            r'data-key="([^"]+)"[\s\S]*?<span class="badge[^"]*">(\d+)</span>', block
        )
    }


def _result_names(page: str) -> list[str]:
    return re.findall(r'<div class="fw-semibold library-name">([^<]+)</div>', page)


def _health_paths():
    pack = next(p for p in packs.load_all(packs.default_library_root()) if p.key == "health")
    return [path for path, _leaf in packs.flatten(pack)]


def test_the_picker_opens_on_a_browse_view_with_counts(login, fresh):
    c = login("demo-lead")
    r = c.get(_url(fresh))
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert _facet_counts(page, "pack")["health"] == len(_health_paths())
    assert _facet_counts(page, "sector")["卫生健康"] == len(_health_paths())
    assert {"决策", "过程", "产出", "效益"} <= set(_facet_counts(page, "level1"))
    assert 'data-facet="level2"' not in page  # 二级 once an 一级 is chosen
    assert len(_result_names(page)) == 20 and 'aria-label="分页"' in page
    assert "共 " in page and "项三级指标" in page


def test_clicking_facets_narrows_and_recounts(login, fresh):
    c = login("demo-lead")
    health = _health_paths()
    page = c.get(_url(fresh, pack="health")).get_data(as_text=True)
    assert f"共 {len(health)} 项三级指标" in page
    assert _facet_counts(page, "sector") == {"卫生健康": len(health)}
    level1 = _facet_counts(page, "level1")
    assert level1 == {
        name: sum(1 for path in health if path[0] == name) for name in {p[0] for p in health}
    }
    page = c.get(_url(fresh, pack="health", level1="产出")).get_data(as_text=True)
    under = [path for path in health if path[0] == "产出"]
    assert f"共 {len(under)} 项三级指标" in page
    level2 = _facet_counts(page, "level2")
    assert sum(level2.values()) == len(under)
    name, count = next(iter(level2.items()))
    page = c.get(_url(fresh, pack="health", level1="产出", level2=name)).get_data(as_text=True)
    assert len(_result_names(page)) == count
    assert set(_result_names(page)) == {p[2] for p in under if p[1] == name}
    # the chosen value is marked, and clicking it again takes it back out of the choice
    marked = re.findall(r'<a class="[^"]* active"[^>]*data-key="([^"]+)"\s*href="([^"]+)"', page)
    assert [key for key, _href in marked] == ["health", "产出", name]
    href = marked[-1][1]
    assert "pack=health" in href and "level1=" in href and "level2=" not in href


def test_active_choices_can_be_removed(login, fresh):
    c = login("demo-lead")
    page = c.get(_url(fresh, pack="health", level1="产出")).get_data(as_text=True)
    chosen = page.split('id="library-choice"', 1)[1].split("</div>", 1)[0]
    assert "卫生健康领域个性指标" in chosen and "一级：产出" in chosen and "清除全部条件" in chosen
    assert f'href="/engagements/{fresh.id}/indicators/library?level1=' in chosen  # pack removed


def test_a_pinyin_query_finds_the_indicator_and_adds_it(login, db, fresh):
    c = login("demo-lead")
    page = c.get(_url(fresh, q="zjdwl")).get_data(as_text=True)
    assert "资金到位率" in _result_names(page)
    chosen = re.search(
        r'data-library-id="(\d+)">\s*<div class="fw-semibold library-name">资金到位率<', page
    )
    r = c.post(
        _url(fresh, q="zjdwl", page=1),
        data={"library_indicator_id": chosen.group(1), "level1": "", "level2": ""},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(_url(fresh, page=1, q="zjdwl"))
    assert by_name(db, fresh)["资金到位率"].library_indicator_id == int(chosen.group(1))
    assert "已从指标库添加“资金到位率”" in c.get(r.headers["Location"]).get_data(as_text=True)


def test_nothing_found_says_what_the_library_holds(login, fresh):
    c = login("demo-lead")
    r = c.get(_url(fresh, q="气象"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="library-empty"' in page
    assert "没有找到与“气象”匹配的指标" in page
    overview = page.split('id="library-overview"', 1)[1].split("</ul>", 1)[0]
    assert "卫生健康领域个性指标" in overview and f"（{len(_health_paths())}）" in overview
    assert "拼音首字母" in page
    page = c.get(_url(fresh, q="气象", pack="health")).get_data(as_text=True)
    assert "（在当前条件范围内）" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"pack": "no-such-pack"}, "指标库中没有指标包“no-such-pack”，已显示全部指标包"),
        ({"sector": "火星"}, "指标库中没有“火星”行业的指标，已显示全部行业"),
        ({"q": "率 " * 2500}, "检索词过长（4999字），只按前100字检索"),
    ],
)
def test_bad_choices_get_a_clear_message(login, fresh, args, message):
    c = login("demo-lead")
    r = c.get(_url(fresh, **args))
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert (
        f'<div class="alert alert-warning py-2 small library-notice" role="alert">{message}</div>'
        in page
    )
    assert len(_result_names(page)) == 20


def test_bad_page_numbers(login, fresh):
    c = login("demo-lead")
    r = c.get(_url(fresh, page="x"))
    assert r.status_code == 400 and "参数 page 须为整数" in r.get_data(as_text=True)
    page = c.get(_url(fresh, pack="health", page=99)).get_data(as_text=True)
    assert "本页没有指标" in page and "回到第1页" in page


def test_the_picker_reads_a_bounded_number_of_statements(login, fresh, count_queries):
    c = login("demo-lead")
    with count_queries() as plain:
        c.get(_url(fresh))
    with count_queries() as narrowed:
        c.get(_url(fresh, q="zjdw", pack="project_common", level1="过程"))
    assert narrowed.count <= plain.count + 4, narrowed.statements
