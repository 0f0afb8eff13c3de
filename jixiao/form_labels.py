"""The printed labels of a self-evaluation form: one vocabulary for every reader of forms.

The Excel reader (``jixiao.xlsx``) and the published-document reader (``jixiao.disclosure``) meet the
same labels (项目名称, 预算数(A), 年初目标值 …) in different shapes; both look them up here, so a label
learned for one is learned for both. Labels are compared in their ``canon`` form: NFKC, no whitespace,
no bracketed notes, no trailing colon, so ``预算数 (A)``, ``预算数（A）`` and ``预 算 数：`` are one label.
"""

from __future__ import annotations

import re
import unicodedata

from scorer.model import TICK_GROUP_LABELS

_WS = re.compile(r"\s+")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")  # after NFKC, （） are ()


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def canon(text: str) -> str:
    """Label form of a cell: NFKC, no whitespace, no bracketed notes, no trailing colon."""
    t = _WS.sub("", nfkc(text))
    prev = None
    while prev != t:
        prev, t = t, _BRACKETS.sub("", t)
    return t.rstrip(":")  # NFKC has made ： a :


# ------------------------------------------------------------------ header and sign-off fields

# field → its labels; a longer label before one it starts with (项目实施单位 before 实施单位)
HEADER_LABELS: dict[str, tuple[str, ...]] = {
    "project_name": ("项目名称",),
    "department": ("主管部门单位", "主管部门", "主管单位"),
    "implementing_unit": ("项目实施单位", "实施单位"),
    "unit_name": ("单位名称", "部门名称"),
    "rules": ("规则集",),
}
YEAR_LABELS = ("年度", "年份", "评价年度", "预算年度", "自评年度")
SIGNOFF_LABELS: dict[str, tuple[str, ...]] = {
    "preparer": ("填表人", "填报人"),
    "reviewer": ("审核人",),
    "unit_head": ("单位负责人审签", "单位负责人"),
    "finance_head": ("财务负责人",),
    "project_lead": ("项目负责人",),
    "contact": ("联系人",),
    "phone": ("联系电话", "电话"),
    "date": ("填报日期", "填表日期", "日期"),
}
TICK_LABELS = {label: key for key, label in TICK_GROUP_LABELS.items()}
TOTAL_LABELS = ("总分", "总得分", "自评总分", "自评得分", "合计得分", "综合得分", "总计")
# the 预算执行情况 block's sub-rows: a word in the row label → the Budget field
BUDGET_SUBROWS = (
    ("财政拨款", "fiscal"),
    ("结转", "carryover"),
    ("其他资金", "other"),
    ("其他", "other"),
    ("基本支出", "basic_expenditure"),
    ("项目支出", "project_expenditure"),
)


def pairs(table: dict[str, tuple[str, ...]]) -> tuple[tuple[str, str], ...]:
    """(field, label) for every label, in the table's order."""
    return tuple((key, label) for key, labels in table.items() for label in labels)


# ------------------------------------------------------------------ column headers


def budget_key(c: str) -> str | None:
    """Which column of the 预算执行情况 block a (canon) header names."""
    if c.startswith("年初预算"):
        return "initial"
    if "预算数" in c or c in ("全年预算", "预算金额", "调整后预算"):
        return "planned"
    if "执行数" in c or c in ("实际支出", "执行金额"):
        return "executed"
    if "执行率" in c:
        return "rate"
    if "分值" in c or "权重" in c:
        return "weight"
    if "理由" in c:  # 得分理由: the reason for a recorded score, not the score
        return "reason"
    if c.startswith("得分") or c.startswith("评分"):
        return "score"
    return None


def indicator_key(c: str) -> str | None:
    """Which column of an indicator table a (canon) header names.

    ``direction`` is a 指标方向 column; ``nature`` (指标性质: ≥, ≤, =) and ``unit`` (度量单位) are the
    columns some provinces split a target into; ``reason`` is 得分理由.
    """
    if c.startswith("一级"):
        return "level1"
    if c.startswith("二级"):
        return "level2"
    if c.startswith("三级"):
        return "name"
    if "性质" in c:
        return "nature"
    if "方向" in c:
        return "direction"
    if "度量单位" in c or "计量单位" in c or c == "单位":
        return "unit"
    if "调整" in c:
        return "adjusted_target"
    if "理由" in c:
        return "reason"
    if "偏差" in c or "原因" in c:
        return "deviation"
    if "实际" in c or "完成值" in c or "完成情况" in c:
        return "actual"
    if "目标值" in c or "指标值" in c or c.endswith("目标") or "预期" in c:
        return "target"
    if "分值" in c or "权重" in c or c == "满分":
        return "weight"
    if c.startswith("得分") or c.startswith("自评得分") or c.startswith("评分"):
        return "score"
    if "备注" in c:
        return "remark"
    return None
