"""Importing a large 问卷星 export: read, map and parse every row, against a bare pandas read.

The reference file: 100,000 answers × 41 columns in the 按选项文本 layout (.xlsx, a 30-row
matrix, a multi-select, metadata columns). Targets: read + propose the mapping + parse (every
row validated) in at most 2× the time of a bare `pandas.read_excel(engine="calamine")` of the
same file, measured in the same run; peak memory of the import ≤ 400 MB, measured with
tracemalloc in a fresh subprocess that only imports (the bare read's peak is the baseline).
For information: the same subprocesses' peak RSS (VmHWM: interpreter and libraries, plus
calamine's native cell grid, which tracemalloc does not see), and the time to write the parsed
answers into SQLite as the confirm step does. Times are process CPU times (best of 2).
Usage: python bench/bench_survey_import.py [--quick]
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd

from workbench.surveys.imports import parse_responses, propose_mapping, read_table
from workbench.surveys.imports.errors import column_letter
from workbench.surveys.questions import LIKERT_LABELS, Question

MATRIX_ROWS = [f"方面{i}" for i in range(1, 31)]
TARGET_RATIO = 2.0
TARGET_MB = 400
MIB = 1024 * 1024


def questionnaire() -> list[Question]:
    likert = list(LIKERT_LABELS)
    return [
        Question("q1", "您的身份", "single", ["学生家长", "教师", "学校管理人员", "其他"]),
        Question("q2", "您所在的区域", "single", ["城区", "乡镇", "农村"]),
        Question(
            "q3",
            "您是通过哪些渠道了解本项目的",
            "multiple",
            ["学校通知", "微信公众号", "宣传海报", "亲友介绍", "其他"],
        ),
        Question(
            "q4",
            "您对以下方面的满意程度",
            "matrix",
            likert,
            rows=MATRIX_ROWS,
            satisfaction_item=True,
        ),
        Question("q5", "总体而言，您对本项目是否满意", "likert", likert, satisfaction_item=True),
        Question("q6", "您对本项目还有哪些意见和建议", "text"),
    ]


def wjx_rows(count: int):
    """Header and `count` rows in the 按选项文本 layout (41 columns)."""
    rng = random.Random(5)
    header = [
        "序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的身份",
        "2、您所在的区域", "3、您是通过哪些渠道了解本项目的",
        f"4、您对以下方面的满意程度—{MATRIX_ROWS[0]}", *MATRIX_ROWS[1:],
        "5、总体而言，您对本项目是否满意", "6、您对本项目还有哪些意见和建议",
    ]  # fmt: skip
    yield header
    channels = ["学校通知", "微信公众号", "宣传海报", "亲友介绍", "其他【请注明】〖村委会广播〗"]
    for serial in range(1, count + 1):
        picked = rng.sample(channels, rng.randint(1, 3))
        yield [
            serial,
            f"2024/09/{1 + serial % 28:02d} {serial % 24:02d}:{serial % 60:02d}:{serial // 60 % 60:02d}",
            f"{rng.randint(5, 900)}秒",
            rng.choice(["手机提交", "微信", "链接"]),
            rng.choice(["微信", "直接访问", "N/A"]),
            f"10.{serial // 65536}.{serial // 256 % 256}.{serial % 256}(河南-郑州)",
            rng.choice(["学生家长", "教师", "学校管理人员", "其他"]),
            rng.choice(["城区", "乡镇", "农村"]),
            "┋".join(picked),
            *(rng.choice(LIKERT_LABELS) for _ in MATRIX_ROWS),
            rng.choice(LIKERT_LABELS),
            rng.choice(["(跳过)", "(空)", "无", "希望补助标准随物价调整"]),
        ]


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def write_xlsx(path: Path, rows) -> None:
    """A minimal shared-strings workbook, written directly (openpyxl is too slow for this size)."""
    strings: dict[str, int] = {}
    lines = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{column_letter(c)}{r}"
            if isinstance(value, int):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(
                    f'<c r="{ref}" t="s"><v>{strings.setdefault(value, len(strings))}</v></c>'
                )
        lines.append(f'<row r="{r}">{"".join(cells)}</row>')
    shared = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr(
            "_rels/.rels",
            f'{head}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'{head}<workbook {_NS} xmlns:r="{_REL}"><sheets><sheet name="Sheet1" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{head}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/worksheet" '
            f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{_REL}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/sharedStrings.xml",
            f'{head}<sst {_NS} count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>',
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f"{head}<worksheet {_NS}><sheetData>{''.join(lines)}</sheetData></worksheet>",
        )


def bare(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.read_excel(path, engine="calamine")


def parse(path: Path):
    questions = questionnaire()
    table = read_table(path)
    return parse_responses(table, questions, propose_mapping(table, questions))


def _cpu(action, repeat: int = 2) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        result = action()
        best = min(best, time.process_time() - start)
    return best, result


def _peaks(path: Path, mode: str) -> dict[str, float]:
    """{traced, rss} peak MB of a fresh interpreter doing only `mode` (bare | parse) on the file."""
    output = subprocess.run(
        [sys.executable, __file__, "--peak", mode, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def _store(result) -> float:
    """CPU time to write the parsed answers into a fresh SQLite database (the confirm step)."""
    from sqlalchemy import create_engine
    from sqlmodel import Session, SQLModel

    import workbench.models  # noqa: F401 - every table, for the foreign keys' targets
    from workbench.surveys.models import Channel, Survey
    from workbench.surveys.writer import write_responses

    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{folder}/bench.db")
        SQLModel.metadata.create_all(engine)
        with Session(engine) as db:
            survey = Survey(engagement_id=1, title="bench", token="bench")
            db.add(survey)
            db.flush()
            start = time.process_time()
            write_responses(
                db, survey=survey, responses=result.responses, channel=Channel.wjx, import_id=None
            )
            db.commit()
            elapsed = time.process_time() - start
        engine.dispose()
    return elapsed


def run(quick: bool) -> list[dict]:
    size = 10_000 if quick else 100_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.xlsx"
        write_xlsx(path, wjx_rows(size))
        peak, bare_peak = _peaks(path, "parse"), _peaks(path, "bare")
        baseline, _ = _cpu(lambda: bare(path))
        ours, result = _cpu(lambda: parse(path))
        assert result.errors == [] and len(result.responses) == size
        assert result.responses[-1].answers["q4"][MATRIX_ROWS[-1]] in range(5)
        stored = _store(result)
    return [
        {
            "name": f"survey import {size:,} rows × 41 columns (read+map+parse)",
            "value": round(ours, 2),
            "unit": "s",
            "baseline": round(baseline, 2),
            "ratio": round(ours / baseline, 2),
            "target": f"≤ {TARGET_RATIO}× pandas.read_excel(calamine)",
        },
        {
            "name": f"survey import {size:,} rows peak memory (tracemalloc)",
            "value": round(peak["traced"], 1),
            "unit": "MB",
            "baseline": round(bare_peak["traced"], 1),
            "ratio": round(peak["traced"] / bare_peak["traced"], 2),
            "target": f"≤ {TARGET_MB} MB",
        },
        {
            "name": f"survey import {size:,} rows peak RSS (process)",
            "value": round(peak["rss"], 1),
            "unit": "MB",
            "baseline": round(bare_peak["rss"], 1),
            "ratio": round(peak["rss"] / bare_peak["rss"], 2),
            "target": "information",
        },
        {
            "name": f"survey import {size:,} rows: write answers (SQLite)",
            "value": round(stored, 2),
            "unit": "s",
            "baseline": round(baseline, 2),
            "ratio": round(stored / baseline, 2),
            "target": "information",
        },
    ]


def _high_water_kb() -> int:
    """This process's peak RSS: VmHWM (reset by exec, unlike ru_maxrss, which on Linux keeps
    the forking parent's peak), else getrusage."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux


def _peak_child(mode: str, path: str) -> None:
    tracemalloc.start()
    (parse if mode == "parse" else bare)(Path(path))
    _current, traced = tracemalloc.get_traced_memory()
    print(json.dumps({"traced": traced / MIB, "rss": _high_water_kb() / 1024}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--peak"]:
        _peak_child(sys.argv[2], sys.argv[3])
    else:
        for row in run("--quick" in sys.argv[1:]):
            print(
                f"{row['name']}: {row['value']} {row['unit']} (baseline {row['baseline']}, "
                f"ratio {row['ratio']}, target {row['target']})"
            )
