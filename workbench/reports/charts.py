"""Report charts drawn with matplotlib (Agg, no pyplot) and returned as PNG bytes.

Text uses the vendored WenQuanYi Micro Hei subset, so Chinese labels render on a machine
without any system CJK font. Values may be ``Decimal``, ``str`` or numbers; they are only
converted to float for drawing, labels show the value as given (two places).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from workbench.reports.fonts import register_cjk_font

Number = Decimal | int | float | str

# Inches: 16 cm wide fits the 156 mm text width of the 公文 page.
WIDTH_IN = 6.3
DPI = 200
BAR_COLOR = "#2F5597"
# From 非常满意 to 非常不满意: green through grey to red, readable in greyscale print.
LIKERT_COLORS = ("#1a7f37", "#6cc070", "#bfbfbf", "#f4a261", "#c0392b")
TWO_PLACES = Decimal("0.01")


def _decimal(value: Number) -> Decimal:
    """Parse a chart value; '85.01%' and '85.01' both mean 85.01."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip().rstrip("%％").replace(",", "")
    try:
        return Decimal(text)
    except ArithmeticError as exc:
        raise ValueError(f"图表数值无法识别：{value!r}") from exc


def _label(value: Number, suffix: str = "") -> str:
    """Label of a value: counts as integers, anything else two places, half-up."""
    if isinstance(value, int):
        return f"{value}{suffix}"
    return f"{_decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)}{suffix}"


def _wrap(text: str, width: int) -> str:
    """Break a long Chinese label into lines of ``width`` characters (no spaces to break on)."""
    if len(text) <= width:
        return text
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


@contextmanager
def _cjk_style() -> Iterator[None]:
    """Temporarily make the vendored CJK font the default, DejaVu Sans as glyph fallback."""
    family = register_cjk_font()
    with matplotlib.rc_context(
        {
            "font.family": [family, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "font.size": 9,
            "axes.titlesize": 11,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    ):
        yield


def _width_in(text: str, points: float) -> float:
    """Width of one line of text in inches: a CJK character is an em, anything else about 0.6."""
    return sum(1.0 if ord(char) >= 0x2E80 else 0.6 for char in text) * points / 72


def _longest_in(labels: Sequence[str], points: float) -> float:
    return max(_width_in(line, points) for label in labels for line in label.split("\n"))


def _lines(labels: Sequence[str]) -> int:
    return max(label.count("\n") + 1 for label in labels)


def _margins(fig: Figure, *, left: float, bottom: float, top: float, right: float = 0.3) -> None:
    """Place the axes by margins in inches, measured from the labels beforehand: a layout engine
    draws the whole figure again to measure it, which cost a third of a chart's time."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(
        left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height
    )


def _top(title: str) -> float:
    """Room above the axes: the title (11 pt and its pad) or a little air."""
    return 0.42 if title else 0.15


def _png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes without timestamps, so equal input gives equal bytes."""
    buffer = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _check_lengths(labels: Sequence[str], values: Sequence[object]) -> None:
    if not labels:
        raise ValueError("图表没有数据。")
    if len(labels) != len(values):
        raise ValueError(f"图表的标签数（{len(labels)}）与数值个数（{len(values)}）不一致。")


def bar_chart(
    *,
    labels: Sequence[str],
    values: Sequence[Number],
    title: str = "",
    unit: str = "",
    kind: Literal["bar", "barh", "line"] = "bar",
    ymax: Number | None = None,
) -> bytes:
    """A generic bar, horizontal bar or line chart with value labels; PNG bytes."""
    _check_lengths(labels, values)
    numbers = [float(_decimal(v)) for v in values]
    texts = [_label(v, unit) for v in values]
    height = max(3.0, 0.42 * len(labels) + 1.2) if kind == "barh" else 3.6
    with _cjk_style():
        fig = Figure(figsize=(WIDTH_IN, height))
        ax = fig.add_subplot()
        if kind == "barh":
            names = [_wrap(label, 14) for label in labels]
            _margins(fig, left=_longest_in(names, 9) + 0.2, bottom=0.35, top=_top(title),
                     right=_width_in(max(texts, key=len), 9) * 0.5 + 0.2)  # fmt: skip
            bars = ax.barh(names, numbers, color=BAR_COLOR, height=0.6)
            ax.invert_yaxis()
            ax.bar_label(bars, labels=texts, padding=3)
            ax.set_xlim(0, float(_decimal(ymax)) if ymax is not None else max(numbers) * 1.15)
        else:
            names = [_wrap(label, 6) for label in labels]
            ticks = max(_width_in(f"{value:g}", 9) for value in (max(numbers) * 1.2, 100))
            _margins(fig, left=ticks + (0.42 if unit else 0.2), top=_top(title),
                     bottom=0.15 * _lines(names) + 0.2)  # fmt: skip
            if kind == "bar":
                bars = ax.bar(names, numbers, color=BAR_COLOR, width=0.55)
                ax.bar_label(bars, labels=texts, padding=2)
                ax.set_ylim(0, float(_decimal(ymax)) if ymax is not None else max(numbers) * 1.15)
            else:
                ax.plot(names, numbers, color=BAR_COLOR, marker="o")
                for x, y, text in zip(names, numbers, texts, strict=True):
                    ax.annotate(
                        text, (x, y), textcoords="offset points", xytext=(0, 6), ha="center"
                    )
                ax.set_ylim(0, float(_decimal(ymax)) if ymax is not None else max(numbers) * 1.2)
        if title:
            ax.set_title(title)
        if unit and kind != "barh":
            ax.set_ylabel(f"单位：{unit}")
        return _png(fig)


def level1_rate_chart(
    *,
    names: Sequence[str],
    rates: Sequence[Number],
    title: str = "一级指标得分率",
) -> bytes:
    """Bar chart of the 一级 indicators' score rates (score ÷ weight, in %) with a 100% scale."""
    _check_lengths(names, rates)
    return bar_chart(labels=names, values=rates, title=title, unit="%", kind="bar", ymax=110)


def satisfaction_chart(
    *,
    items: Sequence[str],
    levels: Sequence[str],
    counts: Sequence[Sequence[int]],
    title: str = "满意度分布",
) -> bytes:
    """100% stacked horizontal bars: for each survey item, the share answering each level."""
    _check_lengths(items, counts)
    for item, row in zip(items, counts, strict=True):
        if len(row) != len(levels):
            raise ValueError(
                f"满意度图表中“{item}”的计数个数（{len(row)}）与等级数（{len(levels)}）不一致。"
            )
        if any(c < 0 for c in row):
            raise ValueError(f"满意度图表中“{item}”的计数不能为负数。")
    colors = _likert_colors(len(levels))
    names = [_wrap(item, 12) for item in items]
    height = max(2.6, 0.5 * len(items) + 1.6)
    with _cjk_style():
        fig = Figure(figsize=(WIDTH_IN, height))
        columns = min(len(levels), 5)
        rows = -(-len(levels) // columns)
        # Below the axes: tick labels, the axis label and the legend's rows.
        _margins(fig, left=_longest_in(names, 9) + 0.2, bottom=0.7 + 0.25 * rows, top=_top(title))
        ax = fig.add_subplot()
        left = [0.0] * len(items)
        totals = [sum(row) for row in counts]
        for level_index, level in enumerate(levels):
            shares = [
                100.0 * row[level_index] / total if total else 0.0
                for row, total in zip(counts, totals, strict=True)
            ]
            bars = ax.barh(
                names, shares, left=left, color=colors[level_index], label=level, height=0.6
            )
            ax.bar_label(
                bars,
                labels=[f"{share:.1f}%" if share >= 6 else "" for share in shares],
                label_type="center",
                fontsize=7,
            )
            left = [a + b for a, b in zip(left, shares, strict=True)]
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("占有效样本比例（%）")
        handles, legend_labels = ax.get_legend_handles_labels()
        fig.legend(handles, legend_labels, ncols=columns, loc="lower center", frameon=False)
        if title:
            ax.set_title(title)
        return _png(fig)


def _likert_colors(count: int) -> list[str]:
    """The default five colours, or a sampled diverging colormap for other level counts."""
    if count == len(LIKERT_COLORS):
        return list(LIKERT_COLORS)
    cmap = matplotlib.colormaps["RdYlGn_r"]
    if count == 1:
        return [matplotlib.colors.to_hex(cmap(0.0))]
    return [matplotlib.colors.to_hex(cmap(i / (count - 1))) for i in range(count)]
