"""What a laptop in the field lets through (pure: endpoint names in, a refusal out).

A laptop holds one engagement's fieldwork and the rows those records point to; anything else is
the server's to change, and a change made here would never travel back (a check-in reads the
merged tables only, workbench/offline/scope.py). So the offline instance lets through, by
endpoint: the fieldwork itself with every method (`work`), pages that only show what the laptop
holds (`read`: GET and HEAD), and refuses the rest, naming where the work is done instead.

The rules are read top to bottom and the first whose name starts the endpoint's decides:
the exceptions inside an allowed blueprint come before it.
"""

from __future__ import annotations

from enum import StrEnum


class Access(StrEnum):
    work = "work"  # every method: the work a laptop is taken out for
    read = "read"  # GET and HEAD: the page shows what the laptop holds
    refused = "refused"


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

RULES: tuple[tuple[str, Access], ...] = (
    # Signing in and out; a temporary password is changed before anything else.
    ("accounts.login", Access.work),
    ("accounts.logout", Access.work),
    ("accounts.change_password", Access.work),
    ("accounts.set_language", Access.work),
    ("accounts.profile", Access.read),
    ("accounts.audit_", Access.read),
    # The engagement as the checkout left it: overview, team, its audit log (offline entries).
    ("engagements.dashboard", Access.read),
    ("engagements.list_export", Access.read),
    ("engagements.flowchart", Access.read),
    ("engagements.team", Access.read),
    ("engagements.audit_", Access.read),
    # Fieldwork: papers, evidence and photos, findings, sign-offs, review notes, document
    # requests (and the units' upload links). The agency's templates stay as the server has them.
    # A paper deleted here would stay on the server (a check-in does not delete papers).
    ("fieldwork.paper_delete", Access.refused),
    ("fieldwork.template_active", Access.refused),
    ("fieldwork.template_upload", Access.refused),
    ("fieldwork.save_stage_papers", Access.refused),
    ("fieldwork.template", Access.read),
    ("fieldwork.stage_papers_page", Access.read),
    ("fieldwork.", Access.work),
    # Surveys: answers collected on the hotspot (the public form, QR codes, the poster), paper
    # questionnaires typed in, the answers and the results, the 问卷统计表 working paper.
    ("surveys.public_", Access.work),
    ("surveys.entry", Access.work),
    ("surveys.export_paper", Access.work),
    ("surveys.index", Access.read),
    ("surveys.show", Access.read),
    ("surveys.design", Access.read),
    ("surveys.poster", Access.read),
    ("surveys.qr_", Access.read),
    ("surveys.responses_list", Access.read),
    ("surveys.stats", Access.read),
    ("surveys.export_xlsx", Access.read),
    # Indicators: actual values and scores are entered leaf by leaf; the tree stays as it is.
    ("indicators.index", Access.read),
    ("indicators.export_sheet", Access.read),
    ("scoring.index", Access.read),
    ("scoring.leaf", Access.work),
    # The bell: notices of review notes and sign-offs made on this laptop.
    ("review.notifications", Access.work),
    ("review.read_notification", Access.work),
    ("review.read_all", Access.work),
    # The laptop's own pages (the return package), static files, health, about.
    ("laptop.", Access.work),
    ("static", Access.read),
    ("health.", Access.read),
    ("about.", Access.read),
)

# What a refusal says cannot be done here, by the start of the endpoint's name (first match).
REFUSED_WORK: tuple[tuple[str, str], ...] = (
    ("fieldwork.paper_delete", "删除底稿"),
    ("fieldwork.", "修改底稿模板和各阶段底稿要求"),
    ("accounts.", "管理用户、单位和 API 令牌"),
    ("engagements.", "修改项目信息、工作组或推进流程"),
    ("facts.", "维护项目基本信息"),
    ("indicators.", "修改指标体系"),
    ("scoring.", "评分签字、专家打分或录入自评得分"),
    ("surveys.", "修改问卷设置或导入答卷"),
    ("reports.", "编写方案和报告、征求意见"),
    ("review.", "送审、审核或跟踪整改"),
    ("finance.", "办理合同、收款与保证金"),
    ("experts.", "管理专家和方案评审"),
    ("library.", "使用共享指标库"),
    ("hub.", "与行业指标库枢纽同步"),
    ("webhooks.", "设置推送接口"),
    ("api.", "使用 API 接口"),
    ("offline.", "检出项目或导入回传包"),
)


def access(endpoint: str) -> Access:
    """How the offline instance treats an endpoint."""
    for name, level in RULES:
        if endpoint.startswith(name):
            return level
    return Access.refused


def refusal(endpoint: str | None, method: str) -> str | None:
    """The message refusing this request offline, None when it may go through."""
    if endpoint is None:  # no route: the ordinary 404 answers
        return None
    level = access(endpoint)
    if level is Access.work or (level is Access.read and method in SAFE_METHODS):
        return None
    what = next((text for name, text in REFUSED_WORK if endpoint.startswith(name)), "进行此操作")
    return f"离线模式下不能{what}，请回到单位后在服务器上操作"
