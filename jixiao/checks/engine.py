"""Run the checks: one engine shared by ``jixiao check``, ``jixiao review`` and the TUI."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

import jixiao.checks.result_checks  # noqa: F401  (registers the result-use checks with the portfolio checks)
from jixiao.checks.form_checks import FORM_CHECKS, form_specs
from jixiao.checks.model import SEVERITY_ORDER, CheckSpec, Finding, FormRecord
from jixiao.checks.monitoring_checks import monitoring_specs
from jixiao.checks.portfolio_checks import PORTFOLIO_CHECKS, READS_PLANS, portfolio_specs
from jixiao.checks.target_checks import run_target_checks, target_specs
from scorer.result import FormResult, Severity

#: Every check by id, form checks first, in registry order.
CHECKS: dict[str, CheckSpec] = {**form_specs(), **portfolio_specs(), **target_specs(), **monitoring_specs()}

_ORDER = {cid: i for i, cid in enumerate(CHECKS)}


def order(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then warnings, then info; within a severity, in registry order (stable)."""
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], _ORDER.get(f.check_id, len(_ORDER))))


def run_form_checks(result: FormResult, key: str | None = None) -> list[Finding]:
    """All within-form checks on one scored form, worst first.

    ``key`` overrides the findings' form_key (default ``year/unit/project``,
    the database's identity); the CLI passes the file path.
    """
    found: list[Finding] = []
    for _spec, fn in FORM_CHECKS:
        found.extend(fn(result))
    if key is not None:
        found = [dataclasses.replace(f, form_key=key) for f in found]
    return order(found)


def run_portfolio_checks(records: Sequence[FormRecord]) -> list[Finding]:
    """All across-form checks over the records (any order), worst first; a declaration is seen
    only by the checks that read plans: it has no actuals to judge."""
    found: list[Finding] = []
    evaluated = [r for r in records if not r.declaration]
    for spec, fn in PORTFOLIO_CHECKS:
        found.extend(fn(records if spec.id in READS_PLANS else evaluated))
    return order(found)


def run_all(records: Sequence[FormRecord]) -> list[Finding]:
    """Form checks on each record (keyed by ``record.key``) and the portfolio checks across them."""
    found: list[Finding] = []
    for rec in records:
        if not rec.declaration:
            found.extend(run_form_checks(rec.result, rec.key))
    found.extend(run_portfolio_checks(records))
    return order(found)


def summarise(findings: Iterable[Finding]) -> dict[Severity, int]:
    """Counts by severity; every severity is present, errors first."""
    counts = dict.fromkeys(SEVERITY_ORDER, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts


def by_form(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Findings grouped by form_key, in first-seen order ("" for findings about no single form)."""
    out: dict[str, list[Finding]] = {}
    for f in findings:
        out.setdefault(f.form_key, []).append(f)
    return out


def run_target_review(
    declarations: Sequence[FormResult], last_year: Sequence[FormResult] = ()
) -> list[tuple[FormResult, list[Finding]]]:
    """Target review of declarations (scored), against each other and last year's forms; each worst first."""
    return [(result, order(found)) for result, found in run_target_checks(declarations, last_year)]
