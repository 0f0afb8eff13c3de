"""Drafted 审核意见: a reviewer's opinion on a declaration, written from the target-review findings.

The request that follows each finding is data (``opinions.toml``), read strictly: every
target-stage check has its sentence, and an unknown check id is an error, so a renamed check
cannot silently lose its sentence. The draft is a starting point the reviewer edits.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from functools import cache
from importlib import resources

from jixiao.checks.model import Finding, form_label
from scorer.errors import JixiaoError
from scorer.model import Form
from scorer.result import Severity

_NUMERALS = "一二三四五六七八九十"
_HEADINGS = ("returned", "approved", "notes")


class OpinionDataError(JixiaoError, ValueError):
    """opinions.toml does not match the checks."""


@cache
def _data() -> tuple[dict[str, str], dict[str, str]]:
    from jixiao.checks.target_checks import STAGE_FORM_CHECKS, target_specs

    raw = tomllib.loads(resources.files("jixiao.checks").joinpath("opinions.toml").read_text(encoding="utf-8"))
    unknown = set(raw) - {"version", "heading", "requests"}
    headings, requests = raw.get("heading", {}), raw.get("requests", {})
    expected = set(target_specs()) | set(STAGE_FORM_CHECKS)
    problems = [f"未知的键 {k}" for k in sorted(unknown)]
    problems += [f"heading 缺少 {k}" for k in _HEADINGS if k not in headings]
    problems += [f"heading 中未知的键 {k}" for k in sorted(set(headings) - set(_HEADINGS))]
    problems += [f"requests 缺少检查 {k}" for k in sorted(expected - set(requests))]
    problems += [f"requests 中没有这个检查：{k}" for k in sorted(set(requests) - expected)]
    if problems:
        raise OpinionDataError("opinions.toml：" + "；".join(problems))
    return dict(headings), dict(requests)


def _numeral(i: int) -> str:
    return _NUMERALS[i - 1] if i <= len(_NUMERALS) else str(i)


def draft_opinion(form: Form, findings: Sequence[Finding]) -> str:
    """The opinion's text: a heading (return, notes or approve) and one numbered item per finding."""
    headings, requests = _data()
    label = form_label(form)
    if not findings:
        return f"关于「{label}」绩效目标的审核意见：\n{headings['approved']}"
    must_fix = any(f.severity in (Severity.ERROR, Severity.WARNING) for f in findings)
    lines = [f"关于「{label}」绩效目标的审核意见：", headings["returned" if must_fix else "notes"]]
    for i, f in enumerate(findings, start=1):
        detail = f.detail(label).rstrip("。")
        lines.append(f"{_numeral(i)}、{detail}。{requests[f.check_id]}。")
    return "\n".join(lines)
