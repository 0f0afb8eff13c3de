"""Checks that need evidence: a row whose actual can only be believed with a document behind it.

A 满意度 actual is a survey's result: without the survey (its sample and method) it is a number
anyone could write. An acceptance (验收) is a document. These read which rows have evidence
attached (by row identity; a file on the whole form counts for every row its name mentions).
"""

from __future__ import annotations

from collections.abc import Iterable

from jixiao.checks.form_checks import _is_satisfaction
from jixiao.checks.model import Finding, form_key, form_label
from scorer.result import FormResult, IndicatorResult, Severity

SURVEY_WORDS = ("满意度", "问卷", "调查", "测评")


def _covered(r: IndicatorResult, by_row: set[str], form_files: Iterable[str], words: tuple[str, ...]) -> bool:
    if r.indicator.uid and r.indicator.uid in by_row:
        return True
    return any(any(w in name for w in words) or r.indicator.name in name for name in form_files)


def evidence_findings(result: FormResult, files: Iterable[tuple[str, str]]) -> list[Finding]:
    """``files``: (row identity or "" for the whole form, file name) of each attached file."""
    files = list(files)
    by_row = {uid for uid, _ in files if uid}
    form_files = [name for uid, name in files if not uid]
    out = []
    for r in result.indicators:
        ind = r.indicator
        if not ind.actual.strip():
            continue
        if _is_satisfaction(r) and not _covered(r, by_row, form_files, SURVEY_WORDS):
            out.append(
                _found(
                    result,
                    "evidence-survey-missing",
                    f"满意度指标「{ind.name}」的实际完成值「{ind.actual}」没有附调查结果（样本量、调查方式）",
                    ind.name,
                )
            )
        elif "验收" in ind.name + ind.target and not _covered(r, by_row, form_files, ("验收",)):  # what it asks,
            # not an actual that happens to mention a 验收会
            out.append(
                _found(result, "evidence-acceptance-missing", f"验收类指标「{ind.name}」没有附验收文件", ind.name)
            )
    return out


def _found(result: FormResult, check_id: str, detail: str, indicator: str) -> Finding:
    return Finding(check_id, Severity.WARNING, f"{form_label(result.form)}：{detail}", form_key(result.form), indicator)
