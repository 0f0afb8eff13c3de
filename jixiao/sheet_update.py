"""Updating a stored form from a sheet that holds only some of its fields.

A platform sheet (one row per indicator, ``jixiao.xlsx.flat``) has no place for the rule set, the
form's kind, the goals' texts and weights, the budget block's weight and score, the recorded total,
the narratives, the ticks or the sign-off, nor for an indicator's adjusted target, direction,
sub-row mark or the reason beside its score. Storing such a sheet as the whole form erased all of
that: ``export --profile platform-flat`` then ``import`` turned 98.10 优 into 88.10 良. So a sheet
updates only the fields whose columns it has; everything else stays as stored.

Indicators are paired by (一级, 二级, 三级), the k-th of a name with the k-th, except that of rows
of one name the one with the sheet's target goes first. A level the sheet has no column for is
left out of the pairing (its cells are blank, not new names). A stored indicator the sheet no
longer lists is removed; a sub-row whose parent was removed becomes an ordinary row (it would
otherwise join the family above it). A new one goes after the row that precedes it on the
sheet, after that row's sub-rows (placed before one, it would have become their parent). A renamed
indicator is a removed one and a new one: what the sheet cannot hold of it is not carried over.
A reason is kept only beside an unchanged score: it explained that score, not a new one.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import replace
from typing import Any

from scorer.model import Form, Goal, Indicator, Recorded

ROW_TEXT_FIELDS = ("target", "actual", "deviation")
KEPT = (
    "规则集、绩效目标的内容与分值、预算执行的分值、勾选项、签章栏，"
    "指标的子项标记、调整后目标值、指标方向与得分理由（指标按一级、二级、三级名称对应；改了名称的指标按删去旧行、新增一行处理）"
)

Key = tuple[str, str, str]
Place = tuple[int, int]  # (goal, indicator) in the stored form


def _key(ind: Indicator, holds: frozenset[str]) -> Key:
    """What a row is paired by: its names, a level only where the sheet has that level's column
    (a sheet without 一级/二级 columns read every row as new and dropped what it cannot hold)."""
    return (
        ind.level1 if "level1" in holds else "",
        ind.level2 if "level2" in holds else "",
        ind.name,
    )


def update_from_sheet(stored: Form, sheet: Form, holds: frozenset[str]) -> Form:
    """``stored`` with the fields ``holds`` names taken from ``sheet``; the same identity is assumed."""
    form = replace(stored, goals=_goals(stored, sheet.indicators, holds))
    own = {"department": "department", "form_kind": "form_kind", "total": "total_recorded"}
    own |= {"deviation_analysis": "deviation_analysis", "improvement_measures": "improvement_measures"}
    form = replace(form, **{attr: getattr(sheet, attr) for f, attr in own.items() if f in holds})
    money: dict[str, Any] = {f: getattr(sheet.budget, f) for f in ("planned", "executed") if f in holds}
    if "rate" in holds:
        money["rate_text"] = sheet.budget.rate_text
    if "budget_score" in holds and _score(sheet.budget.recorded) != _score(stored.budget.recorded):
        money["recorded"] = sheet.budget.recorded  # its reason explained the stored score, not this one
    if money:
        form = replace(form, budget=replace(stored.budget, **money))
    return form


def _score(recorded: Recorded | None) -> object:
    return recorded.score if recorded else None


def _goals(stored: Form, rows: tuple[Indicator, ...], holds: frozenset[str]) -> tuple[Goal, ...]:
    if not stored.goals:
        return (Goal(indicators=rows),)
    waiting: dict[Key, deque[Place]] = defaultdict(deque)
    for g, goal in enumerate(stored.goals):
        for i, ind in enumerate(goal.indicators):
            waiting[_key(ind, holds)].append((g, i))
    kept: dict[Place, Indicator] = {}
    after: dict[Place | None, list[Indicator]] = defaultdict(list)  # new rows after a kept one (None: first)
    anchor: Place | None = None
    for row in rows:
        places = waiting.get(_key(row, holds))
        if places:
            # of rows of one name, the one with the sheet's target: a row dropped before it must not
            # lend it its adjusted target, direction and reason
            anchor = next((p for p in places if stored.goals[p[0]].indicators[p[1]].target == row.target), places[0])
            places.remove(anchor)
            g, i = anchor
            kept[anchor] = _row(stored.goals[g].indicators[i], row, holds)
        else:
            after[anchor].append(row)
    out = []
    for g, goal in enumerate(stored.goals):
        inds = list(after[None]) if g == 0 else []
        new: list[Indicator] = []  # held back to the end of a family: before a sub-row, they took it over
        orphaned = False  # the family's parent was removed: its kept sub-rows stand alone
        for i, old in enumerate(goal.indicators):
            if not old.sub:
                orphaned = (g, i) not in kept
            if new and not old.sub:
                inds, new = inds + new, []
            if (g, i) in kept:
                inds.append(replace(kept[(g, i)], sub=False) if old.sub and orphaned else kept[(g, i)])
                new += after[(g, i)]
        inds += new
        if inds or not goal.indicators:
            out.append(replace(goal, indicators=tuple(inds)))
    return tuple(out)


def _row(old: Indicator, new: Indicator, holds: frozenset[str]) -> Indicator:
    changes: dict[str, object] = {f: getattr(new, f) for f in ROW_TEXT_FIELDS if f in holds}
    if "weight" in holds:
        changes["weight"] = new.weight
    if "score" in holds:
        changes["recorded"] = _recorded(old.recorded, new.recorded)
    return replace(old, **changes)  # type: ignore[arg-type]


def _recorded(old: Recorded | None, new: Recorded | None) -> Recorded | None:
    if new is None or old is None or old.score != new.score:
        return new
    return old


__all__ = ["KEPT", "update_from_sheet"]
