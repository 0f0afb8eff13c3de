"""Every "N 项指标" a reviewer reads counts the same rows: each scored row once.

A parent row (父项) is scored through its sub-rows (子项); counting it beside them made the review's
指标 column, the editor's totals bar and the checks' "14 项指标中 12 项" disagree with the rows
that carry points (隆阳区 2022: 12 scored rows, 14 printed).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from jixiao.checks import record_for, run_all
from jixiao.cli.import_dry_run import _form_file
from jixiao.pdf.stories import _completion_summary
from jixiao.review.aggregate import aggregate
from jixiao.scoring import score_form
from jixiao.storage.bulk import bulk_load
from jixiao.storage.database import make_engine, upgrade
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore
from scorer.formfile import form_from_dict, parse_text
from scorer.model import Form
from scorer.result import Status

CORPUS = Path(__file__).parent / "corpus"
#: the forms with sub-rows in the corpus
FAMILIES = ("2022-yunnan-longyang-huafei.toml", "2023-anhui-xiaoxian-hexi.toml")


def _corpus(name: str) -> tuple[str, Form]:
    path = CORPUS / name
    return str(path), form_from_dict(parse_text(path.read_text(encoding="utf-8"), str(path), ".toml"), str(path))


def _every_form() -> list[tuple[str, Form]]:
    names = sorted(p.name for p in CORPUS.glob("*.toml") if p.name != "known_disagreements.toml")
    return sample_forms() + [_corpus(n) for n in names]


def _stored_counts(tmp_path: Path, source: str, form: Form) -> list[int]:
    """The review's 指标 per unit, written by the store and by the bulk path, and by 一级指标 summed."""
    out = []
    for name, write in (
        ("store", lambda e: FormStore(e, actor="张三").import_forms([(source, form)])),
        ("bulk", lambda e: bulk_load(e, [form], actor="张三")),
    ):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade(engine)
        write(engine)
        (group,) = aggregate(engine, "unit")
        out += [group.indicators, sum(g.indicators for g in aggregate(engine, "level1"))]
        engine.dispose()
    return out


@pytest.mark.parametrize("name", FAMILIES)
def test_every_surface_counts_a_form_with_sub_rows_the_same(tmp_path: Path, name: str) -> None:
    from tui.widgets.totals_bar import TotalsBar

    source, form = _corpus(name)
    result = score_form(form)
    n = len(result.scored)
    assert n < len(result.indicators)  # the form has parents: the test means something
    assert [r.indicator for r in result.scored] == list(form.scored_indicators)
    assert _stored_counts(tmp_path, source, form) == [n] * 4
    bar = TotalsBar()
    bar.result, bar.declaration = result, True
    assert f" {n} 项指标，" in bar.render().plain
    assert _form_file([form])[0].endswith(f"，{n} 项指标")
    assert _completion_summary(result).startswith(f"共 {n} 项指标，")
    said = [f.message for f in run_all([record_for(result)]) if "项指标" in f.message]
    assert said  # no-cost, no-satisfaction, actual-equals-target… count rows
    for message in said:
        assert re.search(r"(\d+) 项指标", message).group(1) == str(n), message  # type: ignore[union-attr]


def test_a_sub_row_waiting_for_judgement_is_one_pending_row_as_the_engine_says() -> None:
    """A parent waiting on a sub-row is itself 待判断; "有 N 项指标待人工判断" counted both."""
    row = {"level1": "产出指标", "level2": "数量指标", "target": "≥10个", "actual": "10个"}
    form = form_from_dict(
        {
            "year": 2022,
            "project_name": "父子行",
            "implementing_unit": "单位",
            "rules": "hubei-2020",
            "budget": {"planned": 100, "executed": 100},
            "goals": [
                {
                    "indicators": [
                        {**row, "name": "一、示范区", "weight": 30},
                        {**row, "name": "1、子项", "sub": True},
                        {**row, "name": "2、子项", "target": "完成", "actual": "有关工作", "sub": True},
                    ]
                }
            ],
        }
    )
    result = score_form(form)
    assert [r.status for r in result.indicators] == [Status.JUDGEMENT, Status.MET, Status.JUDGEMENT]
    assert result.pending == 1
    assert "有 1 项指标待人工判断，未计入计算总分" in result.budget.explanation


def test_scored_rows_of_an_unscored_form_are_the_scored_ones() -> None:
    for _source, form in _every_form():
        assert [r.indicator for r in score_form(form).scored] == list(form.scored_indicators), form.project_name


def test_a_goals_first_row_marked_sub_counts_as_the_engine_counts_it() -> None:
    """Its first row is no one's sub-row: the engine makes it the parent of the sub-rows after it, and
    the unscored form must count it the same (import --dry-run said one 项指标 more than the review)."""
    _source, form = next((s, f) for s, f in _every_form() if len(f.goals[0].indicators) >= 3)
    goal = form.goals[0]
    rows = (*(dataclasses.replace(ind, sub=True) for ind in goal.indicators[:2]), *goal.indicators[2:])
    form = dataclasses.replace(form, goals=(dataclasses.replace(goal, indicators=rows), *form.goals[1:]))
    assert [r.indicator for r in score_form(form).scored] == list(form.scored_indicators)
    assert len(form.scored_indicators) == len(form.indicators) - 1
