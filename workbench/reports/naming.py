"""What the plan and the report are called: 评价 for an evaluation, 评估 for an ex-ante assessment.

事前绩效评估 is an assessment (评估) of a project before it is funded, not an evaluation (评价) of
one that ran; its documents, tabs and pages say so (财预〔2020〕10号 and 篇六 use 评估 throughout).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Names:
    term: str  # 评价 | 评估
    plan: str  # 评价工作方案 | 评估工作方案
    plan_tab: str  # the page's short name: 评价方案
    report: str  # 评价报告 | 事前绩效评估报告
    report_tab: str  # 评价报告 | 评估报告

    def worded(self, text: str) -> str:
        """A fixed sentence written for an evaluation, in this engagement's word."""
        return text.replace("评价", self.term)


EVALUATION = Names("评价", "评价工作方案", "评价方案", "评价报告", "评价报告")
EX_ANTE = Names("评估", "评估工作方案", "评估方案", "事前绩效评估报告", "评估报告")


def names_for(engagement_type: str) -> Names:
    return EX_ANTE if engagement_type == "ex_ante" else EVALUATION
