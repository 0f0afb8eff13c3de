"""Problem codes are one vocabulary (#17): the engine emits members of ProblemCode, and the checks
either report each code under a check of their own or pass it through as 其他计分问题."""

from __future__ import annotations

from pathlib import Path

from jixiao.checks.engine import run_form_checks
from jixiao.checks.form_checks import ENGINE_CODES
from jixiao.scoring import score_form
from scorer.formfile import find_form_files, load_form
from scorer.result import ProblemCode

ROOT = Path(__file__).resolve().parents[1]


def _results() -> list[object]:
    files = find_form_files([ROOT / "samples", ROOT / "tests" / "corpus"])
    return [score_form(load_form(p)) for p in files if p.name != "known_disagreements.toml"]


def test_every_problem_the_engine_reports_is_a_member_of_the_vocabulary() -> None:
    seen = set()
    for res in _results():
        for p in res.all_problems:  # type: ignore[attr-defined]
            assert isinstance(p.code, ProblemCode), p
            seen.add(p.code)
    assert len(seen) >= 8  # the inputs exercise most codes; a rename would show here


def test_the_checks_name_only_codes_the_engine_has() -> None:
    assert ENGINE_CODES <= set(ProblemCode)
    assert all(isinstance(c, ProblemCode) for c in ENGINE_CODES)


def test_a_code_no_check_covers_still_reaches_the_user_as_another_scoring_problem() -> None:
    uncovered = set(ProblemCode) - ENGINE_CODES
    assert uncovered, "every code has its own check: drop this test's premise"
    for res in _results():
        findings = run_form_checks(res)
        for p in res.all_problems:  # type: ignore[attr-defined]
            if p.code in uncovered:
                assert any(f.check_id == "scoring-problem" and p.message in f.message for f in findings), p


def test_every_error_a_user_can_cause_has_the_one_base() -> None:
    """One base class: the CLI and the TUI catch JixiaoError once instead of a tuple per module."""
    import importlib
    import pkgutil

    from scorer.errors import JixiaoError

    found = []
    for pkg_name in ("scorer", "indicator_catalog", "jixiao"):
        pkg = importlib.import_module(pkg_name)
        for info in pkgutil.walk_packages(pkg.__path__, f"{pkg_name}."):
            if ".migrations" in info.name or info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, Exception) and value.__module__ == info.name:
                    found.append(value)
                    assert issubclass(value, JixiaoError), f"{info.name}.{value.__name__} 不是 JixiaoError 的子类"
    assert len(found) >= 15
