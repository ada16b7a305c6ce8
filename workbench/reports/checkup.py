"""报告体检: the pre-generation check that every number the documents state about one fact agrees,
and that the record behind the documents is complete (pure: plain inputs in, findings out).

Errors block the 送审稿 and 正式稿; warnings are listed for the lead to acknowledge.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ERROR, WARNING = "error", "warning"
LEVEL_NAMES = {ERROR: "错误", WARNING: "警告"}
BLOCKING_LABELS = ("送审稿", "正式稿")
WAN = Decimal(10000)
ALPHA_FLOOR = Decimal("0.6")
APPROX = ("约", "近", "逾", "超过", "余")
# Indicator names → the facts their 目标值/实际值 state: amounts (target, actual), rate, counts.
HINTS: tuple[tuple[str, tuple[str, str] | None, str | None], ...] = (
    ("到位率", ("budget", "received"), "availability_rate"),
    ("执行率", ("received", "spent"), "execution_rate"),
    ("受益", ("beneficiaries_planned", "beneficiaries"), None),
)
# A rate named after another subject (政府采购执行率) is not the engagement's rate: a hint word
# stands for the fact only alone or after one of these subjects.
HINT_SUBJECTS = {"执行率": ("预算", "资金", "支出"), "到位率": ("资金", "预算")}
_UNITS = "亿元|万元|元|%|％|万人|万名|人|名|个|所|家"
_NUMBER = rf"(?P<approx>{'|'.join(APPROX)})?(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>{_UNITS})?"
_UNFILLED = re.compile(r"【([^【】：]{1,20})：未填写】")
_VALID = re.compile(r"有效问卷\s*(?P<n>\d[\d,]*)\s*份")


@dataclass(frozen=True)
class FactValue:
    key: str
    label: str
    kind: str  # money (元) | percent | count
    value: Decimal | None
    text: str
    aliases: tuple[str, ...] = ()
    source_label: str = ""
    problem: str = ""  # e.g. the paper it was taken from is gone


@dataclass(frozen=True)
class IndicatorValue:
    name: str
    target: str = ""
    actual: str = ""
    target_key: str = ""  # bound fact
    actual_key: str = ""
    unscored: str = ""  # why it has no score ('' when scored or not applicable)
    expert_scores: int = 0  # experts' scores it was scored on (expert rule)


@dataclass(frozen=True)
class PaperFigure:
    index_no: str
    label: str
    value: Decimal
    fact_key: str


@dataclass(frozen=True)
class SectionText:
    title: str
    text: str
    required: bool = True
    generated: bool = False  # the document prints generated facts before the narrative


@dataclass(frozen=True)
class SurveyCount:
    title: str
    valid: int
    planned: int | None
    alpha: Decimal | None


@dataclass
class CheckInputs:
    facts: Sequence[FactValue] = ()
    indicators: Sequence[IndicatorValue] = ()
    papers: Sequence[PaperFigure] = ()
    sections: Sequence[SectionText] = ()
    surveys: Sequence[SurveyCount] = ()
    expert_members: Sequence[str] = ()
    signers: Sequence[tuple[str, str, bool]] = ()  # (role, name, still a member)
    scores_signed: bool = False


@dataclass(frozen=True)
class Finding:
    level: str
    area: str
    where: str
    message: str

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == WARNING]

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the warnings, so an acknowledgement covers exactly what the lead saw."""
        data = json.dumps([asdict(f) for f in self.warnings], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(data.encode()).hexdigest()

    def as_records(self) -> list[dict]:
        return [asdict(f) for f in self.findings]


def _shown(fact: FactValue) -> Decimal | None:
    if fact.value is None:
        return None
    return fact.value / WAN if fact.kind == "money" else fact.value


def _written(number: str, unit: str, kind: str) -> Decimal | None:
    """A number as written in the text, in the fact's shown unit (万元, %, count); None when unclear."""
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    if kind == "money":
        return {"亿元": value * WAN, "万元": value, "元": value / WAN}.get(unit)
    if kind == "percent":
        return value if unit in ("%", "％") else None
    if unit in ("%", "％", "亿元", "万元", "元"):
        return None
    return value * WAN if unit in ("万人", "万名") else value


def agrees(written: Decimal, number_text: str, actual: Decimal, *, approx: bool) -> bool:
    """Whether a written number states the value: equal at the places written, or within 5 % for '约'."""
    if approx:
        return abs(written - actual) <= abs(actual) * Decimal("0.05")
    places = len(number_text.split(".")[1]) if "." in number_text else 0
    step = Decimal(1).scaleb(-places)
    return actual.quantize(step, rounding=ROUND_HALF_UP) == written.quantize(step)


def _names_fact(name: str, word: str) -> bool:
    """Whether an indicator name states the fact its hint word stands for."""
    if word not in name:
        return False
    subjects = HINT_SUBJECTS.get(word)
    before = name.split(word, 1)[0]
    return subjects is None or not before or before.endswith(subjects)


def _facts_vs_indicators(inputs: CheckInputs, facts: dict[str, FactValue]) -> list[Finding]:
    found = [
        Finding(ERROR, "基本信息", fact.label, fact.problem)
        for fact in facts.values()
        if fact.problem
    ]
    for item in inputs.indicators:
        for which, text, key in (
            ("目标值", item.target, item.target_key),
            ("实际值", item.actual, item.actual_key),
        ):
            fact = facts.get(key)
            if key and fact is not None and (fact.text or "") != (text or ""):
                found.append(Finding(ERROR, "数据一致", item.name,
                    f"{which}“{text or '空'}”与绑定的{fact.label}“{fact.text or '未填写'}”不一致"
                    f"，请在基本信息页同步指标取值"))  # fmt: skip
        for word, amounts, rate in HINTS:
            if not _names_fact(item.name, word):
                continue
            for which, text, key, bound in (
                ("目标值", item.target, amounts[0] if amounts else "", item.target_key),
                ("实际值", item.actual, amounts[1] if amounts else "", item.actual_key),
            ):
                if bound or not text:
                    continue
                match = re.search(_NUMBER, text.replace("％", "%"))
                if match is None:
                    continue
                unit = match["unit"] or ""
                target_fact = facts.get(rate or "") if unit in ("%", "％") else facts.get(key)
                if unit in ("%", "％") and which == "目标值":
                    continue  # a rate's target is a goal (100%), not a fact
                if target_fact is None or target_fact.value is None:
                    continue
                written = _written(match["num"], unit, target_fact.kind)
                actual = _shown(target_fact)
                if written is None or actual is None:
                    continue
                if not agrees(written, match["num"], actual, approx=False):
                    found.append(Finding(ERROR, "数据一致", item.name,
                        f"{which}“{text}”与基本信息{target_fact.label}“{target_fact.text}”"
                        f"（{target_fact.source_label}）不一致"))  # fmt: skip
    return found


def _facts_vs_papers(inputs: CheckInputs, facts: dict[str, FactValue]) -> list[Finding]:
    found = []
    for figure in inputs.papers:
        fact = facts.get(figure.fact_key)
        if fact is None or fact.value is None:
            continue
        if fact.value.quantize(Decimal("0.01")) != figure.value.quantize(Decimal("0.01")):
            shown = FactValue(fact.key, fact.label, fact.kind, figure.value, "")
            paper_text = (
                f"{_shown(shown):,.2f}万元" if fact.kind == "money" else f"{figure.value:.2f}%"
            ) if fact.kind != "count" else str(figure.value)  # fmt: skip
            found.append(Finding(ERROR, "数据一致", f"底稿 {figure.index_no}",
                f"{figure.label}计算为{paper_text}，基本信息{fact.label}为{fact.text}"
                f"（{fact.source_label}）"))  # fmt: skip
    return found


def _narrative(inputs: CheckInputs, facts: dict[str, FactValue]) -> list[Finding]:
    found = []
    named = sorted(
        ((alias, fact) for fact in facts.values() for alias in (fact.label, *fact.aliases)),
        key=lambda pair: -len(pair[0]),
    )
    valid_counts = {s.valid for s in inputs.surveys}
    for section in inputs.sections:
        text = section.text or ""
        for match in _UNFILLED.finditer(text):
            found.append(Finding(ERROR, "正文字段", section.title,
                                 f"插入的字段“{match[1]}”尚未填写"))  # fmt: skip
        taken: list[tuple[int, int]] = []
        for alias, fact in named:
            if fact.value is None:
                continue
            pattern = re.escape(alias) + r"[^\d，,。；;\n]{0,8}?" + _NUMBER
            for match in re.finditer(pattern, text):
                if any(a <= match.start() < b for a, b in taken):
                    continue
                taken.append((match.start(), match.end()))
                written = _written(match["num"], match["unit"] or "", fact.kind)
                actual = _shown(fact)
                if written is None or actual is None:
                    continue
                if not agrees(written, match["num"], actual, approx=bool(match["approx"])):
                    found.append(Finding(ERROR, "数据一致", section.title,
                        f"正文“{match[0]}”与基本信息{fact.label}“{fact.text}”"
                        f"（{fact.source_label}）不一致"))  # fmt: skip
        for match in _VALID.finditer(text):
            n = int(match["n"].replace(",", ""))
            if valid_counts and n not in valid_counts:
                counts = "、".join(str(c) for c in sorted(valid_counts))
                found.append(Finding(ERROR, "调查样本", section.title,
                    f"正文“{match[0]}”与问卷统计的有效问卷数（{counts}份）不一致"))  # fmt: skip
        if section.required and not text.strip():
            if section.generated:
                found.append(Finding(WARNING, "章节完整", section.title,
                    "章节尚未撰写，文档中只有系统根据记录生成的内容"))  # fmt: skip
            else:
                found.append(Finding(ERROR, "章节完整", section.title, "章节内容为空"))
    return found


def _surveys(inputs: CheckInputs) -> list[Finding]:
    found = []
    for survey in inputs.surveys:
        if survey.planned and survey.valid < survey.planned:
            found.append(Finding(WARNING, "调查样本", survey.title,
                f"有效问卷{survey.valid}份，少于经批准方案计划的{survey.planned}份，"
                "报告中应说明样本不足对结论的影响"))  # fmt: skip
        if survey.alpha is None:
            found.append(Finding(WARNING, "问卷信度", survey.title,
                                 "有效样本过少，未能计算Cronbach's α，附件中应说明信度无法检验"))  # fmt: skip
        elif survey.alpha < 0:
            found.append(Finding(WARNING, "问卷信度", survey.title,
                f"Cronbach's α为{survey.alpha:.2f}（负值），题项间不一致，量表不可靠，"
                "附件中应提示该调查结果不宜作为评分依据"))  # fmt: skip
        elif survey.alpha < ALPHA_FLOOR:
            found.append(Finding(WARNING, "问卷信度", survey.title,
                f"Cronbach's α为{survey.alpha:.2f}，低于0.6，信度不足，附件中应作出提示"))  # fmt: skip
    return found


def _people(inputs: CheckInputs) -> list[Finding]:
    found = []
    members = len(inputs.expert_members)
    for item in inputs.indicators:
        if item.expert_scores and item.expert_scores != members:
            found.append(Finding(ERROR, "人员一致", item.name,
                f"有{item.expert_scores}位专家打分，而项目专家组为{members}人"
                + (f"（{'、'.join(inputs.expert_members)}）" if members else "")))  # fmt: skip
    for role, name, member in inputs.signers:
        if not member:
            found.append(Finding(ERROR, "人员一致", role,
                                 f"签字人{name}已不是本项目工作组成员"))  # fmt: skip
    return found


def _scores(inputs: CheckInputs) -> list[Finding]:
    found = [
        Finding(ERROR, "评分", item.name, f"尚未计分：{item.unscored}")
        for item in inputs.indicators
        if item.unscored
    ]
    if inputs.indicators and not inputs.scores_signed:
        found.append(Finding(ERROR, "评分", "综合评分", "评分结果尚未经项目负责人签字确认"))
    return found


def check(inputs: CheckInputs) -> CheckResult:
    """Every finding, errors first, in the order a reader meets them."""
    facts = {f.key: f for f in inputs.facts}
    findings = (
        _facts_vs_indicators(inputs, facts)
        + _facts_vs_papers(inputs, facts)
        + _narrative(inputs, facts)
        + _surveys(inputs)
        + _people(inputs)
        + _scores(inputs)
    )
    findings.sort(key=lambda f: f.level != ERROR)
    return CheckResult(findings)


def blocks(label: str) -> bool:
    """Whether errors stop a version with this label (送审稿, 正式稿)."""
    return label in BLOCKING_LABELS
