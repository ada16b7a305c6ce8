"""What the audit page shows for the codes it stores: actions, object types and fields in Chinese.

A code without a label is shown as its nearest labelled prefix plus the code, so a new action is
readable before someone names it here; tests/core/test_audit_labels.py lists every action the
code records and fails on one without a label.
"""

from __future__ import annotations

import json
from typing import Any

ACTIONS: dict[str, str] = {
    # accounts and access
    "user.create": "新建用户",
    "user.enable": "启用用户",
    "user.disable": "停用用户",
    "user.login": "登录",
    "user.login_failed": "登录失败",
    "user.logout": "退出登录",
    "user.password_change": "修改密码",
    "user.password_reset": "管理员重置密码",
    "user.qualifications": "修改职称和资格证书",
    "user.notice_preferences": "修改通知设置",
    "org.create": "新建单位",
    "token.create": "创建 API 令牌",
    "token.revoke": "撤销 API 令牌",
    "access.denied": "访问被拒绝",
    "download": "下载或导出",
    "audit.export": "导出审计日志",
    # engagement and team
    "engagement.create": "新建项目",
    "engagement.update": "修改项目信息",
    "engagement.archive": "完成归档",
    "archive.seal": "封存档案包",
    "facts.update": "修改基本信息",
    "facts.bind": "指标绑定基本信息",
    "indicator.bound_value": "指标取值随基本信息更新",
    "plan_review.record": "登记方案评审意见",
    "plan_review.sign": "专家签署方案评审意见",
    "stage_papers.update": "修改各阶段底稿要求",
    "stage.advance": "推进阶段",
    "stage.back": "退回上一阶段",
    "checklist.confirm": "确认检查项",
    "checklist.unconfirm": "撤销确认检查项",
    "member.add": "添加项目成员",
    "member.duty": "修改成员分工",
    "member.remove": "移除项目成员",
    "declaration.sign": "签署声明",
    "declaration.override": "豁免声明",
    # indicators and library
    "indicators.create": "新增指标",
    "indicators.update": "修改指标",
    "indicators.delete": "删除指标",
    "indicators.move": "调整指标顺序",
    "indicators.import": "导入指标体系",
    "indicators.confirm": "确认指标体系",
    "indicators.confirmation_cleared": "指标体系确认失效",
    "indicators.grades": "修改等级划分",
    "indicators.propose": "指标提交入库",
    "indicators.self_score": "录入单位自评得分",
    "library.create": "新建库指标",
    "library.edit": "修改库指标",
    "library.import": "导入指标包",
    "library.propose": "提交共享审核",
    "library.withdraw": "撤回共享申请",
    "library.approve": "批准共享",
    "library.reject": "退回共享申请",
    "library.deprecate": "停用库指标",
    "library.restore": "恢复库指标",
    "library.benchmark": "登记标杆值",
    "library.benchmark_import": "导入基准值",
    # the association hub (a member's side, then the hub's own)
    "hub.connection_save": "设置枢纽连接",
    "hub.sync": "与枢纽同步",
    "hub.publish": "向枢纽发布指标",
    "hub.accept": "接受枢纽更新",
    "hub.accept_all": "批量接受枢纽更新（无冲突的）",
    "hub.keep_local": "保留本机构版本（不接受枢纽更新）",
    "hub.pack_import": "导入离线指标包",
    "hub.member_create": "新增枢纽成员",
    "hub.member_revoke": "撤销枢纽成员密钥",
    "hub.item_publish": "枢纽收到成员发布的指标",
    "hub.stats_upload": "枢纽收到成员使用统计",
    "indicators.benchmark": "引用基准值",
    # scoring
    "scoring.input": "录入评分数据",
    "scoring.sign": "评分签字",
    "scoring.signoff_cleared": "评分签字失效",
    "scoring.expert_score": "专家打分",
    # fieldwork
    "working_paper.create": "新建工作底稿",
    "working_paper.update": "修改工作底稿",
    "working_paper.delete": "删除工作底稿",
    "working_paper.prepare": "底稿编制人签字",
    "working_paper.review": "底稿复核人签字",
    "working_paper.approve": "底稿项目负责人批准",
    "working_paper.return": "退回工作底稿",
    "working_paper.signoffs_cleared": "底稿签字失效",
    "paper_template.create": "新建底稿模板",
    "paper_template.update": "修改底稿模板",
    "paper_template.enable": "启用或停用底稿模板",
    "evidence.upload": "上传佐证资料",
    "evidence.delete": "删除佐证资料",
    "finding.add": "记录核查发现",
    "finding.delete": "删除核查发现",
    "review_note.reply": "答复复核意见",
    "review_note.resolve": "关闭复核意见",
    "document_request.create": "新建资料清单",
    "document_request.add_items": "增加清单资料",
    "document_request.send": "发送资料清单",
    "document_request.link": "生成上传链接",
    "document_request.revoke_link": "撤销上传链接",
    "document_request.upload": "提交清单资料",
    "document_request.item_received": "资料已收到",
    "document_request.item_waived": "资料免于提供",
    "document_request.item_requested": "资料改为待提供",
    # surveys
    "survey.create": "新建问卷",
    "survey.update": "修改问卷设置",
    "survey.copy": "复制问卷",
    "survey.delete": "删除问卷",
    "survey.questions": "修改问卷题目",
    "survey.rules": "修改有效性规则",
    "survey.sample_plan": "修改抽样方案",
    "survey.sample_waive": "豁免样本量要求",
    "survey.link": "问卷关联指标",
    "survey.unlink": "取消问卷关联",
    "survey.answer": "提交问卷答卷",
    "survey.paper_entry": "录入纸质问卷",
    "survey.import": "导入问卷数据",
    "survey.import_upload": "上传问卷数据文件",
    "survey.import_cancel": "取消问卷导入",
    "survey.response_override": "人工判定答卷有效性",
    "survey.open": "开启问卷",
    "survey.close": "结束回收",
    "survey.reopen": "重新开启问卷",
    # reports and consultation
    "report.settings": "修改报告设置",
    "outline_profile.save": "保存报告提纲",
    "outline_profile.withdraw": "停用报告提纲",
    "report.schedule": "修改方案进度安排",
    "report.section.save": "保存章节",
    "report.section.autosave": "自动保存章节",
    "report.section.assign": "分配章节",
    "report.comment.add": "添加章节批注",
    "report.comment.resolve": "关闭章节批注",
    "report.sign": "报告签字",
    "report.signoff.clear": "报告签字失效",
    "report.signoff.withdraw": "撤回报告签字",
    "deliverable.request": "请求生成文档",
    "deliverable.generate": "生成文档",
    "deliverable.pdf.request": "请求生成 PDF",
    "deliverable.pdf": "生成 PDF",
    "deliverable.generate_public": "生成公开版",
    "report.internal_sections": "标记不公开章节",
    "report_check.acknowledge": "确认报告体检提示",
    "indicators.self_scores": "录入单位自评得分",
    "consultation.send": "发送征求意见稿",
    "consultation.opinion.add": "登记反馈意见",
    "consultation.opinion.update": "修改反馈意见",
    "consultation.opinion.delete": "删除反馈意见",
    "consultation.answer": "答复反馈意见",
    "consultation.no_opinions": "登记无反馈意见",
    "consultation.complete": "完成征求意见",
    # bureau review
    "review.resubmit": "提交委托方审核",
    "review.comment": "添加审核意见",
    "review.comment_delete": "删除审核意见",
    "review.answer": "答复审核意见",
    "review.approve": "审核通过",
    "review.return": "退回修改",
    "review.rate": "质量考核评分",
    "review.rubric_create": "新建考核表",
    "review.rubric_update": "修改考核表",
    "review.rubric_delete": "删除考核表",
    "review.rectification_create": "新建整改事项",
    "review.rectification_update": "修改整改事项",
    "review.rectification_delete": "删除整改事项",
    "review.rectification_progress": "登记整改进展",
    "review.rectification_unit_report": "被评价单位报告整改进展",
    # finance
    "finance.contract.create": "登记合同",
    "finance.contract.update": "修改合同",
    "finance.settings": "修改默认合同条款",
    "webhook.create": "登记推送地址",
    "webhook.update": "修改推送地址",
    "webhook.rotate_secret": "更换推送签名密钥",
    "webhook.delete": "删除推送地址",
    "webhook.ping": "发送推送测试事件",
    "webhook.redeliver": "重新发送推送",
    "finance.quality_rating": "登记质量考核结果",
    "finance.entry.invoiced": "登记开票",
    "finance.entry.received": "登记收款",
    "finance.entry.withheld": "登记预留保证金",
    "finance.entry.released": "登记保证金释放",
    "finance.entry.forfeited": "登记保证金不予释放",
    "finance.entry.void": "作废台账记录",
    # experts
    "expert.create": "新建专家档案",
    "expert.update": "修改专家档案",
    "expert.assign": "指派专家",
    "expert.unassign": "结束专家指派",
    "expert.conflict.declare": "申报利害关系",
    "expert.conflict.remove": "撤回利害关系",
    "expert.conflict.withdrawal_request": "申请撤回利害关系",
    "expert.conflict.withdrawal_approve": "同意撤回利害关系",
    "expert.conflict.withdrawal_refuse": "驳回撤回利害关系",
    "expert.conflict_override": "豁免利害关系",
    "expert.fee.add": "登记专家费",
    "expert.fee.delete": "删除专家费",
    # offline fieldwork: on the server, and on the laptop
    "offline.checkout": "检出到笔记本",
    "offline.checkin": "导入离线回传包",
    "offline.revoke": "作废离线检出",
    "offline.resolve": "处理离线冲突",
    "offline.export": "导出离线回传包",
}

OBJECTS: dict[str, str] = {
    "user": "用户",
    "organisation": "单位",
    "api_token": "API 令牌",
    "engagement": "项目",
    "engagement_member": "项目成员",
    "declaration": "声明",
    "checklist_confirmation": "检查项",
    "indicator": "指标",
    "outline_profile": "报告提纲",
    "indicator_system": "指标体系",
    "library_indicator": "库指标",
    "library_pack": "指标包",
    "library_benchmark_import": "基准值导入",
    "hub_connection": "枢纽连接",
    "hub_update": "枢纽更新",
    "hub_member": "枢纽成员",
    "working_paper": "工作底稿",
    "paper_template": "底稿模板",
    "paper_finding": "核查发现",
    "evidence": "佐证资料",
    "review_note": "复核意见",
    "document_request": "资料清单",
    "document_request_item": "清单资料",
    "survey": "问卷",
    "survey_response": "答卷",
    "survey_import": "问卷导入",
    "report_section": "报告章节",
    "report_section_comment": "章节批注",
    "report_setting": "报告设置",
    "report_signoff": "报告签字",
    "deliverable_version": "文档版本",
    "consultation": "征求意见",
    "consultation_opinion": "反馈意见",
    "review_submission": "送审版本",
    "review_comment": "审核意见",
    "quality_rating": "质量考核",
    "quality_rubric": "考核表",
    "rectification_item": "整改事项",
    "finance_contract": "合同",
    "finance_entry": "台账记录",
    "finance_settings": "默认合同条款",
    "expert": "专家",
    "expert_assignment": "专家指派",
    "expert_conflict": "利害关系",
    "expert_fee": "专家费",
    "expert_score": "专家评分",
    "page": "页面",
    "engagement_facts": "基本信息",
    "engagement_fact": "基本信息",
    "fact_sheet": "基本信息表",
    "indicator_binding": "指标取值绑定",
    "notification": "通知",
    "paper_indicator": "底稿关联指标",
    "paper_signoff": "底稿签字",
    "rectification_evidence": "整改佐证",
    "rectification_report": "整改报告",
    "report_internal_section": "不公开章节",
    "report_job": "文档生成任务",
    "report_section_version": "章节版本",
    "stage_paper_setting": "各阶段底稿要求",
    "library_indicator_version": "库指标版本",
    "report_check": "报告体检",
    "plan_review": "方案评审意见",
    "archive_seal": "档案封存",
    "offline_checkout": "离线检出",
    "offline_checkin": "回传包导入",
    "offline_conflict": "离线冲突",
}

FIELDS: dict[str, str] = {
    "muted": "不接收的通知",
    "username": "用户名",
    "display_name": "姓名",
    "org_id": "所属单位",
    "system_role": "系统角色",
    "managed_by_id": "管理机构",
    "active": "启用",
    "must_change_password": "须修改临时密码",
    "session_generation": "登录代次",
    "title": "名称",
    "status": "状态",
    "stage": "阶段",
    "role": "角色",
    "duty": "分工",
    "reason": "原因",
    "note": "说明",
    "name": "名称",
    "weight": "分值",
    "target": "目标值",
    "actual": "实际值",
    "score": "得分",
    "rule": "评分规则",
    "params": "规则参数",
    "amount": "金额",
    "path": "地址",
    "method": "请求方式",
    "code": "结果",
    "file": "文件",
    "user": "用户",
    "version": "版本",
    "self_score": "自评得分",
    "self_gap_note": "自评差异说明",
    "filename": "文件名",
    "rows": "行数",
    "added": "新增",
    "revised": "修订",
    "benchmark": "基准值",
    "device": "设备",
    "records": "记录数",
    "files": "文件数",
    "size": "大小（字节）",
    "choice": "处理方式",
    "checkout": "检出编号",
    "export": "回传包编号",
    "updated": "更新",
    "deleted": "删除",
    "unchanged": "未变化",
    "duplicates": "重复",
    "conflicts": "冲突",
    "renumbered": "重新编号",
    "resign": "需重新签字",
    "audit": "审计记录",
    "table": "记录类别",
    "key": "记录编号",
}


def action_label(code: str) -> str:
    """The Chinese name of an action, or the nearest named prefix with the code."""
    if code in ACTIONS:
        return ACTIONS[code]
    parts = code.split(".")
    while len(parts) > 1:
        parts.pop()
        prefix = ".".join(parts)
        found = next((v for k, v in ACTIONS.items() if k.startswith(prefix + ".")), None)
        if found:
            return f"{object_label(prefix)}操作（{code}）"
    return code


def object_label(table: str) -> str:
    return OBJECTS.get(table, table)


def _value(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def describe(values: dict | None) -> list[tuple[str, str]]:
    """A stored before/after picture as (label, readable value) pairs."""
    if not values:
        return []
    return [(FIELDS.get(key, key), _value(value)) for key, value in values.items()]


def changes(before: dict | None, after: dict | None) -> list[tuple[str, str, str]]:
    """(label, before, after) for each field that either picture holds, in their order."""
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*before, *after]))
    return [
        (
            FIELDS.get(key, key),
            _value(before[key]) if key in before else "",
            _value(after[key]) if key in after else "",
        )
        for key in keys
    ]
