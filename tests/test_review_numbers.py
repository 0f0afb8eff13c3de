"""The numbers the review shows agree with the forms they are summed from.

Each test here is a wrong number once found: the review must show the forms' own money and
rates, on both of its paths (summed by the database and summed in Python) and both back ends.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from jixiao.review.aggregate import Filters, aggregate, summed_here
from jixiao.review.sql_groups import group_rows
from jixiao.storage import FormStore
from jixiao.storage.seed import sample_forms
from scorer.model import Form
from tests.storage_backends import BACKENDS, make_backend


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    backend = make_backend(request.param, tmp_path)
    _, eng = next(backend)
    yield eng
    next(backend, None)


def _laogan() -> tuple[str, Form]:
    return next((s, f) for s, f in sample_forms() if s.endswith("shangye-laogan.toml"))


def _without_executed(form: Form) -> Form:
    """The same unit's second project, whose form prints its 预算数 and a rate but no 执行数."""
    budget = dataclasses.replace(form.budget, executed=None, rate_text="100%")
    return dataclasses.replace(form, project_name=f"{form.project_name}（二）", budget=budget)


@pytest.mark.parametrize("by", ["unit", "department", "year", "grade"])
def test_a_form_without_its_executed_amount_does_not_pull_the_rate_down(engine: Engine, by: str) -> None:
    """塘湖镇 2020 (corpus): 预算数 864.2, no 执行数, printed 100%. The review said 0%."""
    source, form = _laogan()
    FormStore(engine, actor="张三").import_forms([(source, form), ("second.toml", _without_executed(form))])
    form_rate = form.budget.executed / form.budget.planned  # 24.7 / 20: the one form that states both
    summed = group_rows(engine, by, Filters().apply)
    assert summed is not None
    for rows in (summed, summed_here(engine, by, Filters()), aggregate(engine, by)):
        rates = {g.rate for g in rows}
        assert rates == {form_rate}, f"{by}: {rates}"
