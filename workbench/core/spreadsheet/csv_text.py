"""CSV: the encoding found (UTF-8 with or without BOM, GBK, GB18030), comma-separated only.

pandas' C parser reads the cells as text; the rows stay a 2-D object array, which the survey
importer turns into its table without copying them cell by cell.
"""

from __future__ import annotations

import io
import re

from workbench.core.spreadsheet.model import ReadLimits, Sheet, refuse

_PARSER_LINE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_OTHER_DELIMITERS = {"\t": "制表符（Tab）", ";": "分号“;”", "|": "竖线“|”", "；": "全角分号“；”"}


def read_csv(data: bytes, *, limits: ReadLimits) -> tuple[Sheet, str]:
    """The one sheet of a CSV and the encoding it was written in."""
    import pandas as pd

    text, encoding = _decode(data)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    commas = first_line.count(",")
    for delimiter, name in _OTHER_DELIMITERS.items():
        if first_line.count(delimiter) > commas:
            raise refuse(
                "csv_layout",
                f"CSV 文件使用{name}分隔各列，只支持逗号分隔（问卷星等系统导出的默认格式）。"
                "请在 Excel 中打开后另存为“CSV（逗号分隔）”再导入",
            )
    try:
        raw = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.EmptyDataError as exc:
        raise refuse("empty", "文件为空，没有任何内容") from exc
    except pd.errors.ParserError as exc:
        match = _PARSER_LINE.search(str(exc))
        if match:
            expected, line, saw = match.groups()
            raise refuse(
                "csv_layout",
                f"第{line}行有 {saw} 列，而表头只有 {expected} 列（可能有未加引号的逗号），"
                "请检查后重新导出",
                row=int(line),
            ) from exc
        raise refuse("csv_layout", "CSV 文件格式有误（引号不配对或行结构混乱），无法解析") from exc
    rows, columns = raw.shape
    if columns > limits.max_columns:
        raise refuse("too_large", f"文件有 {columns} 列，超过上限 {limits.max_columns} 列")
    if rows > limits.max_rows:
        raise refuse("too_large", f"文件有 {rows} 行，超过上限 {limits.max_rows} 行")
    return Sheet("", raw.astype(object).to_numpy()), encoding


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse(
            "encoding", "文件为 UTF-16 编码，暂不支持。请另存为 UTF-8 或 GBK 编码的 CSV 后再导入"
        )
    if b"\x00" in data[:65536]:
        raise refuse("not_excel", "文件不是文本格式的 CSV，也不是 Excel 文件，无法导入")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise refuse("encoding", "UTF-8 编码的文件中有无效字节，文件可能已损坏") from exc
    for encoding in ("utf-8", "gbk", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise refuse(
        "encoding",
        "无法识别文件编码：CSV 文件只支持 UTF-8（可带 BOM）、GBK 或 GB18030 编码，请另存后再导入",
    )
