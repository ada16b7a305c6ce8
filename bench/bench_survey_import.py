"""Importing a large 问卷星 export: read, map and parse every row, against a bare pandas read.

The reference file: 100,000 answers × 41 columns in the 按选项文本 layout (.xlsx, a 30-row
matrix, a multi-select, metadata columns). Targets: read + propose the mapping + parse (every
row validated) in at most 2× the time of a bare `pandas.read_excel(engine="calamine")` of the
same file, measured in the same run; peak memory of the import ≤ 400 MB, measured with
tracemalloc in a fresh subprocess that only imports (the bare read's peak is the baseline).
For information: the same subprocesses' peak RSS (VmHWM: interpreter and libraries, plus
calamine's native cell grid, which tracemalloc does not see), and the time to write the parsed
answers into SQLite as the confirm step does. Times are process CPU times (best of 2).
The full run adds a 1,000,000-row file, imported streamed (20,000 rows a chunk): CPU time ≤ 1.2×
a bare calamine read and peak RSS ≤ 800 MB, both in fresh interpreters (the bare read's as
baseline), then the importer's COPY write of the parsed answers against a bare COPY of the same
rows on PostgreSQL (WORKBENCH_BENCH_PG_URL, else a throwaway server; see import_copy.py).
Usage: python bench/bench_survey_import.py [--quick] | --million [ROWS]
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
from helpers import bench_row

from workbench.surveys.design.questions import LIKERT_LABELS, Question
from workbench.surveys.imports import ChunkParser, Limits, propose_mapping, read_stream
from workbench.surveys.imports.errors import column_letter

MATRIX_ROWS = [f"方面{i}" for i in range(1, 31)]
TARGET_RATIO = 2.0
TARGET_RATIO_MILLION = 1.2
TARGET_MB = 400
TARGET_RSS_MB = 800
MILLION = 1_000_000
# Big enough for the million-row file (the app's defaults stop at 200,000 answers, 50 MB).
LARGE = Limits(
    max_file_bytes=1024 * 1024 * 1024,
    max_uncompressed_bytes=16 * 1024 * 1024 * 1024,
    max_rows=MILLION,
    max_cells=100_000_000,
)
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
    """A minimal shared-strings workbook, written directly (openpyxl is too slow for this size);
    the sheet is streamed into its zip entry, so a million rows never sit in memory as XML."""
    strings: dict[str, int] = {}
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f"{head}<worksheet {_NS}><sheetData>".encode())
            lines = []
            for r, row in enumerate(rows, start=1):
                cells = []
                for c, value in enumerate(row):
                    ref = f"{column_letter(c)}{r}"
                    if isinstance(value, int):
                        cells.append(f'<c r="{ref}"><v>{value}</v></c>')
                    else:
                        index = strings.setdefault(value, len(strings))
                        cells.append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
                lines.append(f'<row r="{r}">{"".join(cells)}</row>')
                if len(lines) >= 5000:
                    sheet.write("".join(lines).encode())
                    lines = []
            sheet.write(("".join(lines) + "</sheetData></worksheet>").encode())
        shared = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
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


def bare(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.read_excel(path, engine="calamine")


def parse(path: Path, on_chunk=None):
    """read + propose the mapping + parse every row, chunk by chunk; (outcome, last response)."""
    questions = questionnaire()
    stream = read_stream(path, limits=LARGE)
    parser = ChunkParser(questions, propose_mapping(stream.head, questions), stream.head)
    last = None
    for table in stream.chunks():
        responses = parser.feed(table)
        if on_chunk is not None:
            on_chunk(responses)
        last = responses[-1] if responses else last
    return parser.finish(), last


def _cpu(action, repeat: int = 2) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        result = action()
        best = min(best, time.process_time() - start)
    return best, result


def _peaks(path: Path, mode: str, traced: bool = True) -> dict[str, float]:
    """{traced, rss, cpu} of a fresh interpreter doing only `mode` (bare | parse) on the file."""
    output = subprocess.run(
        [sys.executable, __file__, "--peak", mode, str(path), "traced" if traced else "plain"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def _store(path: Path) -> float:
    """CPU time to write the parsed answers into a fresh SQLite database (the confirm step)."""
    from sqlalchemy import create_engine
    from sqlmodel import Session, SQLModel

    import workbench.models  # noqa: F401 - every table, for the foreign keys' targets
    from workbench.surveys.imports.writer import ResponseWriter
    from workbench.surveys.models import Channel, Survey

    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{folder}/bench.db")
        SQLModel.metadata.create_all(engine)
        with Session(engine) as db:
            survey = Survey(engagement_id=1, title="bench", token="bench")
            db.add(survey)
            db.flush()
            writer = ResponseWriter(db, survey=survey, channel=Channel.wjx, import_id=None)
            spent = [0.0]

            def write(responses):
                start = time.process_time()
                writer.write(responses)
                spent[0] += time.process_time() - start

            parse(path, write)
            start = time.process_time()
            db.commit()
            elapsed = spent[0] + time.process_time() - start
        engine.dispose()
    return elapsed


def _rows(size: int, path: Path, quick: bool) -> list[dict]:
    peak, bare_peak = _peaks(path, "parse"), _peaks(path, "bare")
    baseline, _ = _cpu(lambda: bare(path))
    ours, (result, last) = _cpu(lambda: parse(path))
    assert result.errors == [] and result.row_count == size
    assert last.answers["q4"][MATRIX_ROWS[-1]] in range(5)
    stored = _store(path)
    return [
        bench_row(f"survey import {size:,} rows × 41 columns (read+map+parse)", ours, "s", baseline,
            f"≤ {TARGET_RATIO}× pandas.read_excel(calamine)"),
        bench_row(f"survey import {size:,} rows peak memory (tracemalloc)", peak["traced"], "MB",
            bare_peak["traced"], f"≤ {TARGET_MB} MB", digits=1),
        bench_row(f"survey import {size:,} rows peak RSS (process)", peak["rss"], "MB", bare_peak["rss"],
            f"≤ {TARGET_RSS_MB} MB", digits=1),
        bench_row(f"survey import {size:,} rows: write answers (SQLite)", stored, "s", baseline,
            "information"),
    ]  # fmt: skip


def _million(path: Path, size: int = MILLION) -> list[dict]:
    """The 1,000,000-row file: CPU time and peak RSS of the import and of a bare calamine read,
    each in a fresh interpreter (once: minutes each), then the COPY write on PostgreSQL."""
    ours, base = _peaks(path, "parse", traced=False), _peaks(path, "bare", traced=False)
    rows = [
        bench_row(f"survey import {size:,} rows × 41 columns (read+map+parse, streamed)", ours["cpu"],
            "s", base["cpu"], f"≤ {TARGET_RATIO_MILLION}× pandas.read_excel(calamine)", digits=1),
        bench_row(f"survey import {size:,} rows peak RSS (process)", ours["rss"], "MB", base["rss"],
            f"≤ {TARGET_RSS_MB} MB", digits=1),
    ]  # fmt: skip
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from import_copy import bench_copy  # the PostgreSQL half, beside this file

    return rows + bench_copy(path, size, parse)


def run(quick: bool) -> list[dict]:
    sizes = [10_000] if quick else [100_000]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            path = Path(folder) / f"wjx-{size}.xlsx"
            write_xlsx(path, wjx_rows(size))
            rows += _rows(size, path, quick)
            path.unlink()
        if not quick:
            path = Path(folder) / f"wjx-{MILLION}.xlsx"
            write_xlsx(path, wjx_rows(MILLION))
            rows += _million(path)
    return rows


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


def _peak_child(mode: str, path: str, traced: bool) -> None:
    if traced:
        tracemalloc.start()
    start = time.process_time()
    (parse if mode == "parse" else bare)(Path(path))
    cpu = time.process_time() - start
    traced_mb = tracemalloc.get_traced_memory()[1] / MIB if traced else 0.0
    print(json.dumps({"traced": traced_mb, "rss": _high_water_kb() / 1024, "cpu": cpu}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--peak"]:
        _peak_child(sys.argv[2], sys.argv[3], sys.argv[4:5] == ["traced"])
    elif sys.argv[1:2] == ["--million"]:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "wjx-million.xlsx"
            size = int(sys.argv[2]) if sys.argv[2:3] else MILLION
            write_xlsx(path, wjx_rows(size))
            for row in _million(path, size):
                print(row)
    else:
        for row in run("--quick" in sys.argv[1:]):
            print(
                f"{row['name']}: {row['value']} {row['unit']} (baseline {row['baseline']}, "
                f"ratio {row['ratio']}, target {row['target']})"
            )
