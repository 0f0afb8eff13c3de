"""A 总分 written on the form and the sum of its rows are kept apart (issue 15, item 1).

The walk-through: the 94 form, one row's recorded score changed from 20 to 17.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.scoring import score_form
from jixiao.storage.database import make_engine, upgrade
from jixiao.storage.store import FormStore
from jixiao.workflow import WorkflowError
from scorer.formfile import load_form
from scorer.model import Form, Recorded
from tests.conftest import NINETY_FOUR


def _changed(form: Form, new: Decimal, total: Decimal | None | str = "keep") -> Form:
    """The form with its first recorded row score set to ``new`` (and the written total as given)."""
    goals = list(form.goals)
    inds = list(goals[0].indicators)
    first = next(i for i, ind in enumerate(inds) if ind.recorded is not None)
    rec = inds[first].recorded
    assert rec is not None
    inds[first] = dataclasses.replace(inds[first], recorded=Recorded(new, "更正"))
    goals[0] = dataclasses.replace(goals[0], indicators=tuple(inds))
    out = dataclasses.replace(form, goals=tuple(goals))
    return out if total == "keep" else dataclasses.replace(out, total_recorded=total)  # type: ignore[arg-type]


@pytest.fixture
def form94() -> Form:
    return load_form(NINETY_FOUR)


def _first_recorded(form: Form) -> Decimal:
    rec = next(i.recorded for g in form.goals for i in g.indicators if i.recorded is not None)
    assert rec is not None
    return rec.score


@pytest.mark.parametrize("delta", [Decimal(-3), Decimal("-0.5"), Decimal("0.01"), Decimal(2)])
def test_a_written_total_that_no_longer_adds_up_is_an_error(form94: Form, delta: Decimal) -> None:
    old = _first_recorded(form94)
    r = score_form(_changed(form94, old + delta))
    assert r.total_recorded == Decimal(94) and r.recorded_sum == Decimal(94) + delta
    assert r.total_mismatch
    (p,) = [p for p in r.all_problems if p.code == "recorded-total-sum"]
    assert p.severity.name == "ERROR" and "不符" in p.message


def test_without_a_written_total_the_total_follows_the_rows(form94: Form) -> None:
    old = _first_recorded(form94)
    r = score_form(_changed(form94, old - 3, total=None))
    assert r.total_recorded == Decimal(91) and r.recorded_source == "sum" and not r.total_mismatch


def test_the_seed_form_adds_up(form94: Form) -> None:
    r = score_form(form94)
    assert r.recorded_sum == r.total_recorded == Decimal(94) and not r.total_mismatch


@pytest.fixture
def store(tmp_path: Path) -> FormStore:
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    upgrade(engine)
    return FormStore(engine, actor="项目负责人")


def test_submit_is_refused_with_the_reason_until_the_total_is_right(store: FormStore, form94: Form) -> None:
    old = _first_recorded(form94)
    sf = store.create(_changed(form94, old - 3))
    with pytest.raises(WorkflowError, match="不能提交.*94.*91.*不一致"):
        store.transition(sf.id, "submit")
    assert store.get(sf.id).status.value == "draft"
    fixed = store.save(sf.id, dataclasses.replace(store.get(sf.id).form, total_recorded=None), sf.version)
    assert store.transition(fixed.id, "submit").status.value == "submitted"


def test_the_pdf_marks_a_total_that_does_not_add_up(form94: Form) -> None:
    import subprocess

    from jixiao.pdf.layout import render_form

    pdf = render_form(_changed(form94, _first_recorded(form94) - 3))
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "与各项自评得分之和" in text.replace("\n", "") and "不一致" in text


def test_the_totals_bar_shows_both_totals(form94: Form) -> None:
    from tui.widgets.totals_bar import TotalsBar

    bar = TotalsBar()
    bar.result = score_form(_changed(form94, _first_recorded(form94) - 3))
    shown = bar.render().plain
    assert "自评 94.00" in shown and "各项之和 91.00 不一致" in shown


def _doubled(form: Form) -> Form:
    """The form as a filler could import it: every row's 分值 doubled (indicators 160, budget 20)."""
    goals = tuple(
        dataclasses.replace(
            g,
            weight=None,
            indicators=tuple(dataclasses.replace(i, weight=i.weight * 2) for i in g.indicators),  # type: ignore[operator]
        )
        for g in form.goals
    )
    return dataclasses.replace(form, goals=goals)


def test_weights_doubled_by_the_filler_cannot_be_submitted(store: FormStore, form94: Form) -> None:
    """The 94 form with its row weights doubled scored 176.19 优 out of 100 and could be submitted."""
    forged = _doubled(form94)
    assert score_form(forged).total_computed > 100  # the rule score itself cannot be trusted
    sf = store.create(forged)
    with pytest.raises(WorkflowError, match="不能提交：分值合计 180 超过规则集「hubei-2020」的总分 100，规则得分"):
        store.transition(sf.id, "submit")
    assert store.get(sf.id).status.value == "draft"
    fixed = store.save(sf.id, form94, sf.version)
    assert store.transition(fixed.id, "submit").status.value == "submitted"


def test_weights_short_of_the_total_can_still_be_submitted(store: FormStore, form94: Form) -> None:
    """A transcribed form missing a row (the corpus has many) is not forged upward: it may be passed on."""
    goals = list(form94.goals)
    goals[0] = dataclasses.replace(goals[0], weight=None, indicators=goals[0].indicators[1:])
    short = dataclasses.replace(form94, goals=tuple(goals), total_recorded=None)
    assert score_form(short).weight_total < 100
    assert store.transition(store.create(short).id, "submit").status.value == "submitted"
