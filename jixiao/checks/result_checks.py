"""The year's cycle across forms: targets approved before, results used after (评价结果应用).

Across years of the same unit and project: a grade whose action in the rule set's ``[results]``
is 压缩 (cut) or 取消 (cancel) followed by a larger request, or any request at all; and last
year's 改进措施 that this year's form never comes back to. Within a year and department: a
self-evaluation whose targets were never approved where its neighbours' were. Registered with the
portfolio checks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from jixiao.checks.model import Finding, FormRecord, is_trivial, normalise
from jixiao.checks.portfolio_checks import _finding, _project_id, _self_score, check
from scorer import numbers as fmt
from scorer.model import FormKind
from scorer.result import Severity

#: This year's narratives "come back to" last year's measures when they share a run of this many
#: characters (after normalising), or speak of last year's rectification in so many words.
SHARED_RUN = 6
_BACK_REFERENCE = re.compile(r"(上年|上一年|去年|上年度).{0,12}(整改|改进|问题|措施)")


def _by_project(records: Sequence[FormRecord]) -> dict[tuple[str, str, int], FormRecord]:
    """Project forms by (unit, project, year); a self-evaluation wins over a declaration of its year."""
    return {
        (*_project_id(r), r.year): r
        for r in sorted(records, key=lambda r: not r.declaration)
        if r.year is not None and r.result.form.form_kind is FormKind.PROJECT
    }


def _grade(rec: FormRecord) -> tuple[str, str]:
    """The grade results are applied by, and whose it is: the unit's recorded total if any, else the rule score."""
    res = rec.result
    if res.total_recorded is not None:
        return res.rules.grade_for(_self_score(rec)), "自评"
    return res.grade, "规则"


@check(
    "result-request-up",
    Severity.WARNING,
    "评价结果未用于下年预算",
    "A project graded 中 or 差 (whatever grades the rule set's [results] maps to 压缩 or 取消) asks next "
    "year for more than this year's budget (压缩), or asks again at all (取消). The grade is the recorded "
    "total's where the unit scored the form, else the rule score's; the message says which. Next year's "
    "form is its self-evaluation, or its declaration (申报表) while that is all there is; a finding "
    "against a declaration is reported on this year's form, the one being reviewed.",
    plans=True,
)
def result_request_up(records: Sequence[FormRecord]) -> list[Finding]:
    index, out = _by_project(records), []
    for (unit, project, year), rec in index.items():
        nxt = index.get((unit, project, year + 1))
        if nxt is None or rec.declaration:
            continue
        grade, whose = _grade(rec)
        action = rec.result.rules.result_action(grade)
        now, asked = rec.result.form.budget.planned, nxt.result.form.budget.planned
        plan = f"{year + 1}年申报表" if nxt.declaration else f"{year + 1}年"
        if action == "取消" and asked:
            detail = f"{plan}仍安排 {fmt.money(asked)} 万元"
        elif action == "压缩" and now is not None and asked is not None and asked > now:
            detail = f"{plan}预算数 {fmt.money(asked)} 万元，高于{year}年的 {fmt.money(now)} 万元"
        else:
            continue
        out.append(  # on next year's self-evaluation (where the budget went up), else on this year's form
            _finding(
                rec if nxt.declaration else nxt,
                "result-request-up",
                f"{year}年{whose}等级「{grade}」按规则集应「{action}」，{detail}",
                value=asked,
            )
        )
    return out


def _runs(text: str, n: int) -> set[str]:
    t = normalise(text)
    return {t[i : i + n] for i in range(len(t) - n + 1)}


@check(
    "improvement-not-followed",
    Severity.INFO,
    "上年改进措施本年未见交代",
    "Last year's 改进措施 (not trivial) and this year's form of the same unit and project: neither this "
    "year's analysis nor its measures share a run of 6 characters with last year's measures, nor speak "
    "of last year's rectification (上年…整改/改进/问题/措施). Information: a reviewer reads both.",
)
def improvement_not_followed(records: Sequence[FormRecord]) -> list[Finding]:
    index, out = _by_project(records), []
    for (unit, project, year), rec in index.items():
        last = index.get((unit, project, year - 1))
        if last is None or is_trivial(last.result.form.improvement_measures):
            continue
        form = rec.result.form
        now = f"{form.deviation_analysis}\n{form.improvement_measures}"
        if _BACK_REFERENCE.search(now) or _runs(last.result.form.improvement_measures, SHARED_RUN) & _runs(
            now, SHARED_RUN
        ):
            continue
        measures = last.result.form.improvement_measures.strip().replace("\n", " ")
        out.append(
            _finding(
                rec,
                "improvement-not-followed",
                f"{year - 1}年改进措施「{measures[:80]}{'…' if len(measures) > 80 else ''}」在{year}年的分析和措施中未见交代",
            )
        )
    return out


@check(
    "targets-not-approved",
    Severity.WARNING,
    "目标未经申报审核",
    "Where the database shows that a department's self-evaluations of a year began from approved "
    "declarations (目标申报 → 审核 → 自评), one that did not: its targets were never approved or "
    "locked, so they may have been set at year end to fit the actuals. Silent where no form of that "
    "year and department went through approval, and for forms read from files (unknown).",
)
def targets_not_approved(records: Sequence[FormRecord]) -> list[Finding]:
    by_scope: dict[tuple[int | None, str], list[FormRecord]] = {}
    for r in records:
        if r.targets_approved is not None:
            by_scope.setdefault((r.year, normalise(r.department)), []).append(r)
    out = []
    for (year, _), recs in by_scope.items():
        approved = sum(1 for r in recs if r.targets_approved)
        if not approved:
            continue
        for r in recs:
            if not r.targets_approved:
                out.append(
                    _finding(
                        r,
                        "targets-not-approved",
                        f"目标值未经申报审核锁定（同部门{year}年另有 {approved} 份自评表由审核通过的申报表开始），"
                        "请核对目标值是否为年初所定",
                    )
                )
    return out
