"""Field-by-field differences between two versions of a form, for the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jixiao.editing import SIGNOFF_FIELDS
from scorer.model import DIRECTION_LABELS, TICK_GROUP_LABELS, Form, Indicator

HEADER_LABELS = {
    "project_name": "项目名称",
    "department": "主管部门",
    "implementing_unit": "项目实施单位",
    "year": "年度",
    "form_kind": "表单类型",
    "rules": "规则集",
    "title": "标题",
    "total_recorded": "总分（自评）",
    "deviation_analysis": "偏差大或目标未完成原因分析",
    "improvement_measures": "改进措施及结果应用方案",
}
BUDGET_LABELS = {
    "label": "预算科目",
    "planned": "预算数",
    "executed": "执行数",
    "rate_text": "执行率（表中）",
    "initial": "年初预算数",
    "weight": "预算执行分值",
    "fiscal": "财政拨款",
    "carryover": "上年结转",
    "other": "其他资金",
    "basic_expenditure": "基本支出总额",
    "project_expenditure": "项目支出总额",
}
INDICATOR_LABELS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "target": "年初目标值",
    "actual": "实际完成值",
    "adjusted_target": "调整后目标值",
    "weight": "分值",
    "deviation": "偏差原因分析",
    "direction": "指标方向",
    "sub": "子项",
}
SIGNOFF_LABELS = SIGNOFF_FIELDS  # one list of the sign-off block, kept in jixiao/editing.py


@dataclass(frozen=True, slots=True)
class Change:
    field: str  # machine path, e.g. goals[0].indicators[2].actual
    label: str  # what a person reads, e.g. 指标「高新技术企业新增数」实际完成值
    before: str | None
    after: str | None
    reason: str = ""


def text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, tuple | list):
        return "、".join(str(v) for v in value)
    if hasattr(value, "value"):
        return str(value.value)
    return str(value)


def _cmp(out: list[Change], field: str, label: str, a: Any, b: Any, reason: str = "") -> None:
    if a != b:
        out.append(Change(field, label, text(a), text(b), reason))


DIRECTION_ZH = {**DIRECTION_LABELS, "": "（自动）"}


def _indicator(out: list[Change], path: str, old: Indicator, new: Indicator) -> None:
    who = f"指标「{new.name}」"
    if old.name != new.name:
        _cmp(out, f"{path}.name", f"指标「{old.name}」名称", old.name, new.name)
    for key, label in INDICATOR_LABELS.items():
        a, b = getattr(old, key), getattr(new, key)
        if key == "direction":
            a, b = DIRECTION_ZH.get(a, a), DIRECTION_ZH.get(b, b)
        elif key == "sub":
            a, b = ("是" if a else "否"), ("是" if b else "否")
        _cmp(out, f"{path}.{key}", f"{who}{label}", a, b)
    a, b = old.recorded, new.recorded
    if a != b:
        _cmp(
            out,
            f"{path}.score",
            f"{who}自评得分",
            a.score if a else None,
            b.score if b else None,
            b.reason if b else "",
        )
        if a is not None and b is not None and a.score == b.score:
            _cmp(out, f"{path}.score_reason", f"{who}得分理由", a.reason, b.reason)


def diff(old: Form, new: Form) -> list[Change]:
    """Every field that differs, in form order."""
    out: list[Change] = []
    for key, label in HEADER_LABELS.items():
        _cmp(out, key, label, getattr(old, key), getattr(new, key))
    for key, label in TICK_GROUP_LABELS.items():
        _cmp(out, f"ticks.{key}", label, old.ticks.group(key), new.ticks.group(key))
    for key, label in BUDGET_LABELS.items():
        _cmp(out, f"budget.{key}", label, getattr(old.budget, key), getattr(new.budget, key))
    a, b = old.budget.recorded, new.budget.recorded
    if a != b:
        _cmp(
            out,
            "budget.score",
            "预算执行自评得分",
            a.score if a else None,
            b.score if b else None,
            b.reason if b else "",
        )
    for key, label in SIGNOFF_LABELS.items():
        _cmp(out, f"signoff.{key}", label, getattr(old.signoff, key), getattr(new.signoff, key))
    for gi in range(max(len(old.goals), len(new.goals))):
        gpath = f"goals[{gi}]"
        if gi >= len(old.goals):
            out.append(Change(gpath, f"新增年度绩效目标 {gi + 1}", None, new.goals[gi].text or "（无文字）"))
        elif gi >= len(new.goals):
            out.append(Change(gpath, f"删除年度绩效目标 {gi + 1}", old.goals[gi].text or "（无文字）", None))
            continue
        og = old.goals[gi] if gi < len(old.goals) else None
        ng = new.goals[gi]
        if og is not None:
            _cmp(out, f"{gpath}.text", f"年度绩效目标 {gi + 1} 内容", og.text, ng.text)
            _cmp(out, f"{gpath}.weight", f"年度绩效目标 {gi + 1} 分值", og.weight, ng.weight)
    out.extend(_indicator_changes(old, new))
    return out


Row = tuple[int, int, Indicator]  # (goal, position, indicator)


def _rows(form: Form) -> list[Row]:
    return [(gi, ii, ind) for gi, g in enumerate(form.goals) for ii, ind in enumerate(g.indicators)]


def _match(olds: list[Row], news: list[Row]) -> dict[int, int]:
    """new row → old row: by identity; rows without one (a file from outside) by unique name, then place."""
    out: dict[int, int] = {}
    by_uid = {o[2].uid: i for i, o in enumerate(olds) if o[2].uid}
    for j, n in enumerate(news):
        i = by_uid.get(n[2].uid) if n[2].uid else None
        if i is not None:
            out[j] = i
    used = set(out.values())

    def free(i: int, j: int) -> bool:  # two rows that both carry (different) identities are different rows
        return i not in used and j not in out and not (olds[i][2].uid and news[j][2].uid)

    names: dict[str, list[int]] = {}
    for i, o in enumerate(olds):
        names.setdefault(o[2].name, []).append(i)
    for j, n in enumerate(news):
        same = names.get(n[2].name, [])
        if len(same) == 1 and free(same[0], j):
            out[j] = same[0]
            used.add(same[0])
    for j in range(len(news)):
        if j < len(olds) and free(j, j):
            out[j] = j
            used.add(j)
    return out


def kept_in_order(order: list[int]) -> set[int]:
    """The longest run of old positions still in increasing order: the rows that did not move."""
    best: list[list[int]] = []
    for x in order:
        chains = [c for c in best if c[-1] < x]
        best.append(_longest(chains) + [x])
    return set(_longest(best))


def _longest(chains: list[list[int]]) -> list[int]:
    """The first longest chain (empty when there is none)."""
    out: list[int] = []
    for chain in chains:
        if len(chain) > len(out):
            out = chain
    return out


def _indicator_changes(old: Form, new: Form) -> list[Change]:
    """Rows compared by identity: an insert, a delete or a move is one entry each."""
    olds, news = _rows(old), _rows(new)
    match = _match(olds, news)
    kept = kept_in_order([match[j] for j in range(len(news)) if j in match])
    out: list[Change] = []
    matched_old = set(match.values())
    for i, (gi, ii, o) in enumerate(olds):
        if i not in matched_old:
            out.append(
                Change(f"goals[{gi}].indicators[{ii}]", f"删除指标「{o.name}」", f"{o.target} → {o.actual}", None)
            )
    for j, (gi, ii, n) in enumerate(news):
        path = f"goals[{gi}].indicators[{ii}]"
        if j not in match:
            out.append(Change(path, f"新增指标「{n.name}」", None, f"{n.target} → {n.actual}"))
            continue
        ogi, oii, o = olds[match[j]]
        if match[j] not in kept or ogi != gi:
            out.append(
                Change(
                    path, f"移动指标「{n.name}」", f"目标 {ogi + 1} 第 {oii + 1} 行", f"目标 {gi + 1} 第 {ii + 1} 行"
                )
            )
        _indicator(out, path, o, n)
    return out
