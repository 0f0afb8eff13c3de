"""Chinese names of the stored tables and columns, for messages (never the table or column id)."""

from __future__ import annotations

TABLE_LABELS: dict[str, str] = {
    "forms": "表单",
    "goals": "绩效目标",
    "indicators": "指标",
    "audit_log": "修改记录",
    "row_changes": "数据库修改日志",
    "rechecks": "复核评分",
    "monitoring": "运行监控记录",
    "approved_targets": "已审核目标",
    "evidence": "佐证材料",
    "app_users": "用户",
    "units": "单位",
    "certificate_registrations": "签章证书登记",
}

COLUMN_LABELS: dict[str, str] = {
    "department": "主管部门",
    "implementing_unit": "项目实施单位",
    "project_name": "项目名称",
    "rules": "规则集",
    "title": "表头标题",
    "ticks_category": "项目类别",
    "ticks_attribute": "项目属性",
    "ticks_project_type": "项目类型",
    "budget_label": "资金项名称",
    "budget_rate_text": "执行率",
    "budget_score_reason": "预算执行自评理由",
    "deviation_analysis": "偏差大或目标未完成原因分析",
    "improvement_measures": "改进措施及结果应用方案",
    "signoff_preparer": "填表人",
    "signoff_reviewer": "审核人",
    "signoff_unit_head": "单位负责人",
    "signoff_finance_head": "财务负责人",
    "signoff_project_lead": "项目负责人",
    "signoff_contact": "联系人",
    "signoff_phone": "联系电话",
    "signoff_date": "填报日期",
    "updated_by": "修改人",
    "signed_by": "签章人",
    "text": "年度目标",
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "年初目标值",
    "actual": "实际完成值",
    "adjusted_target": "调整后目标值",
    "recorded_reason": "自评理由",
    "deviation": "偏差原因分析",
    "direction": "指标方向",
    "budget_planned": "预算数",
    "budget_executed": "执行数",
    "budget_initial": "年初预算数",
    "budget_weight": "预算执行分值",
    "budget_score": "预算执行自评得分",
    "budget_fiscal": "财政拨款",
    "budget_carryover": "上年结转",
    "budget_other": "其他资金",
    "basic_expenditure": "基本支出",
    "project_expenditure": "项目支出",
    "total_recorded": "总分",
    "weight": "分值",
    "recorded_score": "自评得分",
}


def column_label(name: str) -> str:
    """「偏差大或目标未完成原因分析」 for deviation_analysis; an unlisted column keeps its id."""
    return COLUMN_LABELS.get(name, name)
