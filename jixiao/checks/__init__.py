"""Checks reviewers run on self-evaluation forms (docs/domain.md, "Roles and workflow").

Pure: imports ``scorer`` and the standard library only, so ``jixiao check``,
``jixiao review``, the TUI and the PDF summary share one engine.

    from jixiao.checks import run_form_checks, run_portfolio_checks, record_for
    findings = run_form_checks(result)                    # one scored form
    findings += run_portfolio_checks([record_for(r) for r in results])

Every check is listed in ``CHECKS`` (id → CheckSpec) and in docs/checks.md.
"""

from jixiao.checks.engine import CHECKS, by_form, order, run_all, run_form_checks, run_portfolio_checks, summarise
from jixiao.checks.model import CheckSpec, Finding, FormRecord, form_key, form_label, record_for

__all__ = [
    "CHECKS",
    "CheckSpec",
    "Finding",
    "FormRecord",
    "by_form",
    "form_key",
    "form_label",
    "order",
    "record_for",
    "run_all",
    "run_form_checks",
    "run_portfolio_checks",
    "summarise",
]
