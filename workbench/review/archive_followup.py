"""The archive gate's view of open rectification items: warn (default) or block, per settings.

Rectification runs on the bureau's clock (results within 20 days of the approved report, then
30 days to rectify), so it usually outlasts the archive; the follow-up therefore stays open after
完成归档 and the default only warns. A firm whose bureau wants every item closed before the file
is archived sets WORKBENCH_ARCHIVE_OPEN_RECTIFICATION=block.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from sqlmodel import Session

from workbench.engagements.models import Engagement
from workbench.review.archive_checklist import Item, archive_check
from workbench.review.rectification import open_items

MODES = ("warn", "block")


def mode() -> str:
    """`warn` or `block`: the ARCHIVE_OPEN_RECTIFICATION setting (anything else reads as warn)."""
    value = (
        current_app.config.get("ARCHIVE_OPEN_RECTIFICATION", "warn") if has_app_context() else ""
    )
    value = str(value or "warn").strip().lower()
    return value if value in MODES else "warn"


@archive_check
def rectification_item(db: Session, engagement: Engagement) -> list[Item]:
    """One checklist line on the follow-up: nothing open, open (warning) or open (blocking)."""
    found = open_items(db, engagement)
    link = f"/engagements/{engagement.id}/review/rectification"
    if not found:
        return [Item("rectification", "整改跟踪", True, "无未完成的整改事项", link)]
    listed = "；".join(i.problem[:30] for i in found[:3]) + ("等" if len(found) > 3 else "")
    if mode() == "block":
        detail = f"尚有 {len(found)} 项整改事项未确认整改完成（{listed}），按本机构设置须整改完成后方可归档"
        return [Item("rectification", "整改跟踪", False, detail, link)]
    detail = f"尚有 {len(found)} 项整改事项未完成（{listed}）；归档后仍可继续跟踪、登记和报送"
    return [Item("rectification", "整改跟踪", True, detail, link, warning=True)]
