"""Weights: each row's share of the indicator points under a rule set, and parent/sub-row families."""

from __future__ import annotations

from decimal import Decimal

from scorer.model import Form, Indicator
from scorer.numbers import q2
from scorer.numbers import weight as fmt_weight
from scorer.result import (
    FormResult,
    IndicatorResult,
    Problem,
    ProblemCode,
    Status,
)
from scorer.row import ZERO, _built_once
from scorer.rules import RuleSet
from scorer.vocabulary import level_key


def _split(pool: Decimal, given: list[Decimal | None]) -> tuple[list[Decimal], bool]:
    """Spread what the pool has left equally over the rows without a weight."""
    fixed = ZERO
    missing = 0
    for w in given:
        if w is None:
            missing += 1
        else:
            fixed += w
    share = (pool - fixed) / missing if missing else ZERO
    ok = share >= 0
    share = max(share, ZERO)
    return [w if w is not None else share for w in given], ok


def _level_tables(rules: RuleSet) -> tuple[dict[str, str], dict[str, Decimal], dict[str, str]]:
    """The rule set's 一级 aliases, pools and printed names by level key (read-only; built once)."""
    return _built_once(
        "levels",
        (rules,),
        (),
        lambda: (
            {level_key(k): level_key(v) for k, v in rules.level1_alias},
            {level_key(k): v for k, v in rules.level1_weights},
            {level_key(k): k for k, v in rules.level1_weights},
        ),
    )


def family_parents(form: Form) -> list[int | None]:
    """For each row in form order, the row of its parent when it is a sub-row (子项), else None.

    A sub-row belongs to the nearest row above it in the same goal that is not a sub-row; a
    sub-row with no such row is an ordinary row.
    """
    out: list[int | None] = []
    i = 0
    for goal in form.goals:
        head: int | None = None
        for ind in goal.indicators:
            if ind.sub and head is not None:
                out.append(head)
            else:
                out.append(None)
                head = i
            i += 1
    return out


def _children(parent_of: list[int | None]) -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for i, p in enumerate(parent_of):
        if p is not None:
            kids.setdefault(p, []).append(i)
    return kids


def _split_over_children(
    kids: dict[int, list[int]],
    given: list[Decimal | None],
    result: list[Decimal | None],
    inds: list[tuple[int, Indicator]],
    problems: list[Problem],
) -> None:
    """A parent's weight goes to its sub-rows: printed ones kept, the rest shared equally."""
    for p, cs in kids.items():
        whole = result[p]
        if whole is None:
            continue
        shares, ok = _split(whole, [given[c] for c in cs])
        if not ok:
            problems.append(
                Problem.of(
                    ProblemCode.WEIGHTS_EXCEED,
                    f"「{inds[p][1].name}」的子项已列分值之和超过其分值 {fmt_weight(whole)}",
                    inds[p][1].name,
                    "分值",
                )
            )
        for c, share in zip(cs, shares, strict=True):
            result[c] = share


def _family_result(parent: IndicatorResult, children: list[IndicatorResult]) -> IndicatorResult:
    """A parent row scored from its sub-rows: their weights and scores summed."""
    weight = sum((c.weight for c in children), ZERO)
    scores = [c.score for c in children]
    why = f"父项：分值与得分为其 {len(children)} 个子项之和，本行的目标值与实际完成值不另计分"
    known = [x for x in scores if x is not None]
    problems = _parent_recorded(parent, children, sum(known, ZERO) if len(known) == len(scores) else None)
    if len(known) < len(scores):
        return parent._replace(
            status=Status.JUDGEMENT,
            weight=weight,
            score=None,
            weight_source="children",
            trace=(why, "有子项待判断"),
            problems=problems,
        )
    score = sum(known, ZERO)
    if all(c.status is Status.MET for c in children):
        status = Status.MET
    else:
        status = Status.MISSED if score == ZERO else Status.PARTLY
    total = f"得分 {fmt_weight(score)} / {fmt_weight(weight)}"
    return parent._replace(
        status=status, weight=weight, score=score, weight_source="children", trace=(why, total), problems=problems
    )


def _parent_recorded(
    parent: IndicatorResult, children: list[IndicatorResult], score: Decimal | None
) -> tuple[Problem, ...]:
    """The parent's problems, its recorded score compared with its sub-rows' sum, not with its own cells.

    When every sub-row carries a recorded score, the parent's difference is already told, once each:
    its own figure against theirs (family-sum) and each sub-row's against its rule score."""
    kept = tuple(p for p in parent.problems if p.code is not ProblemCode.RECORDED_DIFFERS)
    rec = parent.indicator.recorded
    if rec is None or rec.reason or all_recorded(children) or (score is not None and q2(rec.score) == q2(score)):
        return kept
    computed = "待判断" if score is None else str(q2(score))
    name = parent.indicator.name
    message = f"「{name}」自评得分 {q2(rec.score)} 与规则得分 {computed} 不一致，且未说明理由"
    return (*kept, Problem.of(ProblemCode.RECORDED_DIFFERS, message, name, "得分"))


def all_recorded(children: list[IndicatorResult]) -> bool:
    """Every sub-row carries a recorded score: the parent's difference is told by family-sum and by them."""
    return all(c.indicator.recorded is not None for c in children)


def told_by_children(result: FormResult) -> set[int]:
    """Rows (0-based, form order) of the parents whose recorded-score difference their sub-rows tell."""
    kids = _children(family_parents(result.form))
    return {p for p, cs in kids.items() if all_recorded([result.indicators[c] for c in cs])}


Rows = list[tuple[int, Indicator]]  # (goal index, indicator) in form order


def family_sums(form: Form) -> list[Problem]:
    """A parent row whose printed weight or recorded score is not its sub-rows' sum: the sub-rows
    count, so the parent's own figure is dropped, and a reviewer must be told which."""
    inds = [ind for goal in form.goals for ind in goal.indicators]
    kids = _children(family_parents(form))
    out: list[Problem] = []
    for p, cs in kids.items():
        parent, rows = inds[p], [inds[c] for c in cs]
        pairs = (
            ("分值", parent.weight, [r.weight for r in rows]),
            ("自评得分", _score(parent), [_score(r) for r in rows]),
        )
        for column, own, theirs in pairs:
            if own is None or any(x is None for x in theirs):
                continue
            present = [x for x in theirs if x is not None]
            total = sum(present, ZERO)
            if abs(total - own) > rounding_slack(present):
                out.append(
                    Problem.of(
                        ProblemCode.FAMILY_SUM,
                        f"父项「{parent.name}」的{column} {fmt_weight(own)} 与其 {len(cs)} 个子项之和 "
                        f"{fmt_weight(total)} 不符；按子项计",
                        parent.name,
                        column,
                        fmt_weight(own),
                    )
                )
    return out


def rounding_slack(parts: list[Decimal]) -> Decimal:
    """How far a sum of printed decimals may be from the whole they were rounded from: half a unit
    in each one's last place (10 over 3.33 × 3). Whole numbers are taken as exact."""
    slack = ZERO
    for x in parts:
        exponent = x.as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            slack += Decimal(5).scaleb(exponent - 1)
    return slack


def _score(ind: Indicator) -> Decimal | None:
    return ind.recorded.score if ind.recorded else None


def allocate_weights(form: Form, rules: RuleSet) -> tuple[list[tuple[Decimal, str]], list[Problem], list[str]]:
    """Weights per indicator in form order, and where each came from."""
    inds = [(gi, ind) for gi, goal in enumerate(form.goals) for ind in goal.indicators]
    problems: list[Problem] = []
    if any(ind.sub for _, ind in inds):
        problems += family_sums(form)
    notes: list[str] = []
    given = [ind.weight for _, ind in inds]
    if all(w is not None for w in given):
        return [(w, "form") for w in given if w is not None], problems, notes
    parent_of = family_parents(form)
    kids = _children(parent_of)
    own = list(given)  # a parent without a weight of its own takes its sub-rows' printed ones
    for p, cs in kids.items():
        if own[p] is None and all(given[c] is not None for c in cs):
            own[p] = sum((given[c] or ZERO for c in cs), ZERO)
    result: list[Decimal | None] = list(own)
    top = [i for i in range(len(inds)) if parent_of[i] is None]
    if rules.weight_mode == "goals":
        _by_goals(form, rules, inds, top, own, result, problems)
        _split_over_children(kids, given, result, inds, problems)
        notes.append(
            f"未列分值的指标按规则集「{rules.name}」在各年度绩效目标内平均分配（指标合计 {fmt_weight(rules.indicators_total)} 分）"
        )
    else:
        _by_level1(rules, inds, top, own, result, problems, notes)
        _split_over_children(kids, given, result, inds, problems)
        _unplaced(rules, inds, result, problems)
        notes.append(f"未列分值的指标按规则集「{rules.name}」在一级指标内平均分配")
    out = [
        (w if w is not None else ZERO, "form" if given[i] is not None else "allocated") for i, w in enumerate(result)
    ]
    return out, problems, notes


def _by_goals(
    form: Form,
    rules: RuleSet,
    inds: Rows,
    top: list[int],
    own: list[Decimal | None],
    result: list[Decimal | None],
    problems: list[Problem],
) -> None:
    """Each goal's pool (its printed weight, or an equal share) shared among its top rows."""
    goal_pools, _ = _split(rules.indicators_total, [g.weight for g in form.goals])
    for gi, _goal in enumerate(form.goals):
        idx = [i for i in top if inds[i][0] == gi]
        shares, ok = _split(goal_pools[gi], [own[i] for i in idx])
        if not ok:
            problems.append(
                Problem.of(
                    ProblemCode.WEIGHTS_EXCEED,
                    f"年度绩效目标 {gi + 1} 已列分值之和超过其分值 {fmt_weight(goal_pools[gi])}",
                )
            )
        for i, s in zip(idx, shares, strict=True):
            result[i] = s


def _by_level1(
    rules: RuleSet,
    inds: Rows,
    top: list[int],
    own: list[Decimal | None],
    result: list[Decimal | None],
    problems: list[Problem],
    notes: list[str],
) -> None:
    """Each 一级's points (a missing 一级's passed on, if the rules say so) shared among its top rows."""
    alias, pools, names = _level_tables(rules)
    rows_of: dict[str, list[int]] = {}  # level key -> row numbers, in form order
    for i in top:
        k = level_key(inds[i][1].level1)
        rows_of.setdefault(alias.get(k, k), []).append(i)
    missing = [k for k in pools if k not in rows_of]
    if missing and rules.missing_level1 == "redistribute":
        kept = sum((pools[k] for k in pools if k in rows_of), ZERO)
        if kept > 0:
            scale = rules.indicators_total / kept
            notes.append(f"表中没有{'、'.join(names[k] for k in missing)}，其分值按比例并入其他一级指标")
            pools = {k: (v * scale if k in rows_of else ZERO) for k, v in pools.items()}
    for key, pool in pools.items():
        rows = rows_of.get(key)
        if not rows:
            continue
        shares, ok = _split(pool, [own[i] for i in rows])
        if not ok:
            problems.append(
                Problem.of(
                    ProblemCode.WEIGHTS_EXCEED,
                    f"{names[key]}已列分值之和超过其分值 {fmt_weight(pool)}",
                )
            )
        for i, s in zip(rows, shares, strict=True):
            result[i] = s


def _unplaced(rules: RuleSet, inds: Rows, result: list[Decimal | None], problems: list[Problem]) -> None:
    """A row whose 一级 the rule set does not know gets 0 points, and says why."""
    for i, (_, ind) in enumerate(inds):
        if result[i] is None:
            result[i] = ZERO
            problems.append(
                Problem.of(
                    ProblemCode.UNKNOWN_LEVEL1,
                    f"「{ind.name}」的一级指标「{ind.level1}」不在规则集「{rules.name}」中，无法分配分值",
                    ind.name,
                    "一级指标",
                )
            )
