"""Charts: valid PNGs drawn with the vendored CJK font, with no missing glyph."""

from __future__ import annotations

import io
import warnings
from decimal import Decimal

import numpy as np
import pytest
from matplotlib import font_manager
from PIL import Image

from workbench.reports import charts
from workbench.reports.fonts import (
    CJK_FONT_LICENSE,
    CJK_FONT_PATH,
    cjk_codepoints,
    missing_glyphs,
    register_cjk_font,
)
from workbench.reports.fonts.subset import double_byte_repertoire

LEVEL1 = ["决策", "过程", "产出", "效益"]
ITEMS = ["补助资金发放及时性", "补助标准合理性", "申请流程便捷性", "政策宣传到位程度", "总体满意度"]
LEVELS = ["非常满意", "满意", "一般", "不满意", "非常不满意"]
COUNTS = [
    [92, 99, 35, 9, 5],
    [94, 94, 40, 7, 5],
    [106, 85, 38, 7, 4],
    [111, 87, 30, 8, 4],
    [0, 0, 0, 0, 0],
]
CHANNELS = ["学校通知", "微信公众号", "宣传海报", "亲友介绍", "其他"]
# Every fixed label the module draws, besides the data labels above.
FIXED_LABELS = [
    "一级指标得分率",
    "满意度分布",
    "占有效样本比例（%）",
    "单位：%",
    "单位：人次",
    "了解渠道（人次）",
]


def png_image(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.verify()
    return Image.open(io.BytesIO(data))


def drawn_pixels(image: Image.Image) -> int:
    """Pixels that are not (near) white: something was drawn."""
    return int((np.asarray(image.convert("L")) < 200).sum())


def test_vendored_font_is_small_licensed_and_registered() -> None:
    assert CJK_FONT_PATH.suffix == ".ttf"
    assert CJK_FONT_PATH.stat().st_size < 6 * 1024 * 1024
    licence = CJK_FONT_LICENSE.read_text(encoding="utf-8")
    assert "Apache License" in licence and "WenQuanYi" in licence
    family = register_cjk_font()
    assert family == "WenQuanYi Micro Hei GBK"
    found = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    assert found == str(CJK_FONT_PATH)


def test_font_covers_gb2312_ascii_and_punctuation() -> None:
    covered = cjk_codepoints()
    gb2312 = double_byte_repertoire("gb2312")
    assert len(gb2312) > 7000
    assert [c for c in gb2312 if ord(c) not in covered] == []
    assert all(code in covered for code in range(0x20, 0x7F))
    assert missing_glyphs("，。、；：？！（）【】《》“”‘’—…％≥≤×÷±℃①") == []


def test_every_chart_label_is_covered_by_the_font() -> None:
    labels = LEVEL1 + ITEMS + LEVELS + CHANNELS + FIXED_LABELS
    assert {label: missing_glyphs(label) for label in labels} == {label: [] for label in labels}
    assert missing_glyphs("𠀀 abc") == ["𠀀"]  # an Extension B character is reported


def test_level1_rate_chart_is_a_png_without_missing_glyphs() -> None:
    with warnings.catch_warnings():
        # matplotlib warns "Glyph … missing from font(s)" when it would draw tofu.
        warnings.simplefilter("error")
        data = charts.level1_rate_chart(
            names=LEVEL1, rates=[Decimal("81.80"), "71.50", "93.76%", 87.0]
        )
    image = png_image(data)
    assert image.size == (1260, 720)  # 6.3 × 3.6 in at 200 dpi
    assert drawn_pixels(image) > 10_000


def test_satisfaction_chart_stacks_each_item() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = charts.satisfaction_chart(items=ITEMS, levels=LEVELS, counts=COUNTS)
    image = png_image(data)
    assert image.size[0] == 1260
    assert image.size[1] > 720  # grows with the number of items
    # The 非常满意 green (#1a7f37) is present.
    rgb = np.asarray(image.convert("RGB")).reshape(-1, 3)
    assert ((rgb == (0x1A, 0x7F, 0x37)).all(axis=1)).any()


@pytest.mark.parametrize("kind", ["bar", "barh", "line"])
def test_generic_chart_kinds(kind: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = charts.bar_chart(
            labels=CHANNELS,
            values=[91, 89, 109, 95, 95],
            title="了解渠道（人次）",
            unit="人次",
            kind=kind,
        )
    assert drawn_pixels(png_image(data)) > 5_000


def test_charts_are_deterministic() -> None:
    first = charts.level1_rate_chart(names=LEVEL1, rates=["81.80", "71.50", "93.76", "87.00"])
    second = charts.level1_rate_chart(names=LEVEL1, rates=["81.80", "71.50", "93.76", "87.00"])
    assert first == second


def test_value_labels_are_half_up_two_places() -> None:
    assert charts._label(Decimal("85.005"), "%") == "85.01%"
    assert charts._label("2.675") == "2.68"
    assert charts._label(91) == "91"
    with pytest.raises(ValueError, match="图表数值无法识别"):
        charts._label("约九成")


def test_invalid_input_is_explained_in_chinese() -> None:
    with pytest.raises(ValueError, match="标签数（2）与数值个数（1）不一致"):
        charts.bar_chart(labels=["决策", "过程"], values=["1"])
    with pytest.raises(ValueError, match="图表没有数据"):
        charts.level1_rate_chart(names=[], rates=[])
    with pytest.raises(ValueError, match="“补助标准合理性”的计数个数（2）与等级数（5）不一致"):
        charts.satisfaction_chart(items=["补助标准合理性"], levels=LEVELS, counts=[[1, 2]])
    with pytest.raises(ValueError, match="不能为负数"):
        charts.satisfaction_chart(items=["总体"], levels=["满意", "不满意"], counts=[[3, -1]])


def test_other_level_counts_get_sampled_colours() -> None:
    data = charts.satisfaction_chart(
        items=["总体"], levels=["是", "否", "不清楚"], counts=[[5, 3, 2]]
    )
    assert drawn_pixels(png_image(data)) > 1_000


def _edge_is_blank(image: Image.Image, border: int = 3) -> bool:
    """Nothing drawn in the outermost pixels: no label runs off the picture."""
    grey = np.asarray(image.convert("L"))
    frame = np.concatenate(
        [grey[:border].ravel(), grey[-border:].ravel(), grey[:, :border].ravel(),
         grey[:, -border:].ravel()]
    )  # fmt: skip
    return bool((frame >= 200).all())


LONG_ITEMS = [
    "您对以下方面的满意程度—学生资助政策落实",
    "总体而言，您对市教育局的工作是否满意",
    "A",
]


@pytest.mark.parametrize(
    "draw",
    [
        lambda: charts.satisfaction_chart(items=LONG_ITEMS, levels=LEVELS,
                                          counts=[[5, 4, 3, 2, 1]] * 3, title="满意度分布"),
        lambda: charts.satisfaction_chart(items=LONG_ITEMS, levels=[str(i) for i in range(7)],
                                          counts=[[1] * 7] * 3),
        lambda: charts.bar_chart(labels=LONG_ITEMS, values=["99.99", "100", "0"], unit="%",
                                 kind="barh", title="二级指标得分率", ymax=110),
        lambda: charts.bar_chart(labels=LONG_ITEMS, values=[123456, 99, 0], unit="人次",
                                 kind="bar", title="了解渠道（人次）"),
        lambda: charts.bar_chart(labels=LONG_ITEMS, values=[1, 2, 3], kind="line"),
    ],
    ids=["satisfaction", "satisfaction-7-levels", "barh", "bar", "line"],
)  # fmt: skip
def test_margins_hold_long_labels_inside_the_picture(draw) -> None:
    """The axes are placed by margins measured from the labels (no layout engine): long wrapped
    labels, large values and a two-row legend still end inside the picture."""
    assert _edge_is_blank(png_image(draw()))
