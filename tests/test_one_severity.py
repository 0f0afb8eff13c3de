"""One finding, one severity: ``jixiao score``, ``jixiao check``, the editor's problems panel and the
review say the same of it.

分值合计不符 was 警告 in ``score`` (the engine's) and 错误 in ``check`` (the check's, which also
refuses submission); 单位不可比, 自评得分超过分值 and 未填 differed the same way. The severity of an
engine problem is now decided once (``scorer.result.SEVERITY``) and the checks that report it are
registered with it.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from types import SimpleNamespace

from rich.console import Console

from jixiao import jsonout, terminal
from jixiao.checks import CHECKS, run_form_checks
from jixiao.review.findings import form_findings
from jixiao.scoring import score_form
from jixiao.storage.seed import sample_forms
from jixiao.workflow import Stage
from scorer.formfile import form_from_dict, parse_text
from scorer.model import Form
from scorer.result import SEVERITY, FormResult, ProblemCode, Severity
from tui.screens.form_editor import FormEditorScreen
from tui.screens.problems import SEVERITY_LABELS

CORPUS = Path(__file__).parent / "corpus"

#: the check that reports each engine problem (wrapping it, or deriving the same finding itself)
REPORTED_BY = {
    ProblemCode.BUDGET_INVALID: "budget-invalid",
    ProblemCode.BUDGET_MISSING: "empty-cell",
    ProblemCode.BUDGET_OVER_100: "execution-over-100",
    ProblemCode.BUDGET_PRINTED_RATE: "scoring-problem",
    ProblemCode.BUDGET_RATE_MISMATCH: "rate-mismatch",
    ProblemCode.BUDGET_RATE_TEXT: "rate-unreadable",
    ProblemCode.EMPTY_ACTUAL: "empty-cell",
    ProblemCode.FAMILY_SUM: "family-sum",
    ProblemCode.HEADER_MISSING: "header-missing",
    ProblemCode.IMPOSSIBLE_VALUE: "scoring-problem",
    ProblemCode.INVALID_CELL: "invalid-cell",
    ProblemCode.JUDGEMENT: "needs-judgement",
    ProblemCode.OVER_COMPLETION: "over-completion-unexplained",
    ProblemCode.RECORDED_ABOVE_WEIGHT: "recorded-above-weight",
    ProblemCode.RECORDED_DIFFERS: "recorded-differs-unexplained",
    ProblemCode.RECORDED_TOTAL_SUM: "recorded-total-sum",
    ProblemCode.UNIT_MISMATCH: "unit-mismatch",
    ProblemCode.UNKNOWN_LEVEL1: "unknown-level1",
    ProblemCode.UNKNOWN_RULES: "scoring-problem",
    ProblemCode.WEIGHTS_EXCEED: "weights-total",
    ProblemCode.WEIGHTS_TOTAL: "weights-total",
}
LABEL = {"错误": Severity.ERROR, "警告": Severity.WARNING, "提示": Severity.INFO}


def _every_form() -> list[tuple[str, Form]]:
    out = sample_forms()
    for p in sorted(CORPUS.glob("*.toml")):
        if p.name != "known_disagreements.toml":
            out.append((str(p), form_from_dict(parse_text(p.read_text(encoding="utf-8"), str(p), ".toml"), str(p))))
    return out


def _score_says(result: FormResult, source: str) -> list[tuple[Severity, str]]:
    """What ``jixiao score`` prints for each problem, and what its --json says."""
    console = Console(file=io.StringIO(), width=400, color_system=None)
    terminal.print_form(console, result, source)
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    shown = [(LABEL[m[1]], m[2].strip()) for m in re.finditer(r"│ \[(错误|警告|提示)\] (.*?)\s*│", printed)]
    doc = jsonout.form(result, source)
    assert [p["severity"] for p in doc["problems"]] == [s.value for s, _ in shown]
    return shown


def _panel_says(result: FormResult) -> list[tuple[Severity, str]]:
    """The editor's problems panel: its findings, labelled as the panel labels them."""
    editor = SimpleNamespace(result=result, stage=Stage.EVALUATION, evidence=[], monitored=[], monitoring=None)
    editor.other_findings_by_kind = lambda: FormEditorScreen.other_findings_by_kind(editor)  # type: ignore[arg-type]
    editor.other_findings = lambda: FormEditorScreen.other_findings(editor)  # type: ignore[arg-type]
    found = FormEditorScreen.findings(editor)  # type: ignore[arg-type]
    return [(LABEL[SEVERITY_LABELS[f.severity][0]], f.message) for f in found]


def test_every_engine_problem_has_the_severity_of_the_check_that_reports_it() -> None:
    assert set(REPORTED_BY) == set(ProblemCode) == set(SEVERITY)
    for code, check_id in REPORTED_BY.items():
        if check_id != "scoring-problem":  # it passes each problem on at the problem's own severity
            assert CHECKS[check_id].severity is SEVERITY[code], code


def test_score_check_the_problems_panel_and_the_review_agree_over_every_form() -> None:
    seen: set[ProblemCode] = set()
    for source, form in _every_form():
        result = score_form(form)
        checked = [(f.severity, f.message) for f in run_form_checks(result)]
        assert _panel_says(result)[: len(checked)] == checked  # then the evidence checks, only there
        review = sorted((Severity(s), m) for s, m in form_findings(result))
        assert review == sorted(checked)
        by_message = {m.split("：", 1)[-1]: s for s, m in checked}
        score = _score_says(result, source)
        assert len(score) == len(result.all_problems)
        for p, (said, _) in zip(result.all_problems, score, strict=True):
            seen.add(p.code)
            assert said is p.severity is SEVERITY[p.code], (source, p.code)
            if p.message in by_message:  # the check passed the engine's words on: the same severity
                assert by_message[p.message] is said, (source, p.code, p.message)
    assert {ProblemCode.WEIGHTS_TOTAL, ProblemCode.RECORDED_ABOVE_WEIGHT, ProblemCode.BUDGET_MISSING} <= seen
