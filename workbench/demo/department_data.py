"""The 部门整体 demo's indicator tree as plain data (pure): 300 leaves under the shipped framework.

The 27 common leaves of indicator_library/common/department.yaml (投入 / 过程 / 产出 / 效果) keep
their names and rules; the bureau's own (个性) leaves are written per subordinate unit and per line
of work, each with the inputs its rule needs, so the whole tree scores. Weights follow the
framework's 一级 split (15 / 35 / 25 / 25): each 一级's points are shared in proportion to the
framework weight (common leaves) or 1 (个性 leaves), to the cent, largest remainders first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import yaml

FRAMEWORK = Path(__file__).resolve().parents[2] / "indicator_library" / "common" / "department.yaml"
LEVEL1_POINTS = {"投入": Decimal(15), "过程": Decimal(35), "产出": Decimal(25), "效果": Decimal(25)}
CENT = Decimal("0.01")

UNITS = (
    "局机关", "市教育考试院", "市教育技术装备中心", "市教师发展中心", "市学生资助管理中心",
    "市教育督导评估中心", "市第一中学", "市第二中学", "市实验小学", "市特殊教育学校",
    "市职业技术学校", "市机关幼儿园",
)  # fmt: skip
# (line of work, what is counted, unit, planned, done)
DUTIES = (
    ("学前教育普惠发展", "新增普惠性学位", "个", 3600, 3480),
    ("义务教育优质均衡", "薄弱学校改造", "所", 24, 24),
    ("普通高中多样化发展", "特色高中创建", "所", 6, 5),
    ("职业教育产教融合", "校企合作项目", "个", 40, 37),
    ("教师队伍建设", "教师培训", "人次", 12000, 12650),
    ("学生资助", "资助学生", "人次", 18500, 18320),
    ("校舍安全保障", "校舍维修改造", "万平方米", 8, 7.6),
    ("教育信息化", "智慧教室建设", "间", 450, 462),
    ("课后服务", "开展课后服务学校", "所", 180, 176),
    ("校园安全", "校园安防设施升级", "所", 120, 118),
    ("体育美育", "体育场地改造", "所", 30, 28),
    ("特殊教育", "适龄残疾儿童入学", "人", 860, 842),
    ("教育督导", "督导评估学校", "所", 150, 150),
    ("招生考试", "考点标准化改造", "个", 36, 36),
    ("语言文字", "普通话培训测试", "人次", 9000, 9320),
    ("社区教育", "社区教育培训", "人次", 25000, 23800),
    ("家庭教育指导", "家长学校建设", "所", 200, 194),
    ("民办教育监管", "民办学校年检", "所", 95, 95),
    ("学生营养改善", "食堂标准化改造", "所", 60, 57),
    ("教育对外交流", "交流合作项目", "个", 12, 11),
)
# The three surveys: title, respondents, the satisfaction items (a matrix) and the overall item.
SURVEYS = (
    ("学生家长满意度调查", "在校学生家长", 9000,
     ("入学招生公平性", "学校办学条件", "教师教学水平", "课后服务质量", "校园安全管理",
      "家校沟通", "学生资助政策落实")),
    ("学校教职工满意度调查", "学校教职工", 6000,
     ("教师培训机会", "工资待遇保障", "职称评聘公平性", "教学设施设备", "减负工作成效",
      "教育信息化支持")),
    ("社会公众满意度调查", "社会公众", 5000,
     ("教育资源均衡配置", "政务服务便捷性", "教育信息公开", "校外培训治理", "教育收费规范")),
)  # fmt: skip
SATISFACTION_WORD = "满意度"


def share(total: int, survey: int) -> int:
    """Survey `survey`'s part of `total` answers, in proportion to the third field of SURVEYS."""
    parts = [s[2] for s in SURVEYS]
    shares = [total * p // sum(parts) for p in parts]
    shares[0] += total - sum(shares)
    return shares[survey]


@dataclass(frozen=True)
class LeafData:
    """One leaf: its path, rule with parameters and inputs, and its share of the 一级 points."""

    level1: str
    level2: str
    name: str
    rule: str
    share: Decimal
    params: str = ""
    target: str = ""
    actual: str = ""
    score: Decimal | None = None
    justification: str = ""
    definition: str = ""
    points: str = ""
    standard: str = ""
    standard_type: str = "计划标准"
    evidence: str = ""
    weight: Decimal = Decimal(0)
    survey: int | None = None  # index into SURVEYS for satisfaction leaves
    item: int | None = None  # index of the survey's item; None: the survey overall


# The framework's leaves need values: (target, actual, params) where the pack leaves them open.
COMMON_INPUTS = {
    "在职人员控制率": ("≤100%", "97.8%", None),
    "“三公”经费变动率": (None, "-6.2%", None),
    "重点支出安排率": (None, "", "达成:0.92"),
    "预算执行率": (None, "", None),  # bound to the engagement's execution rate
    "预算调整率": ("≤5%", "4.6%", None),
    "支付进度率": (None, "95.4%", None),
    "结转结余率": ("≤5%", "6.8%", None),
    "公用经费控制率": (None, "98.6%", None),
    "“三公”经费控制率": (None, "92.3%", None),
    "政府采购执行率": (None, "99.1%", None),
    "资金使用合规性": (None, "", "0.5;0.5"),
    "固定资产利用率": (None, "96.2%", None),
    "实际完成率": (None, "97.6%", None),
    "完成及时率": (None, "95.0%", None),
    "质量达标率": (None, "98.3%", None),
    "重点工作办结率": (None, "100%", None),
    "经济效益": (None, "", "达成:0.9"),
    "社会效益": (None, "", "达成:0.95"),
    "生态效益": (None, "", "部分达成:0.75"),
}


def _common() -> list[LeafData]:
    data = yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))
    leaves = []
    for first in data["indicators"]:
        for second in first["children"]:
            for leaf in second["children"]:
                target, actual, params = COMMON_INPUTS.get(leaf["name"], (None, "", None))
                survey = 2 if leaf["rule"] == "satisfaction" else None
                leaves.append(
                    LeafData(
                        first["name"], second["name"], leaf["name"], leaf["rule"],
                        Decimal(str(leaf["weight"])),
                        params=params if params is not None else str(leaf.get("params") or ""),
                        target=target if target is not None else str(leaf.get("target") or ""),
                        actual=actual, definition=leaf.get("definition", ""),
                        points="\n".join(leaf.get("points") or []),
                        standard=leaf.get("scoring", ""), standard_type=leaf.get("standard", "其他"),
                        evidence="、".join(leaf.get("evidence") or []), survey=survey,
                    )
                )  # fmt: skip
    return leaves


def _pct(value: float) -> str:
    return f"{value:.1f}%"


def _amount(value: float, unit: str) -> str:
    return f"{value:,.0f}{unit}" if float(value).is_integer() else f"{value:,.1f}{unit}"


def _inputs(n: int) -> list[LeafData]:
    """The bureau's own leaves: per unit (投入 / 过程) and per line of work (产出 / 效果)."""
    one = Decimal(1)
    out: list[LeafData] = []
    for i, duty in enumerate(DUTIES):
        name = duty[0]
        out.append(LeafData("投入", "目标设定", f"{name}绩效目标编制质量", "elements", one,
            params="1/3:1; 1/3:1; 1/3:" + ("0.5" if i % 4 == 0 else "1"),
            points="目标与部门职责相符\n指标细化量化\n指标值与预算匹配",
            standard="三项要点各占1/3，按符合程度计分。"))  # fmt: skip
    for i, unit in enumerate(UNITS):
        out += [
            LeafData("投入", "预算配置", f"{unit}预算编制科学性", "deduction", one,
                     params="" if i % 3 else "0.05", standard="预算测算依据不充分的，每处扣0.05分。"),
            LeafData("过程", "预算执行", f"{unit}资金支付进度", "ratio", one, target="100%",
                     actual=_pct(92 + (i * 7) % 9), standard="实际支付进度÷既定支付进度×分值。"),
            LeafData("过程", "预算管理", f"{unit}资金使用规范性", "deduction", one,
                     params="0.05" if i % 4 == 1 else "", standard="发现违规使用资金一处扣0.05分。"),
            LeafData("过程", "预算管理", f"{unit}财务制度执行有效性", "elements", one,
                     params="1/2:1; 1/2:" + ("0.6" if i % 5 == 2 else "1")),
            LeafData("过程", "资产管理", f"{unit}资产账实相符率", "ratio", one, target="100%",
                     actual=_pct(95 + (i * 3) % 5), standard="账实相符资产÷账面资产×分值。"),
            LeafData("过程", "资产管理", f"{unit}政府采购规范性", "boolean", one,
                     actual="否" if i == 7 else "是", standard="采购程序合规的得满分，否则不得分。"),
        ]  # fmt: skip
    for i, (name, counted, unit, planned, done) in enumerate(DUTIES):
        cost = 80 + 35 * i
        out += [
            LeafData("过程", "项目管理", f"{name}项目实施规范性", "elements", one,
                     params="1/3:1; 1/3:1; 1/3:" + ("0.5" if i % 3 == 0 else "1")),
            LeafData("产出", "产出数量", f"{counted}完成率", "ratio", one,
                     target=_amount(planned, unit), actual=_amount(done, unit),
                     standard="实际完成数÷计划数×分值，最高得满分。"),
            LeafData("产出", "产出质量", f"{name}质量达标率", "bands", one,
                     params=">=98%:1; >=95%:0.8; >=90%:0.6; else:0", actual=_pct(93 + (i * 5) % 7),
                     standard="≥98%得满分；95%～98%得80%；90%～95%得60%；其余不得分。"),
            LeafData("产出", "产出时效", f"{name}完成及时性", "qualitative", one,
                     params="达成:0.9" if i % 4 else "部分达成:0.7"),
            LeafData("产出", "产出成本", f"{name}成本控制", "inverse_ratio", one,
                     target=f"≤{cost}万元", actual=f"{cost * (0.95 + (i % 4) * 0.03):.1f}万元",
                     standard="实际成本不超过预算的得满分，超出的按预算÷实际×分值计分。"),
            LeafData("产出", "重点任务", f"{name}重点任务办结率", "ratio", one, target="100%",
                     actual=_pct(100 - (i % 6))),
            LeafData("效果", "社会效益", f"{name}社会效益", "qualitative", one,
                     params="达成:0.95" if i % 3 else "部分达成:0.75"),
            LeafData("效果", "可持续影响", f"{name}长效机制建设", "elements", one,
                     params="1/2:1; 1/2:" + ("0.5" if i % 5 == 0 else "1")),
        ]  # fmt: skip
    for s, (title, _who, _n, items) in enumerate(SURVEYS):
        for k, item in enumerate(items):
            out.append(LeafData("效果", "满意度", f"{item}{SATISFACTION_WORD}", "satisfaction", one,
                                params="method=ratio", target="≥90%", survey=s, item=k))  # fmt: skip
        if s < 2:  # the public's overall satisfaction is the framework's own leaf
            who = title.removesuffix("满意度调查")
            out.append(LeafData("效果", "满意度", f"{who}总体满意度", "satisfaction", one,
                                params="method=ratio", target="≥90%", survey=s))  # fmt: skip
    out.append(LeafData("效果", "创新示范", "教育改革创新示范作用", "manual", one,
        score=None, justification="获评省级教育改革创新案例1项，专家组评定得分。"))  # fmt: skip
    return out[:n]


def _weights(leaves: list[LeafData]) -> list[LeafData]:
    """Each 一级's points shared by `share`, to the cent, largest remainders first."""
    out = list(leaves)
    for level1, points in LEVEL1_POINTS.items():
        members = [i for i, leaf in enumerate(out) if leaf.level1 == level1]
        total = sum((out[i].share for i in members), Decimal(0))
        exact = {i: points * out[i].share / total for i in members}
        floor = {i: exact[i].quantize(CENT, rounding=ROUND_DOWN) for i in members}
        left = int((points - sum(floor.values())) / CENT)
        order = sorted(members, key=lambda i: (floor[i] - exact[i], i))
        for rank, i in enumerate(order):
            weight = floor[i] + (CENT if rank < left else 0)
            out[i] = replace(out[i], weight=weight)
    manual = [i for i, leaf in enumerate(out) if leaf.rule == "manual"]
    for i in manual:  # a manual score is entered below the weight
        out[i] = replace(out[i], score=(out[i].weight * Decimal("0.9")).quantize(CENT))
    return out


def leaves(count: int = 300) -> list[LeafData]:
    """The tree's leaves with weights summing to 100, in 一级 order."""
    common = _common()
    own = _inputs(count - len(common))
    order = list(LEVEL1_POINTS)
    seen: dict[tuple[str, str], int] = {}
    for leaf in common + own:
        seen.setdefault((leaf.level1, leaf.level2), len(seen))
    merged = sorted(
        common + own, key=lambda leaf: (order.index(leaf.level1), seen[leaf.level1, leaf.level2])
    )  # stable: a 二级's leaves stay in their order
    return _weights(merged)
