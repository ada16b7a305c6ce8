"""Indicator library search on 10,000 indicators with Chinese text (SQLite, FTS5 trigram).

The library is generated from the shipped packs: every leaf combined with a sector or place word
("农村", "学前教育", "基层医疗" …) gives a realistic Chinese name, definition and tags; 40 such
packs of 250 leaves are imported through the library's own import (validated, bulk insert) into
a temporary SQLite database built by the migrations. Then ~50 queries of mixed lengths (one and
two characters take the LIKE path, three and more the FTS5 trigram index, some with two terms or
a tag filter, a few pinyin initials such as "zjdw") run through `services.search` (count + first
page of 20), as the search page does.

The baseline, measured in the same run, is the database round-trip floor: `SELECT 1` on the same
session. Target: median search latency ≤ 50 ms. An information row compares the long-term queries
with the same queries forced onto a LIKE scan. Usage: python bench/bench_library_search.py [--quick]
"""

from __future__ import annotations

import copy
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from workbench import migrate
from workbench.db import make_engine
from workbench.library import loading, packs, search, services

SIZE = 10_000
PER_PACK = 250
WORDS = [
    "农村", "城区", "县级", "乡镇", "社区", "学前教育", "义务教育", "高中阶段", "职业教育",
    "高等教育", "基层医疗", "公共卫生", "中医药", "妇幼保健", "养老服务", "残疾人", "就业创业",
    "农田水利", "高标准农田", "乡村振兴", "生态修复", "污染防治", "河湖治理", "城市更新",
    "保障性住房", "老旧小区", "公共交通", "农村公路", "文化惠民", "全民健身", "旅游景区",
    "科技创新", "数字政府", "应急管理", "食品安全", "粮食安全", "民族地区", "山区", "边境地区",
    "试点示范",
]  # fmt: skip
QUERIES = [
    "率", "度", "满意", "资金", "培训", "农村", "覆盖", "完成",
    "满意度", "到位率", "资金到位率", "执行率", "覆盖率", "合格率", "受益群众", "公共卫生服务",
    "农村 满意度", "学前教育 覆盖率", "基层医疗 合格", "资金 使用", "预算执行", "制度健全",
    "绩效目标", "高标准农田", "生态修复 完成率", "公共交通 满意", "就业", "养老服务 覆盖率",
    "项目立项", "不存在的检索词", "应急管理 制度", "中医药 服务", "河湖治理 完成",
    "在职人员控制率", "管理制度健全性", "质量达标率", "资金使用合规性", "群众满意度",
    "试点示范 效益", "数字政府 平台", "文化惠民 演出", "食品安全 抽检", "粮食安全 储备",
    "社区 服务", "县级 资金", "乡镇", "山区 公路", "职业教育 就业率", "妇幼保健 覆盖",
    "残疾人 康复",
    "zjdw", "myd", "ybjj", "jkda zl",  # pinyin initials: also searched in search_pinyin
]  # fmt: skip


def generated_packs(size: int = SIZE) -> list[packs.Pack]:
    """Packs of `PER_PACK` leaves each, leaf names prefixed by a sector word per pack."""
    shipped = [
        pack for pack in loading.read_folder(packs.default_library_root()) if pack.kind == "sector"
    ]
    leaves = [(path, leaf) for pack in shipped for path, leaf in packs.flatten(pack)]
    made: list[packs.Pack] = []
    for number, word in enumerate(WORDS):
        if len(made) * PER_PACK >= size:
            break
        tree: dict[str, dict[str, list[packs.Indicator]]] = {}
        for index in range(min(PER_PACK, size - number * PER_PACK)):
            (level1, level2, _), leaf = leaves[(index + number * 7) % len(leaves)]
            copied = copy.deepcopy(leaf)
            copied.key = f"l{index:04d}"
            copied.name = f"{word}{leaf.name}（{index:03d}）"
            copied.definition = f"{word}：{leaf.definition}"
            copied.tags = [*leaf.tags, word]
            tree.setdefault(level1, {}).setdefault(level2, []).append(copied)
        made.append(
            packs.Pack(
                key=f"bench_{number:02d}",
                name=f"{word}个性指标",
                kind="sector",
                engagement_types=["project"],
                sector=word,
                version="bench",
                indicators=[
                    packs.Level1(
                        name1, [packs.Level2(name2, items) for name2, items in group.items()]
                    )
                    for name1, group in tree.items()
                ],
            )
        )
    return made


def _median_ms(fn, queries: list[str]) -> tuple[float, list[float]]:
    times = []
    for query in queries:
        started = time.perf_counter()
        fn(query)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), times


def run(quick: bool) -> list[dict]:
    rounds = 1 if quick else 3
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        migrate.upgrade(engine)
        with Session(engine) as db:
            started = time.perf_counter()
            services.import_packs(db, actor=None, items=generated_packs())
            db.commit()
            import_seconds = time.perf_counter() - started
            search.ensure_search_index(db)  # a running server built it on its first search
            db.commit()
            queries = QUERIES * rounds
            services.search(db, q="预热", limit=20)  # statement caches, as in a running server
            value, times = _median_ms(lambda q: services.search(db, q=q, limit=20), queries)
            floor, _ = _median_ms(lambda q: db.exec(text("SELECT 1")).one(), queries)
            long_queries = [q for q in queries if min(len(t) for t in q.split()) >= 3]
            fts, _ = _median_ms(lambda q: services.search(db, q=q, limit=20), long_queries)
            pinyin_queries = [q for q in queries if q.replace(" ", "").isascii()]
            pinyin, _ = _median_ms(lambda q: services.search(db, q=q, limit=20), pinyin_queries)
            search.drop_search_index(db)  # the same queries on a LIKE scan of 10,000 rows
            original = search.fts_supported
            search.fts_supported = lambda _db: False
            try:
                scan, _ = _median_ms(lambda q: services.search(db, q=q, limit=20), long_queries)
            finally:
                search.fts_supported = original
            db.rollback()
        engine.dispose()
    p95 = sorted(times)[int(len(times) * 0.95) - 1]
    return [
        {
            "name": f"library search, {SIZE:,} indicators, median of {len(queries)} queries (ms)",
            "value": round(value, 2),
            "unit": "ms",
            "baseline": round(floor, 3),
            "ratio": round(value / floor, 1),
            "target": "≤ 50 ms",
        },
        {
            "name": "library search p95 (ms)",
            "value": round(p95, 2),
            "unit": "ms",
            "baseline": round(floor, 3),
            "ratio": round(p95 / floor, 1),
            "target": "information",
        },
        {
            "name": "long terms: FTS5 trigram vs LIKE scan (ms)",
            "value": round(fts, 2),
            "unit": "ms",
            "baseline": round(scan, 2),
            "ratio": round(fts / scan, 2),
            "target": "information (< 1: the index helps)",
        },
        {
            "name": "pinyin initials (text and search_pinyin), median (ms)",
            "value": round(pinyin, 2),
            "unit": "ms",
            "baseline": round(value, 2),
            "ratio": round(pinyin / value, 2),
            "target": "information (baseline: all queries)",
        },
        {
            "name": f"import {SIZE:,} indicators, validated (s)",
            "value": round(import_seconds, 2),
            "unit": "s",
            "baseline": "n/a",
            "ratio": "n/a",
            "target": "information",
        },
    ]


if __name__ == "__main__":
    for row in run("--quick" in sys.argv):
        print(
            f"{row['name']:<66} {row['value']:>8} {row['unit']}  baseline {row['baseline']}"
            f"  ratio {row['ratio']}  target {row['target']}"
        )
