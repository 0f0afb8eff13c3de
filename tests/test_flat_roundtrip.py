"""Every sample and corpus form through ``export --profile platform-flat`` and back into a fresh
database (SQLite and PostgreSQL): what a reviewer sees is the original's, or the import said which
values the platform sheet has no column for.

It failed as a whole file (a blank 指标值 is a valid state), brought the 部门整体支出 form back as a
project, and dropped the recorded total and budget score, re-deriving 老干工作经费 from 98.10 优."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine

from jixiao.file_import import import_paths
from jixiao.scoring import BUILTIN, score_form
from jixiao.sheet_update import KEPT
from jixiao.storage.store import FormStore
from jixiao.xlsx.flat import has_sub_rows, profiles, write_flat
from scorer.formfile import load_form
from scorer.model import Form, FormKind, Goal, Indicator
from scorer.rules import rules_for
from tests.storage_backends import backend_engine

__all__ = ["backend_engine"]
ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(ROOT.glob("samples/*.toml")) + sorted(ROOT.glob("tests/corpus/20*.toml"))


def _seen(form: Form) -> dict[str, object]:
    r = score_form(form, rules_for(form), BUILTIN)
    return {
        "total": (r.total_computed, r.grade),
        "recorded": (r.total_recorded, r.grade_recorded),
        "kind": form.form_kind,
        "money": (form.budget.planned, form.budget.executed, r.budget.score),
        "rows": [(i.indicator.name, i.weight, i.score, i.status) for i in r.indicators],
    }


def _uncarried(form: Form) -> Form:
    """The form as the import says it takes it: none of what the sheet has no column for (KEPT)."""

    def ind(i: Indicator) -> Indicator:
        reason = replace(i.recorded, reason="") if i.recorded else None
        return replace(i, sub=False, adjusted_target="", direction="", recorded=reason)

    budget = replace(
        form.budget, weight=None, recorded=replace(form.budget.recorded, reason="") if form.budget.recorded else None
    )
    goal = Goal(indicators=tuple(ind(i) for i in form.indicators))
    return replace(form, rules=None, budget=budget, goals=(goal,))


def test_every_form_comes_back_as_a_reviewer_saw_it_or_says_what_it_lost(
    backend_engine: Engine, tmp_path: Path
) -> None:
    every = [load_form(p) for p in FILES]
    assert len(every) == 50
    forms = [f for f in every if not has_sub_rows(f)]  # refused: test_flat_sub_rows.py
    assert len(forms) == 48
    (profile,) = [p for p in profiles() if p.name == "platform-flat"]
    sheet = tmp_path / "platform-flat.xlsx"
    write_flat(forms, profile).save(sheet)
    store = FormStore(backend_engine, actor="测试")
    (done,) = list(import_paths(store, [sheet], jobs=1))
    assert done.error == ""
    assert len(done.outcomes) == 48 and all(o.sheet_rules for o in done.outcomes)  # each one said
    assert "规则集" in KEPT and "预算执行的分值" in KEPT and "子项" in KEPT and "调整后目标值" in KEPT
    back = {
        (f.form.year, f.form.implementing_unit, f.form.project_name): f.form
        for f in map(store.get, (s.id for s in store.list()))
    }
    kinds = {f.project_name: back[(f.year, f.implementing_unit, f.project_name)].form_kind for f in forms}
    assert kinds["部门整体支出"] is FormKind.DEPARTMENT
    for f in forms:
        got = back[(f.year, f.implementing_unit, f.project_name)]
        assert got.total_recorded == f.total_recorded, f.project_name
        assert (got.deviation_analysis, got.form_kind) == (f.deviation_analysis, f.form_kind), f.project_name
        assert _seen(got) == _seen(_uncarried(f)), f.project_name
        if f.rules in (None, got.rules or rules_for(got).name) and _uncarried(f) == replace(f, rules=None):
            assert _seen(got) == _seen(f), f.project_name  # nothing lost: the very numbers
    laogan = back[(2024, "武昌区商业行业离退休人员管理服务中心", "老干工作经费")]
    assert laogan.total_recorded is not None and laogan.budget.recorded is not None
