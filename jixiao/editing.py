"""Pure edits of a frozen Form: every edit returns a new Form.

The TUI (and anything else that edits) goes through these, so that the rules
for rows, cells and recorded scores live in one tested place.
"""

from __future__ import annotations

import dataclasses
import os
from decimal import Decimal, InvalidOperation
from typing import Any

from scorer.direction import COMPARABLE
from scorer.errors import JixiaoError
from scorer.model import FIRST_YEAR, LAST_YEAR, TICK_GROUPS, Budget, Direction, Form, Goal, Indicator, Recorded, Ticks
from scorer.numbers import comma_problem, out_of_range, q2, ungroup

# Editable indicator columns, in grid order: key -> label
INDICATOR_COLUMNS: dict[str, str] = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "年初目标值",
    "actual": "实际完成值",
    "weight": "分值",
    "adjusted_target": "调整后目标值",
}
HEADER_FIELDS: dict[str, str] = {
    "project_name": "项目名称",
    "department": "主管部门",
    "implementing_unit": "项目实施单位",
    "year": "年度",
}
BUDGET_FIELDS: dict[str, str] = {
    "planned": "预算数(A)",
    "executed": "执行数(B)",
    "weight": "分值",
    "initial": "年初预算数",
    "fiscal": "其中：财政拨款",
    "carryover": "上年结转",
    "other": "其他资金",
}
# the sign-off block printed under the form (issue 15 item 6)
SIGNOFF_FIELDS: dict[str, str] = {
    "preparer": "填表人",
    "reviewer": "审核人",
    "unit_head": "单位负责人",
    "finance_head": "财务负责人",
    "project_lead": "项目负责人",
    "contact": "联系人",
    "phone": "联系电话",
    "date": "填报日期",
}


class EditError(JixiaoError, ValueError):
    """An edit that cannot be applied; the message says what is expected."""


def parse_number(text: str, what: str) -> Decimal | None:
    """A number typed by a person ('20', '20.5', '１２', '20分', ''): exact Decimal or None."""
    import unicodedata

    cleaned = unicodedata.normalize("NFKC", text).strip()
    for suffix in ("万元", "分", "%"):
        cleaned = cleaned.removesuffix(suffix).strip()
    if not cleaned:
        return None
    ungrouped = ungroup(cleaned)
    if ungrouped is None:
        raise EditError(f"{what}：{comma_problem(cleaned)}")
    cleaned = ungrouped
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise EditError(f"{what}应为数字，如 20 或 24.7；输入的是「{text}」") from None
    if not value.is_finite():
        raise EditError(f"{what}应为有限的数字")
    if value < 0:
        raise EditError(f"{what}不能为负数")
    why = out_of_range(value)
    if why:
        raise EditError(f"{what}{why}")
    return value


def positions(form: Form) -> list[tuple[int, int]]:
    """(goal index, indicator index) for every row, in display order."""
    return [(gi, ii) for gi, g in enumerate(form.goals) for ii in range(len(g.indicators))]


def _replace_goal(form: Form, gi: int, goal: Goal) -> Form:
    goals = list(form.goals)
    goals[gi] = goal
    return dataclasses.replace(form, goals=tuple(goals))


def _ensure_goal(form: Form) -> Form:
    return form if form.goals else dataclasses.replace(form, goals=(Goal(),))


def indicator_at(form: Form, row: int) -> Indicator:
    gi, ii = positions(form)[row]
    return form.goals[gi].indicators[ii]


def set_indicator(form: Form, row: int, indicator: Indicator) -> Form:
    gi, ii = positions(form)[row]
    inds = list(form.goals[gi].indicators)
    inds[ii] = indicator
    return _replace_goal(form, gi, dataclasses.replace(form.goals[gi], indicators=tuple(inds)))


def set_cell(form: Form, row: int, column: str, text: str) -> Form:
    """Set one indicator cell from the text a person typed."""
    if column not in INDICATOR_COLUMNS:
        raise EditError(f"未知的列「{column}」")
    ind = indicator_at(form, row)
    if column == "weight":
        return set_indicator(form, row, dataclasses.replace(ind, weight=parse_number(text, "分值")))
    if column == "name" and not text.strip():
        raise EditError("三级指标名称不能为空")
    value = text.strip() if column in ("name", "level1", "level2") else text
    if column in ("level1", "level2"):
        value = "".join(value.split())
    change: dict[str, Any] = {column: value}
    return set_indicator(form, row, dataclasses.replace(ind, **change))


def apply_catalog_entry(form: Form, row: int, name: str, level1: str, level2: str, direction: str) -> Form:
    """Choosing a catalog completion fills 一级, 二级 and the direction."""
    ind = indicator_at(form, row)
    keep_direction = direction if Direction.of(direction) in COMPARABLE else ""
    return set_indicator(
        form,
        row,
        dataclasses.replace(
            ind, name=name, level1=level1 or ind.level1, level2=level2 or ind.level2, direction=keep_direction
        ),
    )


def set_recorded(form: Form, row: int, score: Decimal | None, reason: str, rule_score: Decimal | None = None) -> Form:
    """The unit's own score for a row: with a reason unless it is the rule score (or cleared)."""
    ind = indicator_at(form, row)
    if score is None:
        return set_indicator(form, row, dataclasses.replace(ind, recorded=None))
    agrees = rule_score is not None and q2(score) == q2(rule_score)
    if not reason.strip() and not agrees:
        raise EditError("自评得分与规则得分不同，必须说明理由")
    return set_indicator(form, row, dataclasses.replace(ind, recorded=Recorded(score, reason.strip())))


def accept_rule_scores(form: Form, scores: list[Decimal | None]) -> Form:
    """A new form's rows without a score of their own take the rule score (rows 待判断 stay empty)."""
    for row, score in enumerate(scores):
        if score is not None and indicator_at(form, row).recorded is None:
            form = set_indicator(
                form, row, dataclasses.replace(indicator_at(form, row), recorded=Recorded(score, "按规则得分"))
            )
    return form


def new_indicator(like: Indicator | None = None) -> Indicator:
    return Indicator(
        level1=like.level1 if like else "产出指标",
        level2=like.level2 if like else "数量指标",
        name="新指标",
        target="",
        actual="",
        uid=os.urandom(16).hex(),  # its identity from birth: the history shows one insert
    )


def insert_row(form: Form, row: int | None, after: bool = True) -> tuple[Form, int]:
    """Insert a blank row before/after ``row`` (or at the end); returns (form, new row)."""
    form = _ensure_goal(form)
    pos = positions(form)
    if row is None or not pos:
        gi = len(form.goals) - 1
        like = form.goals[gi].indicators[-1] if form.goals[gi].indicators else None
        goal = form.goals[gi]
        form = _replace_goal(form, gi, dataclasses.replace(goal, indicators=(*goal.indicators, new_indicator(like))))
        return form, len(positions(form)) - 1
    gi, ii = pos[row]
    goal = form.goals[gi]
    at = ii + 1 if after else ii
    inds = list(goal.indicators)
    inds.insert(at, new_indicator(goal.indicators[ii]))
    form = _replace_goal(form, gi, dataclasses.replace(goal, indicators=tuple(inds)))
    return form, row + 1 if after else row


def set_goal_text(form: Form, gi: int, text: str) -> Form:
    """The text of 年度绩效目标 ``gi`` (0-based): printed above that goal's indicators."""
    form = _ensure_goal(form)
    if not 0 <= gi < len(form.goals):
        raise EditError(f"没有第 {gi + 1} 个年度绩效目标")
    return _replace_goal(form, gi, dataclasses.replace(form.goals[gi], text=text.strip()))


def add_goal(form: Form) -> tuple[Form, int]:
    """A further 年度绩效目标 with one blank indicator; returns (form, that indicator's row)."""
    form = _ensure_goal(form)
    form = dataclasses.replace(form, goals=(*form.goals, Goal(indicators=(new_indicator(),))))
    return form, len(positions(form)) - 1


def toggle_sub(form: Form, row: int) -> Form:
    """Make a row a sub-row (子项) of the row above it, or an ordinary row again."""
    gi, ii = positions(form)[row]
    ind = form.goals[gi].indicators[ii]
    if not ind.sub and ii == 0:
        raise EditError("本目标的第一行上面没有父项，不能设为子项")
    return set_indicator(form, row, dataclasses.replace(ind, sub=not ind.sub))


def delete_row(form: Form, row: int) -> Form:
    gi, ii = positions(form)[row]
    goal = form.goals[gi]
    inds = list(goal.indicators)
    del inds[ii]
    if not inds and not goal.text and len(form.goals) > 1:  # an untitled goal left empty goes with its last row
        return dataclasses.replace(form, goals=form.goals[:gi] + form.goals[gi + 1 :])
    return _replace_goal(form, gi, dataclasses.replace(goal, indicators=tuple(inds)))


def move_row(form: Form, row: int, delta: int) -> tuple[Form, int]:
    """Move a row up (-1) or down (+1) within its goal; returns (form, new row)."""
    gi, ii = positions(form)[row]
    goal = form.goals[gi]
    j = ii + delta
    if not 0 <= j < len(goal.indicators):
        return form, row
    inds = list(goal.indicators)
    inds[ii], inds[j] = inds[j], inds[ii]
    return _replace_goal(form, gi, dataclasses.replace(goal, indicators=tuple(inds))), row + delta


def year_of(text: str) -> int:
    """A 年度 typed by a person: four ASCII digits ("²".isdigit()), within the years a form may have."""
    t = text.strip()
    if not t:
        raise EditError("年度不能为空")
    if not (t.isascii() and t.isdigit() and len(t) == 4) or not FIRST_YEAR <= int(t) <= LAST_YEAR:
        raise EditError(f"年度应为 {FIRST_YEAR}–{LAST_YEAR} 之间的四位年份，如 2024；输入的是「{text}」")
    return int(t)


def set_header(form: Form, key: str, text: str) -> Form:
    if key == "year":
        return dataclasses.replace(form, year=year_of(text))
    if key in ("project_name", "implementing_unit") and not text.strip():
        raise EditError(f"{HEADER_FIELDS[key]}不能为空")
    if key == "rules":
        return dataclasses.replace(form, rules=text or None)
    if key in (
        "deviation_analysis",
        "improvement_measures",
        "department",
        "project_name",
        "implementing_unit",
        "title",
    ):
        change: dict[str, Any] = {key: text if key in ("deviation_analysis", "improvement_measures") else text.strip()}
        return dataclasses.replace(form, **change)
    raise EditError(f"未知字段「{key}」")


def set_budget(form: Form, key: str, text: str) -> Form:
    if key not in BUDGET_FIELDS:
        raise EditError(f"未知字段「{key}」")
    change: dict[str, Any] = {key: parse_number(text, BUDGET_FIELDS[key])}
    return dataclasses.replace(form, budget=dataclasses.replace(form.budget, **change))


def set_signoff(form: Form, key: str, text: str) -> Form:
    if key not in SIGNOFF_FIELDS:
        raise EditError(f"未知字段「{key}」")
    value = text.strip()
    if key == "phone" and value and not all(ch.isdigit() or ch in "-+() 转" for ch in value):
        raise EditError(f"联系电话只能含数字、-、+、括号和「转」；输入的是「{text}」")
    return dataclasses.replace(form, signoff=dataclasses.replace(form.signoff, **{key: value}))


def set_budget_recorded(form: Form, score: Decimal | None, reason: str) -> Form:
    if score is not None and not reason.strip():
        raise EditError("修改自评得分必须说明理由")
    rec = Recorded(score, reason.strip()) if score is not None else None
    return dataclasses.replace(form, budget=dataclasses.replace(form.budget, recorded=rec))


def set_ticks(form: Form, group: str, ticked: tuple[str, ...]) -> Form:
    if group not in TICK_GROUPS:
        raise EditError(f"未知的勾选组「{group}」")
    bad = [t for t in ticked if t not in TICK_GROUPS[group]]
    if bad:
        raise EditError(f"「{bad[0]}」不是可选项")
    return dataclasses.replace(form, ticks=dataclasses.replace(form.ticks, **{group: ticked}))


def copy_for_next_year(form: Form) -> Form:
    """Last year's form as this year's draft: same goals and targets, no actuals or scores."""
    goals = tuple(
        dataclasses.replace(
            g, indicators=tuple(dataclasses.replace(i, actual="", recorded=None, deviation="") for i in g.indicators)
        )
        for g in form.goals
    )
    year = (form.year or 0) + 1 if form.year else None
    title = form.title.replace(str(form.year), str(year)) if form.year and year else form.title
    return dataclasses.replace(
        form,
        year=year,
        title=title,
        goals=goals,
        budget=Budget(label=form.budget.label, weight=form.budget.weight),
        total_recorded=None,
        deviation_analysis="",
        improvement_measures="",
    )


def as_another_project(form: Form) -> Form:
    """The rows without their identities (``uid``), so the store gives them new ones: a copy made for
    another project is not the template's rows under a new name (jixiao/storage/renames.py refuses
    such a file on import, and the review would sum the two as one project)."""
    goals = tuple(
        dataclasses.replace(g, indicators=tuple(dataclasses.replace(i, uid="") for i in g.indicators))
        for g in form.goals
    )
    return dataclasses.replace(form, goals=goals)


def blank_form(year: int, unit: str, project: str, department: str = "", rules: str | None = None) -> Form:
    return Form(
        project_name=project.strip(),
        implementing_unit=unit.strip(),
        department=department.strip(),
        year=year,
        rules=rules,
        title=f"{year} 年度项目支出绩效自评表",
        ticks=Ticks(),
        goals=(Goal(indicators=(new_indicator(),)),),
    )
