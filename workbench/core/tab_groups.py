"""The engagement tabs in groups that follow the flowchart, so the bar fits on one line.

Seventeen tabs wrap into two-line labels at 1366 px; grouped, the bar shows the flowchart and
four groups (a group with one page the user may open is a plain link). Endpoints are data here:
a tab whose endpoint is not listed lands in 其他, so a new domain's tab is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GROUPS: list[tuple[str, list[str]]] = [
    (
        "立项与方案",
        [
            "engagements.team",
            "facts.page",
            "finance.overview",
            "experts.engagement_experts",
            "reports.plan",
        ],
    ),
    (
        "指标与评分",
        ["indicators.index", "scoring.index", "scoring.self_score_page", "scoring.expert_page"],
    ),
    (
        "现场与调查",
        [
            "fieldwork.papers_list",
            "fieldwork.findings_list",
            "fieldwork.evidence_list",
            "fieldwork.requests_list",
            "surveys.index",
            "offline.page",
        ],
    ),
    (
        "报告与审核",
        [
            "reports.report",
            "reports.consultation_page",
            "reports.feedback",
            "review.overview",
            "review.unit_rectification",
            "review.archive",
            "engagements.audit_log",
        ],
    ),
]
OTHER = "其他"


@dataclass
class TabGroup:
    label: str
    tabs: list[dict] = field(default_factory=list)

    def active(self, endpoint: str | None) -> dict | None:
        """The tab of the page being shown, when it is in this group."""
        return next((t for t in self.tabs if t["endpoint"] == endpoint), None)


def group_tabs(tabs: list[dict]) -> list[TabGroup]:
    """`tabs` ({label, endpoint, url}) in the groups above, empty groups left out, order kept."""
    order = {
        endpoint: (g, i) for g, (_l, eps) in enumerate(GROUPS) for i, endpoint in enumerate(eps)
    }
    groups = [TabGroup(label) for label, _eps in GROUPS] + [TabGroup(OTHER)]
    for tab in sorted(tabs, key=lambda t: order.get(t["endpoint"], (len(GROUPS), 0))):
        index = order.get(tab["endpoint"], (len(GROUPS), 0))[0]
        groups[index].tabs.append(tab)
    return [g for g in groups if g.tabs]
